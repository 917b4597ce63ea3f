package io.pingora4j.server.metrics;

/**
 * The fixed upper bounds of a histogram's buckets, chosen once for every series that uses them, so
 * recording is an index search over a few longs and the scrape writes Prometheus's cumulative
 * {@code _bucket} lines from the counts. Immutable.
 */
public final class Buckets {

    /** Durations in nanoseconds, printed in seconds: 1 ms to 30 s (a proxy's answers are fast). */
    public static final Buckets SECONDS = new Buckets(1e-9, 1_000_000L, 2_500_000L, 5_000_000L, 10_000_000L,
            25_000_000L, 50_000_000L, 100_000_000L, 250_000_000L, 500_000_000L, 1_000_000_000L, 2_500_000_000L,
            5_000_000_000L, 10_000_000_000L, 30_000_000_000L);

    /** Sizes in bytes: 1 KiB to 64 MiB. */
    public static final Buckets BYTES = new Buckets(1, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304,
            16_777_216, 67_108_864);

    private final long[] bounds;
    /** What a recorded value is multiplied by when printed (nanoseconds to seconds: 1e-9). */
    private final double scale;

    private Buckets(double scale, long... bounds) {
        this.scale = scale;
        this.bounds = bounds.clone();
    }

    /** Buckets with upper bounds in recorded units (inclusive), printed times {@code scale}. */
    public static Buckets of(double scale, long... bounds) {
        for (int i = 1; i < bounds.length; i++) {
            if (bounds[i] <= bounds[i - 1]) {
                throw new IllegalArgumentException("bucket bounds must increase");
            }
        }
        return new Buckets(scale, bounds);
    }

    /** Slots a series takes: one per bound, plus +Inf. */
    public int slots() {
        return bounds.length + 1;
    }

    /** The slot of {@code value}: the first bound it does not exceed, or the +Inf slot. */
    public int index(long value) {
        long[] b = bounds;
        for (int i = 0; i < b.length; i++) {
            if (value <= b[i]) {
                return i;
            }
        }
        return b.length;
    }

    /** The upper bound of slot {@code i} in printed units; +Inf for the last. */
    public double upperBound(int i) {
        return i < bounds.length ? bounds[i] * scale : Double.POSITIVE_INFINITY;
    }

    public double scale() {
        return scale;
    }
}
