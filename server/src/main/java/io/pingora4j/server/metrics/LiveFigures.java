package io.pingora4j.server.metrics;

import java.time.Duration;

/**
 * The figures of the last minute, for people and admin pages: {@link #sample()} once a second
 * (the observability thread does) keeps a ring of {@link Figures}; rates and latency quantiles over
 * a recent window are differences of two of them. No Prometheus involved.
 *
 * <p>Thread-safe: sampling and reading synchronise on the ring (a few times a second at most).
 */
public final class LiveFigures {

    /** Seconds of history kept. */
    public static final int SECONDS = 60;

    private final ProxyMetrics metrics;
    private final Figures[] ring = new Figures[SECONDS + 1];
    private int next;
    private int size;

    public LiveFigures(ProxyMetrics metrics) {
        this.metrics = metrics;
    }

    /** Takes a snapshot now (call about once a second). */
    public void sample() {
        Figures f = metrics.figures();
        synchronized (ring) {
            ring[next] = f;
            next = (next + 1) % ring.length;
            size = Math.min(size + 1, ring.length);
        }
    }

    /** The figures this moment (counters summed now, not the last sample). */
    public Figures current() {
        return metrics.figures();
    }

    /** The latest sample (taken now if none was sampled yet). */
    public Figures now() {
        synchronized (ring) {
            if (size > 0) {
                return ring[(next - 1 + ring.length) % ring.length];
            }
        }
        return metrics.figures();
    }

    /** The snapshot closest to {@code window} before the latest, or null with fewer than two. */
    private Figures before(Duration window) {
        synchronized (ring) {
            if (size < 2) {
                return null;
            }
            int back = (int) Math.min(size - 1, Math.max(1, window.toSeconds()));
            return ring[(next - 1 - back + 2 * ring.length) % ring.length];
        }
    }

    /** Requests per second over the last {@code window} (up to a minute); 0 before two samples. */
    public double requestsPerSecond(Duration window) {
        Figures earlier = before(window);
        return earlier == null ? 0 : now().ratePerSecond(earlier);
    }

    /** The {@code q} quantile of response time in seconds over the last {@code window}; 0 without requests. */
    public double latencyQuantileSeconds(double q, Duration window) {
        Figures earlier = before(window);
        Figures latest = now();
        if (earlier == null) {
            return latest.latencyQuantileSeconds(q);
        }
        long[] d = new long[latest.latency().length];
        for (int i = 0; i < d.length; i++) {
            d[i] = latest.latency()[i] - earlier.latency()[i];
        }
        return Figures.quantile(d, Buckets.SECONDS, q);
    }
}
