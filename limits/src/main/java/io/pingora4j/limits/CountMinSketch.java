package io.pingora4j.limits;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A count-min sketch of atomic counters: {@code rows} independent hash rows of
 * {@code slots} counters each, all in one flat {@link AtomicLongArray}. A key adds its
 * delta to one counter per row; its estimate is the minimum over its counters. Other keys
 * sharing a counter can only add to it, so as long as every key's own total is
 * non-negative the estimate never undercounts; it overcounts by the collisions in the
 * least crowded row.
 *
 * <p>Memory is fixed at construction ({@code rows * slots} longs) and does not grow with
 * the number of keys.
 *
 * <p>Keys arrive pre-hashed (see {@link KeyHasher}); each row re-mixes that hash with its
 * own seed to pick its slot.
 *
 * <p>Thread-safety: lock-free and allocation-free; {@link #add} and {@link #estimate} may
 * be called from any number of threads. {@link #clear} is not atomic with respect to
 * concurrent adds: an add racing a clear may survive it in some rows and not others, which
 * its owner must tolerate (see {@link Rate}).
 */
public final class CountMinSketch {

    private final int rows;
    private final int slots;
    private final long[] rowSeeds;
    private final AtomicLongArray counters;

    /**
     * @param rows  hash rows (more rows: fewer overcounts, more work per add); 1 to 16
     * @param slots counters per row (more slots: fewer collisions)
     * @param seed  seeds the per-row hash seeds
     */
    public CountMinSketch(int rows, int slots, long seed) {
        if (rows < 1 || rows > 16) {
            throw new IllegalArgumentException("rows must be 1..16: " + rows);
        }
        if (slots < 1 || (long) rows * slots > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("slots out of range: " + slots);
        }
        this.rows = rows;
        this.slots = slots;
        this.rowSeeds = new long[rows];
        SplittableRandom random = new SplittableRandom(seed);
        for (int r = 0; r < rows; r++) {
            rowSeeds[r] = random.nextLong();
        }
        this.counters = new AtomicLongArray(rows * slots);
    }

    /**
     * Adds {@code delta} to the key's counters.
     *
     * @return the key's estimate after the add (the minimum over its rows)
     */
    public long add(long keyHash, long delta) {
        long min = Long.MAX_VALUE;
        for (int r = 0; r < rows; r++) {
            long value = counters.addAndGet(index(r, keyHash), delta);
            if (value < min) {
                min = value;
            }
        }
        return min;
    }

    /** @return the key's estimate: never below its true count, see the class comment */
    public long estimate(long keyHash) {
        long min = Long.MAX_VALUE;
        for (int r = 0; r < rows; r++) {
            long value = counters.get(index(r, keyHash));
            if (value < min) {
                min = value;
            }
        }
        return min;
    }

    /** Zeroes every counter. Not atomic: see the class comment. */
    public void clear() {
        for (int i = 0, n = counters.length(); i < n; i++) {
            counters.set(i, 0);
        }
    }

    /** @return the number of hash rows */
    public int rows() {
        return rows;
    }

    /** @return the number of counters per row */
    public int slots() {
        return slots;
    }

    /** @return the number of counters held, {@code rows * slots}: fixed for life */
    public int counterCount() {
        return counters.length();
    }

    private int index(int row, long keyHash) {
        long h = KeyHasher.mix64(keyHash ^ rowSeeds[row]);
        // Lemire's multiply-shift maps the top 32 bits uniformly onto [0, slots) without a division.
        int slot = (int) (((h >>> 32) * slots) >>> 32);
        return row * slots + slot;
    }
}
