package io.pingora4j.server.metrics;

/**
 * What an event loop records into its own {@link Shard}: one per loop, found once per request
 * ({@link ProxyMetrics#recorder()}), used only on that loop. Every method is a few array stores:
 * no allocation, no lock. Series numbers come from {@link ProxyMetrics#location} and
 * {@link ProxyMetrics#upstream}, resolved when the configuration is loaded.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
public final class Recorder {

    private final Layout layout;
    private final Shard shard;

    Recorder(Layout layout, Shard shard) {
        this.layout = layout;
        this.shard = shard;
    }

    /** A request arrived for {@code location}; {@code reusedConnection}: not the connection's first. */
    public void requestStarted(int location, boolean reusedConnection) {
        shard.add(layout.requests + location, 1);
        shard.add(layout.inflight + location, 1);
        if (reusedConnection) {
            shard.add(layout.connectionReuses, 1);
        }
    }

    /**
     * The request ended: its status (0: none was sent), the time since its first byte, and the body
     * bytes received and sent.
     */
    public void requestEnded(int location, int status, long nanos, long received, long sent) {
        shard.add(layout.inflight + location, -1);
        if (status > 0) {
            shard.add(layout.statuses + location * Layout.STATUSES + Layout.statusSlot(status), 1);
        }
        shard.observe(Layout.series(layout.responseTime, Buckets.SECONDS, location), Buckets.SECONDS, nanos);
        shard.add(layout.receivedBytes + location, received);
        shard.add(layout.sentBytes + location, sent);
        shard.observe(Layout.series(layout.receivedSize, Buckets.BYTES, location), Buckets.BYTES, received);
        shard.observe(Layout.series(layout.sentSize, Buckets.BYTES, location), Buckets.BYTES, sent);
    }

    /**
     * An attempt is connected to a backend of {@code upstream}: in use from now until
     * {@link #upstreamReleased}; a new connection's TCP connect and TLS handshake times (-1: none).
     */
    public void upstreamConnected(int upstream, boolean reused, long connectNanos, long tlsNanos) {
        shard.add(layout.upstreamInUse + upstream, 1);
        shard.add(layout.upstreamRequests + upstream, 1);
        if (reused) {
            shard.add(layout.upstreamReuses + upstream, 1);
        }
        if (connectNanos >= 0) {
            shard.observe(Layout.series(layout.upstreamConnectTime, Buckets.SECONDS, upstream), Buckets.SECONDS,
                    connectNanos);
        }
        if (tlsNanos >= 0) {
            shard.observe(Layout.series(layout.upstreamTlsTime, Buckets.SECONDS, upstream), Buckets.SECONDS, tlsNanos);
        }
    }

    /** The origin's final head arrived {@code nanos} after the request was sent. */
    public void upstreamProcessed(int upstream, long nanos) {
        shard.observe(Layout.series(layout.upstreamProcessingTime, Buckets.SECONDS, upstream), Buckets.SECONDS, nanos);
    }

    /** The origin's response ended {@code nanos} after the request was sent. */
    public void upstreamResponded(int upstream, long nanos) {
        shard.observe(Layout.series(layout.upstreamResponseTime, Buckets.SECONDS, upstream), Buckets.SECONDS, nanos);
    }

    /** The attempt counted by {@link #upstreamConnected} no longer holds its connection. */
    public void upstreamReleased(int upstream) {
        shard.add(layout.upstreamInUse + upstream, -1);
    }

    /**
     * A cache plugin's verdict: {@code result} 0 hit, 1 miss, 2 stale, 3 expired
     * ({@link Layout#CACHE_RESULTS}).
     */
    public void cache(int plugin, int result) {
        shard.add(layout.cache + plugin * Layout.CACHE_RESULTS.size() + result, 1);
    }

    /** A limit plugin refused a request. */
    public void limitRefused(int plugin) {
        shard.add(layout.limitRefusals + plugin, 1);
    }
}
