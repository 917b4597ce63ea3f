package io.pingora4j.limits;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The machinery behind {@link FixedWindowCounter} and {@link SlidingWindowCounter}: the
 * current window (its index, its count, and the final count of the window before it) and
 * the lock-free rollover from one window to the next.
 *
 * <p>Rollover seals the old window's count (sets its sign bit with a CAS) before the new
 * window copies it as its {@code previous}. An acquirer that raced the rollover and finds
 * the count sealed retries on the new window, so no admitted request is ever missing from
 * the previous count. Any thread that finds a sealed window installs a successor itself,
 * so a rollover never waits for the thread that started it (lock-free). A rollover allocates
 * one small object; acquisitions within a window allocate nothing.
 */
final class WindowLedger {

    private static final long SEALED = Long.MIN_VALUE;
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(Window.class, "count", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One window. {@code count} carries {@link #SEALED} once a successor may exist. */
    static final class Window {
        final long index;
        final long previous;
        volatile long count;

        Window(long index, long previous) {
            this.index = index;
            this.previous = previous;
        }
    }

    private final NanoClock clock;
    private final long origin;
    private final long windowNanos;
    private final long max;
    /** Share of the previous window that counts: 0 for a fixed window, 1 for a sliding one. */
    private final double previousWeight;
    private final AtomicReference<Window> current = new AtomicReference<>(new Window(0, 0));

    WindowLedger(long max, Duration window, double previousWeight, NanoClock clock) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1: " + max);
        }
        long nanos = window.toNanos();
        if (nanos < 1) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
        this.max = max;
        this.windowNanos = nanos;
        this.previousWeight = previousWeight;
        this.clock = clock;
        this.origin = clock.nanoTime();
    }

    boolean tryAcquire(long n) {
        checkPermits(n);
        if (n > max) {
            return false;
        }
        long now = clock.nanoTime();
        long index = indexAt(now);
        for (;;) {
            Window w = windowFor(index);
            long count = w.count;
            if (count < 0) {
                continue; // sealed under us: a successor is (being) installed, retry on it
            }
            long used = WindowArithmetic.weighted(w.previous, previousWeight, elapsedIn(w, now), windowNanos);
            if (used + count + n > max) {
                return false;
            }
            if (COUNT.compareAndSet(w, count, count + n)) {
                return true;
            }
        }
    }

    long nanosUntilAllowed(long n) {
        checkPermits(n);
        long now = clock.nanoTime();
        long index = indexAt(now);
        for (;;) {
            Window w = windowFor(index);
            long count = w.count;
            if (count >= 0) {
                return WindowArithmetic.nanosUntilRoom(w.previous, count, elapsedIn(w, now),
                        windowNanos, previousWeight, max, n);
            }
        }
    }

    /** @return the weighted count now: previous share plus current */
    long used() {
        long now = clock.nanoTime();
        long index = indexAt(now);
        for (;;) {
            Window w = windowFor(index);
            long count = w.count;
            if (count >= 0) {
                return WindowArithmetic.weighted(w.previous, previousWeight, elapsedIn(w, now), windowNanos)
                        + count;
            }
        }
    }

    long max() {
        return max;
    }

    /** The current window, rolled forward to at least {@code index} and unsealed when returned. */
    private Window windowFor(long index) {
        for (;;) {
            Window w = current.get();
            if (w.index >= index && w.count >= 0) {
                // w.index > index: our clock reading lags another thread's; use the newer window.
                return w;
            }
            long target = Math.max(index, w.index + 1);
            long finalCount = seal(w);
            Window next = new Window(target, target == w.index + 1 ? finalCount : 0);
            // Losing this CAS means another thread installed a successor built from the same
            // sealed count; either way we re-read.
            current.compareAndSet(w, next);
        }
    }

    /** Freezes the window's count and returns it (without the seal bit). */
    private static long seal(Window w) {
        for (;;) {
            long count = w.count;
            if (count < 0) {
                return count & ~SEALED;
            }
            if (COUNT.compareAndSet(w, count, count | SEALED)) {
                return count;
            }
        }
    }

    private long indexAt(long now) {
        return Math.max(0, now - origin) / windowNanos;
    }

    /** Nanoseconds into window {@code w}, clamped to it (a lagging clock reads as its start). */
    private long elapsedIn(Window w, long now) {
        long elapsed = now - origin - w.index * windowNanos;
        return Math.min(Math.max(0, elapsed), windowNanos - 1);
    }

    private static void checkPermits(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("permits must be at least 1: " + n);
        }
    }
}
