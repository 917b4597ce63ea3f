package io.pingora4j.lb;

import java.util.concurrent.ThreadLocalRandom;

/** Weighted random draw over the eligible backends of a set, shared by the random selectors. Stateless. */
final class WeightedRandom {

    private WeightedRandom() {
    }

    /** A backend drawn with probability proportional to its effective weight, skipping {@code exclude}; or NONE. */
    static int draw(BackendSet set, long tried, int exclude) {
        int n = set.size();
        long total = 0;
        for (int i = 0; i < n; i++) {
            if (i != exclude && !Selector.isTried(tried, i)) {
                total += set.effectiveWeight(i);
            }
        }
        if (total == 0) {
            return Selector.NONE;
        }
        long r = ThreadLocalRandom.current().nextLong(total);
        int last = Selector.NONE;
        for (int i = 0; i < n; i++) {
            if (i == exclude || Selector.isTried(tried, i)) {
                continue;
            }
            // weights are read again: one may have changed since the first pass, so a draw can run
            // past the end; then the last eligible backend takes it
            int weight = set.effectiveWeight(i);
            if (weight == 0) {
                continue;
            }
            last = i;
            r -= weight;
            if (r < 0) {
                return i;
            }
        }
        return last;
    }
}
