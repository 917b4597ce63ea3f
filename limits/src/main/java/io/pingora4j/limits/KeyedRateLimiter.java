package io.pingora4j.limits;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Limits requests per key per interval (Pingap's {@code limit} plugin with
 * {@code type = "rate"}, keys {@code max}, {@code interval}, {@code weight}), counting in a
 * {@link Rate} count-min estimator so memory is fixed by {@code (hashes, slots)} whatever
 * the number of keys.
 *
 * <p>A request is measured against the key's count so far in the current interval plus the
 * previous interval's count times {@code weight} times the share of the previous interval
 * still inside an interval-long window ending now. {@code weight = 1} is a sliding window;
 * {@code weight = 0} counts the current interval only (a fixed window). The request is
 * refused when admitting it would take that measure above {@code max}. Refused requests are
 * not counted, so a client that keeps retrying is admitted again as soon as its rate falls.
 * Estimates never undercount, so a key is never let past {@code max} by the sketch; collisions
 * may refuse a key early.
 *
 * <p>Check-then-count is not one atomic step: concurrent requests for one key on different
 * threads can each see room for one, so a key may exceed {@code max} by at most the number
 * of threads racing at the boundary.
 *
 * <p>Thread-safety: lock-free and allocation-free on {@link #tryAcquire(CharSequence)};
 * share one instance among all event loops. The Retry-After computation is a cold path
 * (a bounded binary search), also allocation-free.
 */
public final class KeyedRateLimiter {

    private final long max;
    private final double weight;
    private final Rate rate;
    private final NanoClock clock;

    /**
     * @param max      requests allowed per interval per key; at least 0 (0 refuses everything)
     * @param interval the interval; positive
     * @param weight   share of the previous interval that counts, 0 to 1
     * @param hashes   count-min rows
     * @param slots    counters per row
     * @param clock    the time source
     */
    public KeyedRateLimiter(long max, Duration interval, double weight, int hashes, int slots, NanoClock clock) {
        this(max, interval, weight, hashes, slots, clock, ThreadLocalRandom.current().nextLong());
    }

    /** As {@link #KeyedRateLimiter(long, Duration, double, int, int, NanoClock)} with a fixed seed. */
    public KeyedRateLimiter(long max, Duration interval, double weight, int hashes, int slots,
                            NanoClock clock, long seed) {
        if (max < 0) {
            throw new IllegalArgumentException("max must not be negative: " + max);
        }
        if (!(weight >= 0.0 && weight <= 1.0)) {
            throw new IllegalArgumentException("weight must be within 0..1: " + weight);
        }
        this.max = max;
        this.weight = weight;
        this.clock = clock;
        this.rate = new Rate(interval, hashes, slots, clock, seed);
    }

    /** Admits one request for {@code key} if it is within its rate, and counts it. */
    public boolean tryAcquire(CharSequence key) {
        return tryAcquireHash(rate.hasher().hash(key));
    }

    /** As {@link #tryAcquire(CharSequence)} for a byte key. */
    public boolean tryAcquire(byte[] key) {
        return tryAcquireHash(rate.hasher().hash(key));
    }

    /** As {@link #tryAcquire(CharSequence)} for a numeric key. */
    public boolean tryAcquire(long key) {
        return tryAcquireHash(rate.hasher().hash(key));
    }

    /** As {@link #tryAcquire(CharSequence)} for a key already hashed with {@link #hasher()}. */
    public boolean tryAcquireHash(long keyHash) {
        long now = clock.nanoTime();
        long number = rate.intervalNow(now);
        if (measure(keyHash, number, now) + 1 > max) {
            return false;
        }
        rate.addAt(keyHash, number, 1);
        return true;
    }

    /** @return the key's measure now (see the class comment), without counting a request */
    public long estimate(CharSequence key) {
        long keyHash = rate.hasher().hash(key);
        long now = clock.nanoTime();
        return measure(keyHash, rate.readInterval(now), now);
    }

    /**
     * How long until one more request for {@code key} would be admitted if it sends nothing
     * meanwhile; 0 if it would be admitted now.
     */
    public long retryAfterNanos(CharSequence key) {
        return retryAfterNanosHash(rate.hasher().hash(key));
    }

    /** As {@link #retryAfterNanos(CharSequence)} for a key already hashed with {@link #hasher()}. */
    public long retryAfterNanosHash(long keyHash) {
        long now = clock.nanoTime();
        long number = rate.readInterval(now);
        return WindowArithmetic.nanosUntilRoom(rate.previousAt(keyHash, number), rate.currentAt(keyHash, number),
                rate.nanosIntoInterval(now, number), rate.intervalNanos(), weight, max, 1);
    }

    /**
     * {@link #retryAfterNanos(CharSequence)} rounded up to whole seconds, for a
     * {@code Retry-After} header; 0 if the key would be admitted now.
     */
    public long retryAfterSeconds(CharSequence key) {
        return WindowArithmetic.ceilSeconds(retryAfterNanos(key));
    }

    /** As {@link #retryAfterSeconds(CharSequence)} for a key already hashed with {@link #hasher()}. */
    public long retryAfterSecondsHash(long keyHash) {
        return WindowArithmetic.ceilSeconds(retryAfterNanosHash(keyHash));
    }

    /** @return the hasher whose hashes the {@code ...Hash} methods expect */
    public KeyHasher hasher() {
        return rate.hasher();
    }

    /** @return requests allowed per interval per key */
    public long max() {
        return max;
    }

    /** @return counters held: fixed at construction, independent of keys */
    public long counterCount() {
        return rate.counterCount();
    }

    private long measure(long keyHash, long number, long now) {
        long previous = weight == 0.0 ? 0 : rate.previousAt(keyHash, number);
        return WindowArithmetic.weighted(previous, weight, rate.nanosIntoInterval(now, number), rate.intervalNanos())
                + rate.currentAt(keyHash, number);
    }
}
