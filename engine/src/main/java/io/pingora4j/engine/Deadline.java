package io.pingora4j.engine;

/**
 * One lazily re-armed timer for a connection. The owner says which deadline it wants now
 * ({@link #want}); the wheel holds at most one timer, and when it fires the owner is asked
 * again ({@link Owner#currentDeadline}) — so pushing a deadline back on every read costs a
 * field write, and the wheel is touched only when a deadline moves earlier.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class Deadline implements Timers.Target {

    /** The connection that owns the deadline. */
    interface Owner {
        /** The deadline wanted now (System.nanoTime() scale), or 0 for none. */
        long currentDeadline();

        /** The deadline passed. */
        void onDeadline(long nowNanos);
    }

    private final Timers timers;
    private final Owner owner;
    private long timerId = Timers.none();
    private long scheduledAt;

    Deadline(Timers timers, Owner owner) {
        this.timers = timers;
        this.owner = owner;
    }

    /** Makes sure a timer fires no later than {@code deadline} (0: nothing wanted now). */
    void want(long deadline) {
        if (deadline == 0) {
            return;
        }
        if (timerId != Timers.none() && deadline - scheduledAt >= 0) {
            return; // the armed timer fires first; onTimer looks again then
        }
        cancel();
        scheduledAt = deadline;
        timerId = timers.schedule(this, deadline);
    }

    void cancel() {
        if (timerId != Timers.none()) {
            timers.cancel(timerId);
            timerId = Timers.none();
        }
    }

    @Override
    public void onTimer(long nowNanos) {
        timerId = Timers.none();
        long d = owner.currentDeadline();
        if (d == 0) {
            return;
        }
        if (nowNanos - d >= 0) {
            owner.onDeadline(nowNanos);
        } else {
            want(d);
        }
    }
}
