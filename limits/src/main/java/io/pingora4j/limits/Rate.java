package io.pingora4j.limits;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pingora's rate estimator: per-key event counts over fixed intervals, in count-min
 * sketches whose size is fixed by {@code (hashes, slots)} whatever the number of keys.
 * {@link #observe} adds events to the current interval and returns the key's estimate so
 * far; {@link #rate} returns the key's count in the previous, complete interval. Estimates
 * never undercount (see {@link CountMinSketch}); they overcount by hash collisions.
 *
 * <h2>Rotation</h2>
 * Intervals are numbered from construction by the injected clock. Pingora keeps two sketches
 * and clears the old one when it becomes current, which races with writers already counting
 * into it. We keep three, used in turn ({@code interval % 3}): the current, the previous, and
 * a spare. The thread that moves the interval number forward (one CAS; no lock) clears the
 * spare, which is the next interval's sketch and which nobody writes, so when time moves
 * one interval on, counting starts on an already-empty sketch and nothing is lost.
 * Only after two or more idle intervals must the new current sketch be cleared as it comes
 * into use; an observation racing that clear may be forgotten. That can only happen to the
 * first events after a long silence, and only makes a key look briefly quieter than it is.
 *
 * <p>Thread-safety: lock-free and allocation-free on {@link #observe}, {@link #rate} and
 * {@link #current}; share one instance among all event loops. Clearing a sketch on rotation
 * costs {@code hashes * slots} stores, once per interval, on whichever thread rotates.
 */
public final class Rate {

    private static final int SKETCHES = 3;

    private final NanoClock clock;
    private final long origin;
    private final long intervalNanos;
    private final KeyHasher hasher;
    private final CountMinSketch[] sketches = new CountMinSketch[SKETCHES];
    /** The newest interval number anyone has counted in; sketches are arranged for it. */
    private final AtomicLong interval = new AtomicLong();

    /**
     * A rate estimator with random hash seeds.
     *
     * @param interval the counting interval; positive
     * @param hashes   count-min rows (Pingora uses 4 or so)
     * @param slots    counters per row (about the number of busy keys expected)
     * @param clock    the time source
     */
    public Rate(Duration interval, int hashes, int slots, NanoClock clock) {
        this(interval, hashes, slots, clock, ThreadLocalRandom.current().nextLong());
    }

    /** As {@link #Rate(Duration, int, int, NanoClock)} with a fixed seed, for reproducible tests. */
    public Rate(Duration interval, int hashes, int slots, NanoClock clock, long seed) {
        long nanos = interval.toNanos();
        if (nanos < 1) {
            throw new IllegalArgumentException("interval must be positive: " + interval);
        }
        this.intervalNanos = nanos;
        this.hasher = new KeyHasher(seed);
        // All three sketches share row seeds: a key hashes to the same slots in each.
        for (int i = 0; i < SKETCHES; i++) {
            sketches[i] = new CountMinSketch(hashes, slots, seed ^ 0x6a09e667f3bcc908L);
        }
        this.clock = clock;
        this.origin = clock.nanoTime();
    }

    /**
     * Adds {@code events} for {@code key} to the current interval.
     *
     * @return the key's estimate in the current interval, these events included
     */
    public long observe(CharSequence key, long events) {
        return observeHash(hasher.hash(key), events);
    }

    /** As {@link #observe(CharSequence, long)} for a byte key. */
    public long observe(byte[] key, long events) {
        return observeHash(hasher.hash(key), events);
    }

    /** As {@link #observe(CharSequence, long)} for a numeric key. */
    public long observe(long key, long events) {
        return observeHash(hasher.hash(key), events);
    }

    /** As {@link #observe(CharSequence, long)} for a key already hashed with {@link #hasher()}. */
    public long observeHash(long keyHash, long events) {
        long now = intervalNow(clock.nanoTime());
        return sketchOf(now).add(keyHash, events);
    }

    /** @return the key's estimated event count over the previous (complete) interval */
    public long rate(CharSequence key) {
        return rateHash(hasher.hash(key));
    }

    /** As {@link #rate(CharSequence)} for a byte key. */
    public long rate(byte[] key) {
        return rateHash(hasher.hash(key));
    }

    /** As {@link #rate(CharSequence)} for a numeric key. */
    public long rate(long key) {
        return rateHash(hasher.hash(key));
    }

    /** As {@link #rate(CharSequence)} for a key already hashed with {@link #hasher()}. */
    public long rateHash(long keyHash) {
        return previousAt(keyHash, readInterval(clock.nanoTime()));
    }

    /** @return {@link #rate(CharSequence)} scaled to events per second */
    public double ratePerSecond(CharSequence key) {
        return perSecond(rate(key));
    }

    /** @return {@link #rate(byte[])} scaled to events per second */
    public double ratePerSecond(byte[] key) {
        return perSecond(rate(key));
    }

    /** @return {@link #rate(long)} scaled to events per second */
    public double ratePerSecond(long key) {
        return perSecond(rate(key));
    }

    /** @return the key's estimated count so far in the current interval, without adding to it */
    public long current(CharSequence key) {
        long keyHash = hasher.hash(key);
        return currentAt(keyHash, readInterval(clock.nanoTime()));
    }

    /** @return the hasher whose hashes {@link #observeHash} and {@link #rateHash} expect */
    public KeyHasher hasher() {
        return hasher;
    }

    /** @return the interval length in nanoseconds */
    public long intervalNanos() {
        return intervalNanos;
    }

    /** @return counters held across all sketches: fixed at construction, independent of keys */
    public long counterCount() {
        long total = 0;
        for (CountMinSketch sketch : sketches) {
            total += sketch.counterCount();
        }
        return total;
    }

    // ---- for KeyedRateLimiter: one clock reading, several questions ------------------------

    /** The interval number for {@code now}, rotating the sketches if it is new. */
    long intervalNow(long now) {
        long target = intervalAt(now);
        long seen = interval.get();
        while (target > seen) {
            if (interval.compareAndSet(seen, target)) {
                rotate(seen, target);
                return target;
            }
            seen = interval.get();
        }
        // seen >= target: a reading that lags a concurrent one counts in the newer interval.
        return seen;
    }

    /** The interval number for {@code now} as a reader sees it, without rotating. */
    long readInterval(long now) {
        return Math.max(intervalAt(now), interval.get());
    }

    long nanosIntoInterval(long now, long number) {
        long elapsed = now - origin - number * intervalNanos;
        return Math.min(Math.max(0, elapsed), intervalNanos - 1);
    }

    long currentAt(long keyHash, long number) {
        return interval.get() < number ? 0 : sketchOf(number).estimate(keyHash);
    }

    long previousAt(long keyHash, long number) {
        // The previous interval's sketch holds its counts only if someone counted in it or
        // after it; if the newest interval counted in is older than that, it was silent.
        // Interval 0 has no previous.
        return number == 0 || interval.get() < number - 1 ? 0 : sketchOf(number - 1).estimate(keyHash);
    }

    long addAt(long keyHash, long number, long events) {
        return sketchOf(number).add(keyHash, events);
    }

    private void rotate(long from, long to) {
        long gap = to - from;
        if (gap >= 2) {
            // Stale counts from several intervals back sit in what is now current (and, for
            // gaps of 3 or more, previous). Clearing the current one races writers of `to`:
            // see the class comment.
            sketchOf(to).clear();
            if (gap >= 3) {
                sketchOf(to - 1).clear();
            }
        }
        // The spare: next interval's sketch, nobody writes it during `to`.
        sketchOf(to + 1).clear();
    }

    private CountMinSketch sketchOf(long number) {
        return sketches[(int) (number % SKETCHES)];
    }

    private long intervalAt(long now) {
        return Math.max(0, now - origin) / intervalNanos;
    }

    private double perSecond(long count) {
        return count * 1e9 / intervalNanos;
    }
}
