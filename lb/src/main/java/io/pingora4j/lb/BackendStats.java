package io.pingora4j.lb;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live traffic counters of one backend, for least-connection selection and for metrics.
 *
 * <p>Thread-safe and lock-free: every event loop that sends to this backend updates it.
 * {@code requests} and {@code failures} are {@link LongAdder}s (written on every request, read
 * only by metrics scrapes). {@code inFlight} is a single {@link AtomicLong} because selectors read
 * it on every pick and need one value, not a sum over cells; readers see a value that may be a
 * moment old, which only makes least-conn slightly less exact, never wrong about safety.
 */
public final class BackendStats {

    private final LongAdder requests = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final AtomicLong inFlight = new AtomicLong();

    /** A request is being sent to this backend: counts it and raises in-flight. */
    public void onRequestStart() {
        requests.increment();
        inFlight.incrementAndGet();
    }

    /**
     * The request started with {@link #onRequestStart()} has finished.
     * Call exactly once per start, also when it failed, or in-flight drifts upward forever.
     */
    public void onRequestEnd(boolean failed) {
        inFlight.decrementAndGet();
        if (failed) {
            failures.increment();
        }
    }

    /** Requests started since creation. */
    public long requests() {
        return requests.sum();
    }

    /** Requests ended with {@code failed = true} since creation. */
    public long failures() {
        return failures.sum();
    }

    /** Requests started and not yet ended. */
    public long inFlight() {
        return inFlight.get();
    }
}
