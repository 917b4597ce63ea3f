package io.pingora4j.server.plugins.forwardauth;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.server.plugins.HeaderLine;
import io.pingora4j.server.plugins.SubRequests;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.Session;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Pingap's {@code forward_auth} plugin: asks an auth service about every request (a GET to
 * {@code auth_url} with the chosen request headers and {@code X-Forwarded-*}); a 2xx lets the
 * request go upstream with {@code add_headers} copied from the auth answer, any other answer is
 * relayed to the client as it is, and an unreachable or slow service is a 502. See
 * {@code docs/plugins/forward_auth.md}.
 *
 * <pre>
 * [plugins.forwardAuth]
 * category = "forward_auth"
 * auth_url = "http://auth-service:9000/verify"
 * request_headers = ["Cookie", "Authorization"]    # default: every request header
 * add_headers = ["X-User-Id", "X-User-Role"]
 * timeout = "3s"                                   # default 10s
 * </pre>
 *
 * The sub-request is sent with the JDK client's async API ({@link SubRequests}); the request phase
 * is deferred and resumes on the session's own loop, which alone touches the session. Immutable;
 * thread-safe.
 */
public final class ForwardAuthFilterFactory implements FilterFactory {

    public static final String CATEGORY = "forward_auth";
    static final byte[] FAILED = "Forward auth request failed".getBytes(StandardCharsets.US_ASCII);
    /** Fields the JDK client refuses to set, hop-by-hop fields, and those we set ourselves. */
    static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "content-length", "expect", "upgrade",
            "keep-alive", "te", "trailer", "transfer-encoding", "proxy-connection", "proxy-authorization",
            "http2-settings", "x-forwarded-method", "x-forwarded-uri", "x-forwarded-host", "x-forwarded-for");
    /** Fields of the auth answer not relayed: the proxy frames the relayed answer itself. */
    static final Set<String> NOT_RELAYED = Set.of("content-length", "transfer-encoding", "connection", "keep-alive",
            "te", "trailer", "upgrade", "proxy-connection");

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        String url = config.string("auth_url").trim();
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw config.invalid("auth_url", "not a URL: " + e.getMessage());
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw config.invalid("auth_url", "must be an http or https URL with a host, got \"" + url + "\"");
        }
        List<String> requestHeaders = names(config, "request_headers");
        List<String> addHeaders = names(config, "add_headers");
        Duration timeout = config.duration("timeout", Duration.ofSeconds(10));
        if (timeout.isZero()) {
            throw config.invalid("timeout", "must be positive");
        }
        return new ForwardAuthFilter(uri, requestHeaders.isEmpty() ? null : Set.copyOf(requestHeaders), addHeaders, timeout);
    }

    private static List<String> names(PluginConfig config, String key) {
        List<String> names = config.stringList(key);
        for (int i = 0; i < names.size(); i++) {
            HeaderLine.checkField(config, key + "[" + i + "]", names.get(i).trim(), "x");
        }
        return names.stream().map(n -> n.trim().toLowerCase(Locale.ROOT)).toList();
    }

    /** Immutable; thread-safe. */
    static final class ForwardAuthFilter implements HttpFilter {
        private final URI uri;
        private final Set<String> requestHeaders;
        private final List<String> addHeaders;
        private final Duration timeout;

        ForwardAuthFilter(URI uri, Set<String> requestHeaders, List<String> addHeaders, Duration timeout) {
            this.uri = uri;
            this.requestHeaders = requestHeaders;
            this.addHeaders = addHeaders;
            this.timeout = timeout;
        }

        @Override
        public Action requestFilter(Session session) {
            HttpRequest sub = subRequest(session); // built here, on the loop: the session is not read elsewhere
            return Action.defer(SubRequests.client().sendAsync(sub, HttpResponse.BodyHandlers.ofByteArray())
                    .handleAsync((resp, err) -> decide(session, resp, err), session.executor()));
        }

        HttpRequest subRequest(Session session) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).GET();
            HeaderBlock h = session.request().headers();
            for (int i = 0; i < h.size(); i++) {
                String name = h.name(i).toLowerCase(Locale.ROOT);
                if (NOT_FORWARDED.contains(name) || (requestHeaders != null && !requestHeaders.contains(name))) {
                    continue;
                }
                try {
                    b.header(h.name(i), h.value(i));
                } catch (IllegalArgumentException ignored) {
                    // a field the JDK client will not send as written: left out
                }
            }
            b.header("X-Forwarded-Method", session.request().methodName());
            b.header("X-Forwarded-Uri", session.request().pathAndQuery());
            String host = session.request().authority();
            if (host != null) {
                b.header("X-Forwarded-Host", host);
            }
            b.header("X-Forwarded-For", session.clientIp());
            return b.build();
        }

        private Action decide(Session session, HttpResponse<byte[]> resp, Throwable err) {
            if (err != null) {
                session.respond(502, "text/plain", FAILED);
                return Action.RESPONDED;
            }
            int status = resp.statusCode();
            if (status >= 200 && status <= 299) {
                HeaderBlock up = session.request().headers();
                for (String name : addHeaders) {
                    List<String> values = resp.headers().allValues(name);
                    if (values.isEmpty()) {
                        continue;
                    }
                    up.removeAll(name);
                    for (String v : values) {
                        try {
                            up.add(name, v);
                        } catch (IllegalArgumentException ignored) {
                            // not a valid field value: not copied
                        }
                    }
                }
                return Action.CONTINUE;
            }
            ResponseHead head = new ResponseHead();
            head.setStatus(status < 100 || status > 599 ? 403 : status);
            for (Map.Entry<String, List<String>> e : resp.headers().map().entrySet()) {
                if (e.getKey().startsWith(":") || NOT_RELAYED.contains(e.getKey().toLowerCase(Locale.ROOT))) {
                    continue;
                }
                for (String v : e.getValue()) {
                    try {
                        head.headers().add(e.getKey(), v);
                    } catch (IllegalArgumentException ignored) {
                        // a field the codec will not write: dropped
                    }
                }
            }
            byte[] body = resp.body();
            session.respond(head, body == null || body.length == 0 ? null : ByteBuffer.wrap(body));
            return Action.RESPONDED;
        }
    }
}
