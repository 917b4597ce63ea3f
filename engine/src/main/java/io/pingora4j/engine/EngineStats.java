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
}
