package io.pingora4j.engine;

/**
 * Counters of one event loop, written only by it (plain fields). Readers on other threads see
 * values that may be a little stale, which is all metrics need; {@link Server#stats()} sums them.
 */
final class EngineStats {
    long downstreamAccepted;
    long requests;
    long upstreamConnects;
    long upstreamReused;
    long upstreamConnectFailures;
    long retries;
    /** Upstream connections dropped instead of used or pooled because they held unread bytes or an EOF. */
    long upstreamDiscarded;
    /** HTTP/2 client connections, the streams they carried, streams refused before a request, GOAWAYs for errors. */
    long h2Connections;
    long h2Streams;
    long h2StreamsRefused;
    long h2GoAways;
    /** HTTP/2 connections to origins that came up, and the streams (requests) they carried. */
    long upstreamH2Connections;
    long upstreamH2Streams;
    /** The same GOAWAYs by HTTP/2 error code (0x0..0xd); any other code counts in the last slot. */
    final long[] h2GoAwaysByCode = new long[H2_ERROR_CODES + 1];
    /** Client TLS handshakes completed, by {@link #TLS_HANDSHAKE_BOUNDS_NANOS} (the last slot: longer). */
    final long[] tlsHandshakes = new long[TLS_HANDSHAKE_BOUNDS_NANOS.length + 1];
    long tlsHandshakeNanos;

    static final int H2_ERROR_CODES = 14;
    /** Upper bounds of the handshake time buckets: 1 ms to 10 s. */
    static final long[] TLS_HANDSHAKE_BOUNDS_NANOS = {1_000_000L, 2_500_000L, 5_000_000L, 10_000_000L, 25_000_000L,
        50_000_000L, 100_000_000L, 250_000_000L, 500_000_000L, 1_000_000_000L, 2_500_000_000L, 10_000_000_000L};

    void goAway(int errorCode) {
        h2GoAways++;
        h2GoAwaysByCode[errorCode >= 0 && errorCode < H2_ERROR_CODES ? errorCode : H2_ERROR_CODES]++;
    }

    void tlsHandshake(long nanos) {
        int i = 0;
        while (i < TLS_HANDSHAKE_BOUNDS_NANOS.length && nanos > TLS_HANDSHAKE_BOUNDS_NANOS[i]) {
            i++;
        }
        tlsHandshakes[i]++;
        tlsHandshakeNanos += nanos;
    }
}
