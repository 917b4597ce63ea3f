package io.pingora4j.limits;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;

/**
 * A token bucket: holds at most {@code capacity} tokens, starts full, and refills
 * {@code refillTokens} every {@code refillPeriod}, continuously (a token becomes available
 * the nanosecond its share of the period has elapsed).
 *
 * <h2>Exact accounting</h2>
 * The state is one {@code long}, a <em>watermark</em> counted in tokens: the index of the
 * last token handed out, where token {@code k} is refilled at the instant
 * {@code ceil(k * period / refillTokens)} after construction. The number of tokens refilled
 * by time {@code t} is always recomputed from the absolute elapsed time as
 * {@code floor(t * refillTokens / period)}, so no fraction of a token is ever rounded away
 * and a million tiny steps refill exactly what one big step would. Refill beyond capacity
 * is discarded by raising the watermark to at least {@code refilled(t)} before spending.
 * Tokens available at {@code t}: {@code capacity - max(0, watermark - refilled(t))}.
 *
 * <p>The rate is reduced by its gcd at construction; {@code refillTokens * periodNanos}
 * (reduced) must fit in a {@code long}.
 *
 * <p>Thread-safety: lock-free and allocation-free. Any number of threads may call any
 * method; an acquisition is a single CAS on the watermark, so concurrent callers can never
 * together take more than {@code capacity} plus what has been refilled.
 */
public final class TokenBucket {

    private static final VarHandle WATERMARK;

    static {
        try {
            WATERMARK = MethodHandles.lookup().findVarHandle(TokenBucket.class, "watermark", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final NanoClock clock;
    private final long origin;
    private final long capacity;
    /** Tokens per {@link #periodNanos}, both divided by their gcd. */
    private final long tokensPerPeriod;
    private final long periodNanos;

    /** Index of the last token handed out; see the class comment. Only moves up. */
    @SuppressWarnings("unused") // accessed through WATERMARK
    private volatile long watermark;

    /**
     * @param capacity     the most tokens the bucket holds (and its initial content); at least 1
     * @param refillTokens tokens added per {@code refillPeriod}; at least 1
     * @param refillPeriod the period over which {@code refillTokens} are added; positive
     * @param clock        the time source
     */
    public TokenBucket(long capacity, long refillTokens, Duration refillPeriod, NanoClock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        if (refillTokens < 1) {
            throw new IllegalArgumentException("refillTokens must be at least 1: " + refillTokens);
        }
        long period = refillPeriod.toNanos();
        if (period < 1) {
            throw new IllegalArgumentException("refillPeriod must be positive: " + refillPeriod);
        }
        long gcd = gcd(refillTokens, period);
        this.tokensPerPeriod = refillTokens / gcd;
        this.periodNanos = period / gcd;
        if (Math.multiplyHigh(tokensPerPeriod, periodNanos) != 0 || tokensPerPeriod * periodNanos < 0) {
            throw new IllegalArgumentException("refill rate too fine-grained: "
                    + refillTokens + " per " + refillPeriod);
        }
        this.capacity = capacity;
        this.clock = clock;
        this.origin = clock.nanoTime();
    }

    /** Takes one token if one is available now. */
    public boolean tryAcquire() {
        return tryAcquire(1);
    }

    /**
     * Takes {@code n} tokens if all are available now; otherwise takes none.
     *
     * @param n tokens wanted; at least 1
     * @return whether the tokens were taken
     */
    public boolean tryAcquire(long n) {
        checkPermits(n);
        if (n > capacity) {
            return false;
        }
        long refilled = refilledAt(clock.nanoTime());
        for (;;) {
            long mark = (long) WATERMARK.getVolatile(this);
            long next = Math.max(mark, refilled) + n;
            if (next - refilled > capacity) {
                return false;
            }
            if (WATERMARK.compareAndSet(this, mark, next)) {
                return true;
            }
            // Lost a race with another acquirer: re-read the watermark. Our clock reading may now
            // be older than the winner's; that only makes us more conservative, never over-grant.
        }
    }

    /**
     * How long until {@code n} tokens would be available if nobody else takes any: the value
     * for a Retry-After.
     *
     * @return 0 if they are available now, {@link Long#MAX_VALUE} if {@code n > capacity}
     */
    public long nanosUntil(long n) {
        checkPermits(n);
        if (n > capacity) {
            return Long.MAX_VALUE;
        }
        long elapsed = elapsedAt(clock.nanoTime());
        long refilled = refilled(elapsed);
        long mark = (long) WATERMARK.getVolatile(this);
        long needRefilled = Math.max(mark, refilled) + n - capacity;
        if (needRefilled <= refilled) {
            return 0;
        }
        return timeOfToken(needRefilled) - elapsed;
    }

    /** @return the tokens available now */
    public long availableTokens() {
        long refilled = refilledAt(clock.nanoTime());
        long mark = (long) WATERMARK.getVolatile(this);
        return capacity - Math.max(0, mark - refilled);
    }

    /** @return the most tokens the bucket holds */
    public long capacity() {
        return capacity;
    }

    private long refilledAt(long now) {
        return refilled(elapsedAt(now));
    }

    private long elapsedAt(long now) {
        // A reading behind the origin (a clock that is not quite monotonic) counts as the origin.
        return Math.max(0, now - origin);
    }

    /** floor(elapsed * tokensPerPeriod / periodNanos), without overflowing the product. */
    private long refilled(long elapsed) {
        return (elapsed / periodNanos) * tokensPerPeriod
                + (elapsed % periodNanos) * tokensPerPeriod / periodNanos;
    }

    /** The earliest elapsed time at which {@code refilled(t) >= tokens}: ceil(tokens * period / rate). */
    private long timeOfToken(long tokens) {
        long whole = tokens / tokensPerPeriod;
        long rest = tokens % tokensPerPeriod;
        return whole * periodNanos + (rest * periodNanos + tokensPerPeriod - 1) / tokensPerPeriod;
    }

    private static void checkPermits(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("permits must be at least 1: " + n);
        }
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
