package io.pingora4j.server.plugins;

import io.pingora4j.spi.Action;
import io.pingora4j.spi.Session;
import java.security.MessageDigest;
import java.util.List;
import java.util.function.Consumer;

/**
 * What the auth plugins share about secrets: comparison in constant time, and a refusal that
 * waits {@code delay} first (to slow guessing) without holding the event loop.
 *
 * <p>Stateless; thread-safe.
 */
public final class Secrets {

    private Secrets() {
    }

    /**
     * Whether {@code candidate} equals any of {@code known}. Every entry is compared, and each
     * comparison takes a time that depends on the candidate's length only
     * ({@link MessageDigest#isEqual}), so the time says nothing about which entry nearly matched.
     */
    public static boolean matchesAny(byte[] candidate, List<byte[]> known) {
        boolean found = false;
        for (int i = 0; i < known.size(); i++) {
            found |= MessageDigest.isEqual(candidate, known.get(i));
        }
        return found;
    }

    /**
     * Runs {@code respond} (which answers the request) now, or after {@code delayNanos} on the
     * session's own loop: the request is suspended meanwhile and nothing blocks.
     */
    public static Action answerAfter(Session session, long delayNanos, Consumer<Session> respond) {
        if (delayNanos <= 0) {
            respond.accept(session);
            return Action.RESPONDED;
        }
        return Action.defer(Delays.after(delayNanos, Action.RESPONDED).thenApplyAsync(a -> {
            respond.accept(session);
            return Action.RESPONDED;
        }, session.executor()));
    }
}
