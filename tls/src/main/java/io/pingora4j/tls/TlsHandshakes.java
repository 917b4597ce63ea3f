package io.pingora4j.tls;

import java.util.concurrent.atomic.LongAdder;

/**
 * Process-wide counts of completed TLS handshakes, full and resumed, as servers and as clients
 * (connections to origins), counted by {@link TlsCodec} when a handshake completes. For stats and
 * metrics: a resumed handshake skips the certificate and its signature, so the ratio says what
 * resumption saves.
 *
 * <p>Thread-safe: LongAdders, one increment per handshake, no contention between loops.
 */
public final class TlsHandshakes {

    private static final LongAdder SERVER_FULL = new LongAdder();
    private static final LongAdder SERVER_RESUMED = new LongAdder();
    private static final LongAdder CLIENT_FULL = new LongAdder();
    private static final LongAdder CLIENT_RESUMED = new LongAdder();

    /** A point-in-time copy of the counters. */
    public record Counts(long serverFull, long serverResumed, long clientFull, long clientResumed) {
    }

    private TlsHandshakes() {
    }

    public static Counts counts() {
        return new Counts(SERVER_FULL.sum(), SERVER_RESUMED.sum(), CLIENT_FULL.sum(), CLIENT_RESUMED.sum());
    }

    static void completed(boolean client, boolean resumed) {
        (client ? (resumed ? CLIENT_RESUMED : CLIENT_FULL) : (resumed ? SERVER_RESUMED : SERVER_FULL)).increment();
    }
}
