package io.pingora4j.cache.http;

/**
 * How a shared cache fills in what the origin left out.
 *
 * <p>Heuristic freshness (RFC 9111 §4.2.2) is off unless configured: a response with no
 * explicit expiration time then has a lifetime of 0 and must be validated before each use.
 * When on, the lifetime is {@code heuristicFraction} of the time since {@code Last-Modified},
 * capped at {@code heuristicMaxSeconds} (the RFC suggests no more than 10%).
 *
 * @param heuristicFraction fraction of the Last-Modified age, 0 to disable, at most 1
 * @param heuristicMaxSeconds upper bound of a heuristic lifetime
 */
public record FreshnessPolicy(double heuristicFraction, long heuristicMaxSeconds) {

    /** No heuristic freshness: only explicit expiration counts. */
    public static final FreshnessPolicy NO_HEURISTIC = new FreshnessPolicy(0, 0);

    /** Validates the arguments. */
    public FreshnessPolicy {
        if (!(heuristicFraction >= 0 && heuristicFraction <= 1)) {
            throw new IllegalArgumentException("heuristicFraction must be in [0, 1]: " + heuristicFraction);
        }
        if (heuristicMaxSeconds < 0) {
            throw new IllegalArgumentException("heuristicMaxSeconds must not be negative: " + heuristicMaxSeconds);
        }
    }

    /** Whether heuristic freshness is in use. */
    public boolean heuristicEnabled() {
        return heuristicFraction > 0 && heuristicMaxSeconds > 0;
    }
}
