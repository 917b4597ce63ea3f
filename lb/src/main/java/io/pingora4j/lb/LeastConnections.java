package io.pingora4j.lb;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Least connections, weighted as nginx's {@code least_conn}: picks the eligible backend with the
 * smallest in-flight / effective-weight ratio (compared by cross-multiplying, no division). Ties go
 * round robin: the scan starts one position later on each pick and only a strictly smaller ratio
 * replaces the current best.
 *
 * <p>In-flight counts come from {@link BackendStats}; the engine must call
 * {@link BackendStats#onRequestStart()} / {@link BackendStats#onRequestEnd(boolean)} around each request.
 *
 * <p>Thread-safe and lock-free. Two loops picking at the same moment may both see the same least
 * loaded backend before either raises its count; that race exists in every least-conn balancer and
 * only costs a little balance.
 */
public final class LeastConnections implements Selector {

    private final BackendSet set;
    private final AtomicInteger cursor = new AtomicInteger();

    public LeastConnections(BackendSet set) {
        this.set = Objects.requireNonNull(set, "set");
    }

    @Override
    public int select(RequestKeyView request, long tried) {
        int n = set.size();
        int start = (cursor.getAndIncrement() & Integer.MAX_VALUE) % n;
        int best = NONE;
        long bestInFlight = 0;
        long bestWeight = 0;
        for (int k = 0; k < n; k++) {
            int i = start + k;
            if (i >= n) {
                i -= n;
            }
            if (Selector.isTried(tried, i)) {
                continue;
            }
            int weight = set.effectiveWeight(i);
            if (weight == 0) {
                continue;
            }
            long inFlight = set.stats(i).inFlight();
            // inFlight / weight < bestInFlight / bestWeight, without division
            if (best == NONE || inFlight * bestWeight < bestInFlight * weight) {
                best = i;
                bestInFlight = inFlight;
                bestWeight = weight;
            }
        }
        return best;
    }

    @Override
    public BackendSet backends() {
        return set;
    }
}
