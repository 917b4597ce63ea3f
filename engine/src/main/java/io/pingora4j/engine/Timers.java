package io.pingora4j.engine;

import java.util.concurrent.TimeUnit;
import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * A loop's timers: agrona's hashed timer wheel (O(1) schedule and cancel, no allocation) and a
 * primitive map from timer id to what it is for.
 *
 * <p>Connections keep one timer each and re-arm it lazily: they record a new deadline, and only
 * when the wheel fires does the target look at the deadline it currently wants (see
 * {@link Target#onTimer}). So a read that pushes a deadline back costs a field write, not a
 * cancel-and-reschedule.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class Timers {

    /** What a timer fires into. */
    interface Target {
        /** The wheel fired at {@code nowNanos}; the target checks its own deadline and acts or re-arms. */
        void onTimer(long nowNanos);
    }

    private static final long NONE = DeadlineTimerWheel.NULL_DEADLINE;

    // 2^24 ns (about 16.8 ms) ticks: timeouts are seconds, not milliseconds
    private final DeadlineTimerWheel wheel;
    private final Long2ObjectHashMap<Target> targets = new Long2ObjectHashMap<>();
    private final DeadlineTimerWheel.TimerHandler handler = this::fire;
    private long firingNow;

    Timers(long nowNanos) {
        wheel = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, nowNanos, 1L << 24, 512);
    }

    /** Schedules {@code target} at {@code deadlineNanos}; returns the timer id. */
    long schedule(Target target, long deadlineNanos) {
        long id = wheel.scheduleTimer(deadlineNanos);
        targets.put(id, target);
        return id;
    }

    void cancel(long id) {
        if (id != NONE && targets.remove(id) != null) {
            wheel.cancelTimer(id);
        }
    }

    /** Fires what is due; returns how many fired. The wheel moves one tick per poll, so catch up. */
    int poll(long nowNanos) {
        firingNow = nowNanos;
        int fired = 0;
        do {
            fired += wheel.poll(nowNanos, handler, Integer.MAX_VALUE);
        } while (wheel.timerCount() > 0 && wheel.currentTickTime() <= nowNanos);
        return fired;
    }

    /** Nanoseconds until the next tick that may fire something, capped at {@code max}. */
    long nanosToNextTick(long nowNanos, long max) {
        if (targets.isEmpty()) {
            return max;
        }
        long next = wheel.currentTickTime() - nowNanos;
        return Math.max(0, Math.min(max, next));
    }

    int size() {
        return targets.size();
    }

    private boolean fire(TimeUnit unit, long now, long timerId) {
        Target t = targets.remove(timerId);
        if (t != null) {
            t.onTimer(firingNow);
        }
        return true;
    }

    static long none() {
        return NONE;
    }
}
