package io.pingora4j.lb;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plain round robin, ignoring weights: each pick starts one position after the previous one and
 * takes the first eligible backend from there. (Use {@link SmoothWeightedRoundRobin} for weights.)
 *
 * <p>When a backend is skipped, its turn goes to the next eligible one, which then gets two turns
 * in a row; with several loops picking concurrently the order interleaves but every backend still
 * gets an equal share.
 *
 * <p>Thread-safe and lock-free: one shared {@link AtomicInteger} cursor.
 */
public final class RoundRobin implements Selector {

    private final BackendSet set;
    private final AtomicInteger cursor = new AtomicInteger();

    public RoundRobin(BackendSet set) {
        this.set = Objects.requireNonNull(set, "set");
    }

    @Override
    public int select(RequestKeyView request, long tried) {
        int n = set.size();
        // mask the sign bit: after 2^31 picks the cursor wraps negative; the jump it causes is harmless
        int start = (cursor.getAndIncrement() & Integer.MAX_VALUE) % n;
        for (int k = 0; k < n; k++) {
            int i = start + k;
            if (i >= n) {
                i -= n;
            }
            if (Selector.eligible(set, tried, i)) {
                return i;
            }
        }
        return NONE;
    }

    @Override
    public BackendSet backends() {
        return set;
    }
}
