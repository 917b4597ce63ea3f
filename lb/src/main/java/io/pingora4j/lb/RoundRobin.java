package io.pingora4j.lb;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plain round robin, ignoring weights: each look takes the next position of a shared cursor.
 * (Use {@link SmoothWeightedRoundRobin} for weights.)
 *
 * <p>A skipped backend's position is used up like any other, so its share spreads evenly over the
 * backends still eligible (with b of a,b,c down: a,c,a,c), as nginx does; it does not all go to
 * the backend after it.
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
        // Each look takes the next position of the shared cursor, skipped ones included: with b of
        // a,b,c down the picks go a,c,a,c, spreading b's share over the others as nginx does,
        // rather than handing all of it to the backend after b. n looks see every backend once
        // whenever no other thread moves the cursor meanwhile; under contention a look may land
        // twice on one index and miss another, which only makes a rare NONE answer possible when a
        // single backend is eligible, so a final sweep makes sure.
        for (int k = 0; k < n; k++) {
            // mask the sign bit: after 2^31 picks the cursor wraps negative; the jump it causes is harmless
            int i = (cursor.getAndIncrement() & Integer.MAX_VALUE) % n;
            if (Selector.eligible(set, tried, i)) {
                return i;
            }
        }
        for (int i = 0; i < n; i++) {
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
