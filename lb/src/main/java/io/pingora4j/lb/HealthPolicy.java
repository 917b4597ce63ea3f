package io.pingora4j.lb;

import java.time.Duration;
import java.util.Objects;

/**
 * How a backend's health state changes (see {@link BackendHealth}).
 *
 * @param successThreshold        consecutive passing active checks that bring a down backend up (Pingap {@code success})
 * @param failureThreshold        consecutive failing active checks that take an up backend down (Pingap {@code failure})
 * @param passiveFailureThreshold consecutive failed real requests (connect error, timeout, 5xx) that take it down;
 *                                0 disables passive checks. Only active checks bring a backend back, so enable this
 *                                only where active checks run, or a passively failed backend stays down for good.
 * @param slowStart               how long a recovered backend takes to ramp from 10% to its full weight; zero disables
 */
public record HealthPolicy(int successThreshold, int failureThreshold, int passiveFailureThreshold, Duration slowStart) {

    /** Pingap's defaults: up after 1 good check, down after 2 bad ones; no passive checks, no slow start. */
    public static final HealthPolicy DEFAULT = new HealthPolicy(1, 2, 0, Duration.ZERO);

    public HealthPolicy {
        Objects.requireNonNull(slowStart, "slowStart");
        if (successThreshold < 1) {
            throw new IllegalArgumentException("health success threshold " + successThreshold + " must be >= 1");
        }
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("health failure threshold " + failureThreshold + " must be >= 1");
        }
        if (passiveFailureThreshold < 0) {
            throw new IllegalArgumentException("passive failure threshold " + passiveFailureThreshold + " must be >= 0");
        }
        if (slowStart.isNegative()) {
            throw new IllegalArgumentException("slow start " + slowStart + " must not be negative");
        }
    }

    /** The thresholds of an active check spec, with the given passive threshold and slow start. */
    public static HealthPolicy of(HealthCheckSpec spec, int passiveFailureThreshold, Duration slowStart) {
        return new HealthPolicy(spec.successThreshold(), spec.failureThreshold(), passiveFailureThreshold, slowStart);
    }
}
