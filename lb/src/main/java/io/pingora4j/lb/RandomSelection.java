package io.pingora4j.lb;

import java.util.Objects;

/**
 * Weighted random: each eligible backend is picked with probability proportional to its effective
 * weight. Two passes over the set, no allocation.
 *
 * <p>Thread-safe and stateless (uses {@link java.util.concurrent.ThreadLocalRandom}).
 */
public final class RandomSelection implements Selector {

    private final BackendSet set;

    public RandomSelection(BackendSet set) {
        this.set = Objects.requireNonNull(set, "set");
    }

    @Override
    public int select(RequestKeyView request, long tried) {
        return WeightedRandom.draw(set, tried, NONE);
    }

    @Override
    public BackendSet backends() {
        return set;
    }
}
