package io.pingora4j.limits;

/**
 * A monotonic source of nanoseconds, injected into every limiter so that production code
 * reads {@link System#nanoTime()} and tests drive time by hand.
 *
 * <p>Only differences between readings are meaningful; the origin is arbitrary. An
 * implementation must be safe to call from any thread and should be non-decreasing; the
 * limiters tolerate a reading that lags a concurrent one (they never move state backwards).
 */
@FunctionalInterface
public interface NanoClock {

    /** The clock backed by {@link System#nanoTime()}. */
    NanoClock SYSTEM = System::nanoTime;

    /** @return the current reading, in nanoseconds */
    long nanoTime();
}
