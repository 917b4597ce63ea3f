package io.pingora4j.lb;

import java.util.Objects;

/**
 * Power of two choices: draw two different eligible backends at random (weighted by effective
 * weight) and take the one with fewer in-flight requests per unit of weight; the first draw wins
 * a tie. Close to least-conn's balance without every loop converging on the same "least" backend.
 *
 * <p>Thread-safe and stateless (uses {@link java.util.concurrent.ThreadLocalRandom}).
 */
public final class PowerOfTwoChoices implements Selector {

    private final BackendSet set;

    public PowerOfTwoChoices(BackendSet set) {
        this.set = Objects.requireNonNull(set, "set");
    }

    @Override
    public int select(RequestKeyView request, long tried) {
        int a = WeightedRandom.draw(set, tried, NONE);
        if (a == NONE) {
            return NONE;
        }
        int b = WeightedRandom.draw(set, tried, a);
        if (b == NONE) {
            return a;
        }
        long wa = Math.max(1, set.effectiveWeight(a));
        long wb = Math.max(1, set.effectiveWeight(b));
        // b / wb < a / wa
        return set.stats(b).inFlight() * wa < set.stats(a).inFlight() * wb ? b : a;
    }

    @Override
    public BackendSet backends() {
        return set;
    }
}
