package io.pingora4j.lb;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Per-backend circuit breaker, after Pingap's:
 *
 * <pre>
 *   CLOSED    --N consecutive failures, or failures &gt;= P% of &gt;= M requests in the window--&gt; OPEN
 *   OPEN      --openDuration elapsed, next tryAcquire------------------------------------&gt; HALF_OPEN
 *   HALF_OPEN --halfOpenProbes successes-------------------------------------------------&gt; CLOSED
 *   HALF_OPEN --any failure--------------------------------------------------------------&gt; OPEN
 * </pre>
 *
 * Usage: call {@link #tryAcquire()} before sending a request (false = do not send), then exactly
 * one of {@link #onSuccess()} / {@link #onFailure()} when it ends. Selectors use the side-effect-free
 * {@link #isCallPermitted()} to skip an open backend; the engine still calls {@code tryAcquire} on
 * the chosen one, because in HALF_OPEN only a limited number of probes may go through.
 *
 * <p>Results of requests admitted while CLOSED that end after the breaker opened are ignored in
 * OPEN; in HALF_OPEN they count as probe results. That can close the breaker one probe early, which
 * we accept rather than tagging every request with a generation.
 *
 * <p>If HALF_OPEN probes never report (a request was dropped without an outcome), the breaker would
 * stay half-open forever; so after another {@code openDuration} in HALF_OPEN a fresh batch of probes
 * is allowed.
 *
 * <p>Thread-safe. The CLOSED fast path of {@link #tryAcquire()} and {@link #isCallPermitted()} is one
 * volatile read; results and transitions take this object's monitor for a few field updates.
 */
public final class CircuitBreaker {

    public enum State { CLOSED, OPEN, HALF_OPEN }

    /**
     * @param consecutiveFailures open after this many failures in a row; 0 disables this trigger
     * @param failurePercent      open when failures reach this percentage (1..100) of the requests in the
     *                            current window; 0 disables this trigger
     * @param minRequests         the percentage trigger needs at least this many requests in the window
     * @param window              length of the fixed counting window for the percentage trigger
     * @param openDuration        how long the breaker stays OPEN before letting probes through
     * @param halfOpenProbes      requests let through in HALF_OPEN; this many successes close the breaker
     */
    public record Policy(int consecutiveFailures, int failurePercent, int minRequests, Duration window,
                         Duration openDuration, int halfOpenProbes) {
        public Policy {
            Objects.requireNonNull(window, "window");
            Objects.requireNonNull(openDuration, "openDuration");
            if (consecutiveFailures < 0) {
                throw new IllegalArgumentException("circuit breaker consecutive failures " + consecutiveFailures + " must be >= 0");
            }
            if (failurePercent < 0 || failurePercent > 100) {
                throw new IllegalArgumentException("circuit breaker failure percent " + failurePercent + " is not in 0..100");
            }
            if (consecutiveFailures == 0 && failurePercent == 0) {
                throw new IllegalArgumentException("circuit breaker needs consecutive failures or a failure percent");
            }
            if (minRequests < 1) {
                throw new IllegalArgumentException("circuit breaker min requests " + minRequests + " must be >= 1");
            }
            if (failurePercent > 0 && (window.isZero() || window.isNegative())) {
                throw new IllegalArgumentException("circuit breaker window " + window + " must be positive");
            }
            if (openDuration.isZero() || openDuration.isNegative()) {
                throw new IllegalArgumentException("circuit breaker open duration " + openDuration + " must be positive");
            }
            if (halfOpenProbes < 1) {
                throw new IllegalArgumentException("circuit breaker half-open probes " + halfOpenProbes + " must be >= 1");
            }
        }
    }

    private final Policy policy;
    private final LongSupplier nanoClock;
    private final long windowNanos;
    private final long openNanos;

    private volatile State state = State.CLOSED;
    /** When OPEN: the instant it may go HALF_OPEN. When HALF_OPEN: when this batch of probes started. */
    private volatile long stateSinceNanos;
    /** HALF_OPEN probes handed out in this batch; volatile so {@link #isCallPermitted()} can peek. */
    private volatile int probesIssued;

    // guarded by this
    private int consecutive;
    private long windowStartNanos;
    private int windowRequests;
    private int windowFailures;
    private int probeSuccesses;
    private long timesOpened;

    public CircuitBreaker(Policy policy, LongSupplier nanoClock) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.windowNanos = policy.window().toNanos();
        this.openNanos = policy.openDuration().toNanos();
        this.windowStartNanos = nanoClock.getAsLong();
    }

    /** The current state, for metrics. OPEN stays OPEN after its duration until the next {@link #tryAcquire()}. */
    public State state() {
        return state;
    }

    /** How many times the breaker has opened, for metrics. */
    public synchronized long timesOpened() {
        return timesOpened;
    }

    /** Whether {@link #tryAcquire()} would let a request through now. No side effects. */
    public boolean isCallPermitted() {
        State s = state;
        if (s == State.CLOSED) {
            return true;
        }
        long elapsed = nanoClock.getAsLong() - stateSinceNanos;
        if (s == State.OPEN) {
            return elapsed >= openNanos;
        }
        return probesIssued < policy.halfOpenProbes() || elapsed >= openNanos;
    }

    /** Asks to send one request; false means the breaker refuses it (fail fast or pick another backend). */
    public boolean tryAcquire() {
        if (state == State.CLOSED) {
            return true;
        }
        synchronized (this) {
            long now = nanoClock.getAsLong();
            if (state == State.OPEN) {
                if (now - stateSinceNanos < openNanos) {
                    return false;
                }
                enterHalfOpen(now);
            }
            if (state == State.HALF_OPEN) {
                if (probesIssued >= policy.halfOpenProbes()) {
                    if (now - stateSinceNanos < openNanos) {
                        return false;
                    }
                    enterHalfOpen(now); // the last batch never reported back: try a new one
                }
                probesIssued++;
                return true;
            }
            return true; // closed while we waited for the lock
        }
    }

    /** The request admitted by {@link #tryAcquire()} succeeded. */
    public synchronized void onSuccess() {
        switch (state) {
            case CLOSED -> {
                consecutive = 0;
                countInWindow(false);
            }
            case HALF_OPEN -> {
                if (++probeSuccesses >= policy.halfOpenProbes()) {
                    close();
                }
            }
            case OPEN -> { } // a straggler from before the breaker opened: the decision is already made
        }
    }

    /** The request admitted by {@link #tryAcquire()} failed (connect error, timeout, 5xx: the caller decides). */
    public synchronized void onFailure() {
        switch (state) {
            case CLOSED -> {
                consecutive++;
                countInWindow(true);
                if (policy.consecutiveFailures() > 0 && consecutive >= policy.consecutiveFailures()) {
                    open(nanoClock.getAsLong());
                } else if (policy.failurePercent() > 0 && windowRequests >= policy.minRequests()
                        && (long) windowFailures * 100 >= (long) policy.failurePercent() * windowRequests) {
                    open(nanoClock.getAsLong());
                }
            }
            case HALF_OPEN -> open(nanoClock.getAsLong());
            case OPEN -> { }
        }
    }

    private void countInWindow(boolean failure) {
        if (policy.failurePercent() == 0) {
            return;
        }
        long now = nanoClock.getAsLong();
        if (now - windowStartNanos >= windowNanos) {
            windowStartNanos = now;
            windowRequests = 0;
            windowFailures = 0;
        }
        windowRequests++;
        if (failure) {
            windowFailures++;
        }
    }

    private void open(long now) {
        timesOpened++;
        stateSinceNanos = now;
        state = State.OPEN;
    }

    private void enterHalfOpen(long now) {
        probesIssued = 0;
        probeSuccesses = 0;
        stateSinceNanos = now;
        state = State.HALF_OPEN;
    }

    private void close() {
        consecutive = 0;
        windowStartNanos = nanoClock.getAsLong();
        windowRequests = 0;
        windowFailures = 0;
        state = State.CLOSED;
    }

    @Override
    public String toString() {
        return "CircuitBreaker[" + state + "]";
    }
}
