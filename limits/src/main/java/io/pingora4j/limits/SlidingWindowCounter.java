package io.pingora4j.limits;

import java.time.Duration;

/**
 * A sliding-window counter: a request is allowed when the current window's count plus
 * the previous window's count, weighted by the share of the previous window still inside
 * a window-long interval ending now, stays within {@code max}. Halfway through a window,
 * half of the previous window still counts; at its end, none. This is the two-counter
 * approximation of a true sliding log (Cloudflare's and Pingap's {@code weight}), with
 * exact integer arithmetic.
 *
 * <p>Thread-safety: lock-free; any number of threads may call any method. Acquiring is a
 * CAS on the window's count and allocates nothing; the first acquisition of a new window
 * allocates one small window object. Admitted requests are never lost across a rollover.
 */
public final class SlidingWindowCounter {

    private final WindowLedger ledger;

    /**
     * @param max    permits allowed per window; at least 1
     * @param window the window length; positive
     * @param clock  the time source
     */
    public SlidingWindowCounter(long max, Duration window, NanoClock clock) {
        this.ledger = new WindowLedger(max, window, 1.0, clock);
    }

    /** Takes one permit if allowed now. */
    public boolean tryAcquire() {
        return ledger.tryAcquire(1);
    }

    /**
     * Takes {@code n} permits if all are allowed now; otherwise takes none.
     *
     * @param n permits wanted; at least 1
     */
    public boolean tryAcquire(long n) {
        return ledger.tryAcquire(n);
    }

    /**
     * How long until {@code n} permits would be allowed if nothing else arrives: the value
     * for a Retry-After.
     *
     * @return 0 if allowed now, {@link Long#MAX_VALUE} if {@code n > max}
     */
    public long nanosUntilAllowed(long n) {
        return ledger.nanosUntilAllowed(n);
    }

    /** @return the count the next request is measured against, now */
    public long used() {
        return ledger.used();
    }

    /** @return the permits allowed per window */
    public long max() {
        return ledger.max();
    }
}
