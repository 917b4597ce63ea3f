package io.pingora4j.lb;

import java.util.Objects;

/**
 * nginx's smooth weighted round robin ({@code ngx_http_upstream_get_peer}): on every pick each
 * eligible backend's current weight grows by its effective weight, the largest current weight wins
 * (first in configuration order on a tie), and the winner's current weight drops by the sum of the
 * effective weights. Weights 5, 1, 1 give a, a, b, a, c, a, a and then repeat: heavy backends are
 * spread out instead of bunched together.
 *
 * <p>Effective weights come from {@link BackendSet#effectiveWeight(int)}, so slow start applies and a
 * down backend neither wins nor accumulates weight while it is out.
 *
 * <p>Thread-safe: a pick reads and updates all current weights together, so it runs under this
 * object's monitor; the section is one pass over a {@code long[]} with no allocation. nginx holds a
 * lock here too.
 */
public final class SmoothWeightedRoundRobin implements Selector {

    private final BackendSet set;
    private final long[] current; // guarded by this

    public SmoothWeightedRoundRobin(BackendSet set) {
        this.set = Objects.requireNonNull(set, "set");
        this.current = new long[set.size()];
    }

    @Override
    public int select(RequestKeyView request, long tried) {
        synchronized (this) {
            int best = NONE;
            long total = 0;
            for (int i = 0; i < current.length; i++) {
                if (Selector.isTried(tried, i)) {
                    continue;
                }
                int weight = set.effectiveWeight(i);
                if (weight == 0) {
                    continue;
                }
                current[i] += weight;
                total += weight;
                if (best == NONE || current[i] > current[best]) {
                    best = i;
                }
            }
            if (best != NONE) {
                current[best] -= total;
            }
            return best;
        }
    }

    @Override
    public BackendSet backends() {
        return set;
    }
}
