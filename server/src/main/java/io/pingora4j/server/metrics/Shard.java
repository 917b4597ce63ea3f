package io.pingora4j.server.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One event loop's stripe of every counter and histogram: written only by its loop, read by the
 * scrape, which sums the stripes. No lock, no CAS, nothing allocated when recording.
 *
 * <p>Why the races are benign: each slot has a single writer (the loop that owns this shard), so
 * a read-add-store of it loses nothing. Stores are opaque ({@link VarHandle#setOpaque}): atomic for
 * a long, never torn, and bound to become visible to a scraping thread, which reads them opaque
 * too. A scrape may see one counter incremented and a related one not yet (a response counted
 * before its latency): figures are a moment old, never wrong for long.
 */
final class Shard {

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    /** Counters and gauges, laid out by {@link Layout}. */
    final long[] values;
    /** Histogram slots: per histogram series, the bucket counts, then the count, then the sum. */
    final long[] histograms;

    Shard(Layout layout) {
        this.values = new long[layout.values()];
        this.histograms = new long[layout.histogramSlots()];
    }

    /** Adds {@code delta} to value {@code i}; only the owning loop calls it. */
    void add(int i, long delta) {
        LONGS.setOpaque(values, i, values[i] + delta);
    }

    /** Records {@code value} into the histogram series starting at slot {@code base}. */
    void observe(int base, Buckets buckets, long value) {
        long[] h = histograms;
        int b = base + buckets.index(value);
        LONGS.setOpaque(h, b, h[b] + 1);
        int count = base + buckets.slots();
        LONGS.setOpaque(h, count, h[count] + 1);
        LONGS.setOpaque(h, count + 1, h[count + 1] + value);
    }

    static long read(long[] a, int i) {
        return (long) LONGS.getOpaque(a, i);
    }
}
