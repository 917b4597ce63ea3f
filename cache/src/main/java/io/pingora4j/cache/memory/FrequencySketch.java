package io.pingora4j.cache.memory;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A count-min sketch of 4-bit counters that estimates how often a key hash was seen recently
 * (the "TinyLFU" frequency filter).
 *
 * <p>Four rows of {@code width} counters, sixteen counters packed per {@code long}. An increment
 * raises, in each row, the key's counter only if it equals the current minimum of the key's four
 * counters ("conservative update": it keeps hot keys from inflating the counters of cold keys
 * that share a slot). Counters saturate at 15. After {@code 10 * width} increments every
 * counter is halved, so the sketch forgets old popularity: that is the aging step.
 *
 * <p>Thread-safety: lock-free and safe for any number of threads. Each counter word is updated
 * with a CAS, so no increment corrupts a neighbour. Races only make the estimate approximate:
 * two threads may both see the same minimum and both increment, or an increment may land just
 * before or just after a concurrent halving; either is a one-count error on a statistic that is
 * approximate by design.
 */
public final class FrequencySketch {

    private static final int ROWS = 4;
    private static final int MAX_COUNT = 15;
    private static final long RESET_MASK = 0x7777_7777_7777_7777L;
    private static final long[] ROW_SEEDS = {
        0x9E37_79B9_7F4A_7C15L, 0xC2B2_AE3D_27D4_EB4FL, 0x1656_67B1_9E37_79F9L, 0xD6E8_FEB8_6659_FD93L
    };

    private final AtomicLongArray table;
    private final int widthMask;
    private final int sampleSize;
    private final AtomicInteger additions = new AtomicInteger();

    /**
     * @param expectedEntries roughly how many distinct keys the cache holds; the width of each
     *     row is the next power of two at or above it (at least 16)
     */
    public FrequencySketch(long expectedEntries) {
        int width = (int) Math.min(1L << 26, Math.max(16L, Long.highestOneBit(Math.max(1L, expectedEntries - 1)) << 1));
        this.widthMask = width - 1;
        this.table = new AtomicLongArray(width * ROWS / 16);
        this.sampleSize = 10 * width;
    }

    /** Records one occurrence of {@code hash} and returns its estimated count afterwards. */
    public int increment(int hash) {
        int s0 = slot(hash, 0);
        int s1 = slot(hash, 1);
        int s2 = slot(hash, 2);
        int s3 = slot(hash, 3);
        int min = Math.min(Math.min(count(s0), count(s1)), Math.min(count(s2), count(s3)));
        if (min == MAX_COUNT) {
            return MAX_COUNT;
        }
        incrementIfEquals(s0, min);
        incrementIfEquals(s1, min);
        incrementIfEquals(s2, min);
        incrementIfEquals(s3, min);
        if (additions.incrementAndGet() == sampleSize) {
            halve();
        }
        return min + 1;
    }

    /** Estimated number of recent occurrences of {@code hash}, 0..15. */
    public int estimate(int hash) {
        int min = MAX_COUNT;
        for (int row = 0; row < ROWS; row++) {
            min = Math.min(min, count(slot(hash, row)));
        }
        return min;
    }

    /** Number of increments after which all counters are halved. */
    int sampleSize() {
        return sampleSize;
    }

    private int slot(int hash, int row) {
        long h = (hash + ROW_SEEDS[row]) * ROW_SEEDS[(row + 1) & 3];
        h ^= h >>> 29;
        h *= 0xBF58_476D_1CE4_E5B9L;
        h ^= h >>> 32;
        return row * (widthMask + 1) + ((int) h & widthMask);
    }

    private int count(int slot) {
        return (int) (table.get(slot >>> 4) >>> ((slot & 15) << 2)) & 0xF;
    }

    private void incrementIfEquals(int slot, int expected) {
        int word = slot >>> 4;
        int shift = (slot & 15) << 2;
        long current;
        do {
            current = table.get(word);
            if (((current >>> shift) & 0xF) != expected) {
                return;
            }
        } while (!table.compareAndSet(word, current, current + (1L << shift)));
    }

    /**
     * Ages the sketch. Only the thread whose increment reached {@code sampleSize} gets here, and
     * the counter is lowered afterwards, so halvings do not overlap in practice; if they did, a
     * counter would merely be halved twice.
     */
    private void halve() {
        for (int i = 0; i < table.length(); i++) {
            long current;
            do {
                current = table.get(i);
            } while (!table.compareAndSet(i, current, (current >>> 1) & RESET_MASK));
        }
        additions.addAndGet(-sampleSize / 2);
    }
}
