package io.pingora4j.engine;

/**
 * One lazily re-armed timer for a connection. The owner says which deadline it wants now
 * ({@link #want}); the loop's {@link Timers} hold this deadline at most once, and when it fires the
 * owner is asked again ({@link Owner#currentDeadline}) — so pushing a deadline back on every read
 * costs a field write, and the timers are touched only when a deadline moves earlier.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class Deadline {

    /** The connection that owns the deadline. */
    interface Owner {
        /** The deadline wanted now (System.nanoTime() scale), or 0 for none. */
        long currentDeadline();

        /** The deadline passed. */
        void onDeadline(long nowNanos);
    }

    private final Timers timers;
    private final Owner owner;
    /** Position in the loop's timer heap, -1 when not armed (kept by {@link Timers}). */
    int heapIndex = -1;
    /** When the armed timer fires (kept by {@link Timers}). */
    long at;

    Deadline(Timers timers, Owner owner) {
        this.timers = timers;
        this.owner = owner;
    }

    /** Makes sure a timer fires no later than {@code deadline} (0: nothing wanted now). */
    void want(long deadline) {
        if (deadline == 0) {
            return;
        }
        if (heapIndex >= 0 && deadline - at >= 0) {
            return; // the armed timer fires first; fire() looks again then
        }
        timers.schedule(this, deadline);
    }

    void cancel() {
        timers.cancel(this);
    }

    /** The armed time came (the timers have disarmed this already). */
    void fire(long nowNanos) {
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
