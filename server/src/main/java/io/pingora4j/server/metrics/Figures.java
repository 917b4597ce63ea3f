package io.pingora4j.server.metrics;

import java.util.List;

/**
 * The proxy's live figures at one moment, as plain numbers (no Prometheus text): what the stats
 * plugin shows and what an admin page reads. Counters are totals since the process started; take
 * two snapshots for rates.
 *
 * @param nanoTime      {@link System#nanoTime()} when taken
 * @param accepted      requests received
 * @param processing    requests in flight
 * @param locations     the same per location, in configuration order
 * @param statusClasses responses by class: index 1 = 1xx ... 5 = 5xx (index 0 unused)
 * @param latency       response time histogram of every location: counts per {@link Buckets#SECONDS}
 *                      slot, then the count, then the sum in nanoseconds
 */
public record Figures(long nanoTime, long accepted, long processing, List<LocationFigures> locations,
                      long[] statusClasses, long[] latency) {

    /** One location's requests received and in flight. */
    public record LocationFigures(String name, long accepted, long processing) {
    }

    /** Requests per second between {@code earlier} and this snapshot; 0 when no time passed. */
    public double ratePerSecond(Figures earlier) {
        long dt = nanoTime - earlier.nanoTime;
        return dt <= 0 ? 0 : (accepted - earlier.accepted) * 1e9 / dt;
    }

    /** Responses timed. */
    public long latencyCount() {
        return latency[latency.length - 2];
    }

    /** Mean response time in seconds; 0 before any. */
    public double latencyMeanSeconds() {
        long n = latencyCount();
        return n == 0 ? 0 : latency[latency.length - 1] / 1e9 / n;
    }

    /**
     * The {@code q} quantile of response time in seconds, interpolated within its bucket as
     * Prometheus's {@code histogram_quantile} does (so as exact as the buckets); 0 before any.
     */
    public double latencyQuantileSeconds(double q) {
        return quantile(latency, Buckets.SECONDS, q);
    }

    static double quantile(long[] h, Buckets buckets, double q) {
        long total = h[buckets.slots()];
        if (total == 0) {
            return 0;
        }
        double rank = q * total;
        long seen = 0;
        for (int i = 0; i < buckets.slots(); i++) {
            long inBucket = h[i];
            if (seen + inBucket >= rank && inBucket > 0) {
                double lower = i == 0 ? 0 : buckets.upperBound(i - 1);
                double upper = buckets.upperBound(i);
                if (Double.isInfinite(upper)) {
                    return lower; // as histogram_quantile: the highest finite bound
                }
                return lower + (upper - lower) * ((rank - seen) / inBucket);
            }
            seen += inBucket;
        }
        return buckets.upperBound(buckets.slots() - 2);
    }
}
