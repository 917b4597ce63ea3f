package io.pingora4j.lb;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Health state machine of one backend: UP or DOWN, plus the slow-start ramp after recovery.
 *
 * <pre>
 *   UP   --failureThreshold consecutive failed active checks------------&gt; DOWN
 *   UP   --passiveFailureThreshold consecutive failed real requests------&gt; DOWN
 *   DOWN --successThreshold consecutive passing active checks------------&gt; UP (ramping)
 * </pre>
 *
 * Passive signals only take a backend down; only active checks bring it back, because real
 * traffic no longer reaches a down backend and so cannot prove it healthy.
 *
 * <p>A backend starts UP at full weight (as Pingora's do): at process start there is nothing to
 * ramp from. After a recovery its {@linkplain #effectiveWeight effective weight} grows linearly from
 * 10% to 100% of its configured weight over {@link HealthPolicy#slowStart()}, so a cold backend is
 * not flooded with its full share at once.
 *
 * <p>Thread-safe. {@link #isUp()} and {@link #effectiveWeight} are volatile reads (plus a clock read
 * while ramping), called by selectors on every pick. Active-check results arrive from the checker
 * thread under {@code synchronized}; passive results arrive from every event loop and take the lock
 * only when they change the state, so a stream of successes costs one volatile read each.
 */
public final class BackendHealth {

    /**
     * Effective weights are in units of 1/WEIGHT_SCALE of a configured weight point, so that a
     * ramping backend of weight 1 can receive a fraction of its share. Every weighted selector
     * here is scale-invariant (smooth WRR, weighted random, in-flight/weight), so scaling all
     * weights by the same factor changes nothing else.
     */
    public static final int WEIGHT_SCALE = 100;

    /** The fraction of its weight, in percent, a backend gets at the very start of slow start. */
    static final int SLOW_START_FLOOR_PERCENT = 10;

    public enum State { UP, DOWN }

    private final HealthPolicy policy;
    private final LongSupplier nanoClock;
    private final long slowStartNanos;

    private volatile boolean up = true;
    /** Written before {@link #up} becomes true; read only while {@link #ramping}. */
    private volatile long upSinceNanos;
    /** Cleared by whichever reader first sees the ramp over; the race is benign (same value). */
    private volatile boolean ramping;

    private final AtomicInteger passiveFailures = new AtomicInteger();
    private int activeSuccesses; // guarded by this
    private int activeFailures;  // guarded by this

    public BackendHealth(HealthPolicy policy, LongSupplier nanoClock) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.slowStartNanos = policy.slowStart().toNanos();
    }

    public boolean isUp() {
        return up;
    }

    public State state() {
        return up ? State.UP : State.DOWN;
    }

    /** True while a recovered backend has not yet reached its full weight. */
    public boolean isRamping() {
        return up && ramping && nanoClock.getAsLong() - upSinceNanos < slowStartNanos;
    }

    /**
     * The weight selectors should use now, in units of 1/{@link #WEIGHT_SCALE}: 0 when down,
     * {@code configuredWeight * WEIGHT_SCALE} when fully up, and in between during slow start.
     */
    public int effectiveWeight(int configuredWeight) {
        if (!up) {
            return 0;
        }
        int full = configuredWeight * WEIGHT_SCALE;
        if (!ramping) {
            return full;
        }
        long elapsed = nanoClock.getAsLong() - upSinceNanos;
        if (elapsed >= slowStartNanos) {
            ramping = false;
            return full;
        }
        // double: full (<= 1e6) x elapsed (a long slow start is 1e13 ns) can overflow a long
        int ramped = (int) ((double) full * Math.max(0, elapsed) / slowStartNanos);
        int floor = full * SLOW_START_FLOOR_PERCENT / 100;
        return Math.max(1, Math.max(floor, ramped));
    }

    /**
     * Records one active health check result.
     *
     * @return true if this result changed the state (for logging and metrics)
     */
    public synchronized boolean onActiveCheck(boolean success) {
        if (success) {
            activeFailures = 0;
            if (up) {
                return false;
            }
            if (++activeSuccesses >= policy.successThreshold()) {
                becomeUp();
                return true;
            }
            return false;
        }
        activeSuccesses = 0;
        if (!up) {
            return false;
        }
        if (++activeFailures >= policy.failureThreshold()) {
            becomeDown();
            return true;
        }
        return false;
    }

    /** What happened to one real request sent to this backend. */
    public enum PassiveOutcome { SUCCESS, CONNECT_ERROR, TIMEOUT, SERVER_ERROR }

    /**
     * Records the outcome of one real request (passive check). A run of
     * {@link HealthPolicy#passiveFailureThreshold()} consecutive non-successes takes the backend down.
     *
     * @return true if this outcome changed the state
     */
    public boolean onPassiveResult(PassiveOutcome outcome) {
        int threshold = policy.passiveFailureThreshold();
        if (threshold == 0) {
            return false;
        }
        if (outcome == PassiveOutcome.SUCCESS) {
            // read before write: successes are the common case and must not bounce the cache line
            if (passiveFailures.get() != 0) {
                passiveFailures.set(0);
            }
            return false;
        }
        if (passiveFailures.incrementAndGet() < threshold || !up) {
            return false;
        }
        synchronized (this) {
            if (!up) {
                return false;
            }
            becomeDown();
            return true;
        }
    }

    /** Operator override (admin API): take the backend out now. */
    public synchronized void forceDown() {
        if (up) {
            becomeDown();
        }
    }

    /** Operator override (admin API): put the backend back now, with slow start. */
    public synchronized void forceUp() {
        if (!up) {
            becomeUp();
        }
    }

    private void becomeDown() {
        up = false;
        ramping = false;
        activeFailures = 0;
        activeSuccesses = 0;
    }

    private void becomeUp() {
        activeSuccesses = 0;
        activeFailures = 0;
        passiveFailures.set(0);
        upSinceNanos = nanoClock.getAsLong();
        ramping = slowStartNanos > 0;
        up = true; // volatile write last: a reader that sees up also sees the ramp start
    }

    @Override
    public String toString() {
        return isRamping() ? "UP (slow start)" : state().toString();
    }
}
