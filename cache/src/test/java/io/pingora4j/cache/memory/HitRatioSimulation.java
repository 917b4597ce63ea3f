package io.pingora4j.cache.memory;

import java.util.SplittableRandom;

/**
 * Replays a seeded Zipf trace against a {@link MemoryCache} and reports the hit ratio.
 *
 * <p>Key {@code k} (1-based popularity rank) is requested with probability proportional to
 * {@code 1 / k^s}. Each request is a {@code get}; a miss is followed by a {@code put} of weight 1,
 * as a read-through cache would do. Same seed, same trace: results are deterministic for a
 * single-threaded cache. Not thread-safe; one simulation per thread.
 */
final class HitRatioSimulation {

    private final double[] cumulative;
    private final SplittableRandom random;

    /**
     * @param keys number of distinct keys
     * @param s Zipf exponent (0.9 is typical of web traffic)
     * @param seed trace seed
     */
    HitRatioSimulation(int keys, double s, long seed) {
        this.cumulative = new double[keys];
        double sum = 0;
        for (int k = 0; k < keys; k++) {
            sum += 1.0 / Math.pow(k + 1, s);
            cumulative[k] = sum;
        }
        for (int k = 0; k < keys; k++) {
            cumulative[k] /= sum;
        }
        this.random = new SplittableRandom(seed);
    }

    /** Convenience: a fresh trace of {@code requests} requests replayed against {@code cache}. */
    static double hitRatio(MemoryCache<Integer, Integer> cache, int keys, double s, int requests, long seed) {
        return new HitRatioSimulation(keys, s, seed).replay(cache, requests);
    }

    /** Next key of the trace: a popularity rank in {@code [0, keys)}. */
    int nextKey() {
        double u = random.nextDouble();
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] < u) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Replays {@code requests} requests and returns hits / requests. */
    double replay(MemoryCache<Integer, Integer> cache, int requests) {
        long hits = 0;
        for (int i = 0; i < requests; i++) {
            Integer key = nextKey();
            if (cache.get(key) != null) {
                hits++;
            } else {
                cache.put(key, key, 1);
            }
        }
        return (double) hits / requests;
    }
}
