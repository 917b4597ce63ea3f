package io.pingora4j.bench;

import java.util.SplittableRandom;

/**
 * A seeded Zipf request trace, precomputed so that replaying it costs an array read.
 *
 * <p>Key {@code k} (0-based popularity rank) is drawn with probability proportional to
 * {@code 1 / (k + 1)^s}, by binary search of the cumulative distribution with one
 * {@link SplittableRandom#nextDouble()} per request: the same draw as the cache module's
 * test-side {@code HitRatioSimulation}, so the same seed gives the same trace and the figures
 * can be checked against {@code HitRatioTest}'s.
 */
final class ZipfTrace {

    private ZipfTrace() {
    }

    /** {@code requests} key ranks in {@code [0, keys)}, Zipf-distributed with exponent {@code s}. */
    static int[] ranks(int keys, double s, int requests, long seed) {
        double[] cumulative = new double[keys];
        double sum = 0;
        for (int k = 0; k < keys; k++) {
            sum += 1.0 / Math.pow(k + 1, s);
            cumulative[k] = sum;
        }
        for (int k = 0; k < keys; k++) {
            cumulative[k] /= sum;
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[] trace = new int[requests];
        for (int i = 0; i < requests; i++) {
            double u = random.nextDouble();
            int lo = 0;
            int hi = keys - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cumulative[mid] < u) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            trace[i] = lo;
        }
        return trace;
    }

    /** The trace as boxed keys, one canonical {@link Integer} per rank, so replaying it allocates nothing. */
    static Integer[] boxed(int[] ranks, int keys) {
        Integer[] canonical = new Integer[keys];
        for (int k = 0; k < keys; k++) {
            canonical[k] = k; // beyond Integer's small cache these are distinct objects, made once
        }
        Integer[] trace = new Integer[ranks.length];
        for (int i = 0; i < ranks.length; i++) {
            trace[i] = canonical[ranks[i]];
        }
        return trace;
    }
}
