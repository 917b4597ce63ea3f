package io.pingora4j.server;

import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.server.config.PathMatch;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.Session;
import io.pingora4j.tls.acme.Http01Challenges;
import java.nio.charset.StandardCharsets;

/**
 * Answers ACME HTTP-01 challenges ({@code GET /.well-known/acme-challenge/TOKEN}) with their key
 * authorization, an ordinary filter put before routing on the plain-HTTP listeners while a
 * certificate is being issued. A path under the prefix with no pending token is left to routing.
 *
 * <p>Thread-safe: the challenges are.
 */
final class Http01Filter implements HttpFilter {

    private static final PathMatch CHALLENGE_PATHS =
            new PathMatch(PathMatch.Kind.PREFIX, Http01Challenges.PATH_PREFIX, null);

    private final Http01Challenges challenges;

    Http01Filter(Http01Challenges challenges) {
        this.challenges = challenges;
    }

    /** Whether this request is a pending challenge, which this filter answers instead of any location. */
    boolean claims(RequestHead request) {
        return CHALLENGE_PATHS.matches(request.pathAndQueryChars()) && challenges.lookup(request.path()).isPresent();
    }

    @Override
    public Action requestFilter(Session session) {
        String answer = challenges.lookup(session.request().path()).orElse(null);
        if (answer == null) {
            return Action.CONTINUE; // expired between routing and now: the location's chain is not ours to run
        }
        session.respond(200, "text/plain", answer.getBytes(StandardCharsets.US_ASCII));
        return Action.RESPONDED;
    }
}
