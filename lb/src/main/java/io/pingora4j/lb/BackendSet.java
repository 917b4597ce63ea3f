package io.pingora4j.lb;

import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The backends of one upstream, fixed at construction, each with its live counters, health
 * state machine and (optionally) circuit breaker. Selectors are built over one set and answer
 * with an index into it.
 *
 * <p>This is the health view selectors consult: {@link #isAvailable(int)} (up and breaker not
 * refusing) and {@link #effectiveWeight(int)} (slow-start aware). A configuration reload builds a
 * new set; the per-backend objects belong to the set.
 *
 * <p>Thread-safe: the arrays never change after construction and every element is thread-safe.
 */
public final class BackendSet {

    private final Backend[] backends;
    private final BackendStats[] stats;
    private final BackendHealth[] health;
    private final CircuitBreaker[] breakers; // null when breakers are off

    /** Backends with Pingap's default health policy, no circuit breakers, on the system clock. */
    public BackendSet(List<Backend> backends) {
        this(backends, HealthPolicy.DEFAULT, null, System::nanoTime);
    }

    /**
     * @param breakerPolicy null for no circuit breakers
     * @param nanoClock     monotonic nanoseconds ({@code System::nanoTime} in production)
     */
    public BackendSet(List<Backend> backends, HealthPolicy healthPolicy, CircuitBreaker.Policy breakerPolicy,
                      LongSupplier nanoClock) {
        Objects.requireNonNull(backends, "backends");
        Objects.requireNonNull(healthPolicy, "healthPolicy");
        Objects.requireNonNull(nanoClock, "nanoClock");
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("an upstream needs at least one backend");
        }
        int n = backends.size();
        this.backends = backends.toArray(new Backend[0]);
        this.stats = new BackendStats[n];
        this.health = new BackendHealth[n];
        this.breakers = breakerPolicy == null ? null : new CircuitBreaker[n];
        for (int i = 0; i < n; i++) {
            Objects.requireNonNull(this.backends[i], "backend " + i);
            stats[i] = new BackendStats();
            health[i] = new BackendHealth(healthPolicy, nanoClock);
            if (breakers != null) {
                breakers[i] = new CircuitBreaker(breakerPolicy, nanoClock);
            }
        }
    }

    public int size() {
        return backends.length;
    }

    public Backend backend(int index) {
        return backends[index];
    }

    public List<Backend> backends() {
        return List.of(backends);
    }

    public BackendStats stats(int index) {
        return stats[index];
    }

    public BackendHealth health(int index) {
        return health[index];
    }

    /** The backend's circuit breaker, or null when this set has none. */
    public CircuitBreaker breaker(int index) {
        return breakers == null ? null : breakers[index];
    }

    /** Whether a selector may pick this backend now: it is up and its breaker would let a request through. */
    public boolean isAvailable(int index) {
        return health[index].isUp() && (breakers == null || breakers[index].isCallPermitted());
    }

    /**
     * The weight selectors use now, in units of 1/{@link BackendHealth#WEIGHT_SCALE}; 0 when the
     * backend is not {@linkplain #isAvailable available}.
     */
    public int effectiveWeight(int index) {
        if (breakers != null && !breakers[index].isCallPermitted()) {
            return 0;
        }
        return health[index].effectiveWeight(backends[index].weight());
    }

    /** The index of the first backend with this written address, or -1. */
    public int indexOf(String address) {
        for (int i = 0; i < backends.length; i++) {
            if (backends[i].address().equals(address)) {
                return i;
            }
        }
        return -1;
    }
}
