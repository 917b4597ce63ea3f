package io.pingora4j.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.pingora4j.cache.memory.EvictionListener;
import io.pingora4j.cache.memory.LruCache;
import io.pingora4j.cache.memory.MemoryCache;
import io.pingora4j.cache.memory.TinyUfoCache;
import io.pingora4j.cache.memory.Weigher;
import java.util.Locale;

/**
 * Hit ratios of TinyUFO, LRU and Caffeine on the same seeded Zipf traces: a table printed to
 * stdout. Run after {@code mvn -pl bench -am package}:
 * <pre>
 *   java -cp bench/target/benchmarks.jar io.pingora4j.bench.CacheHitRatio
 * </pre>
 *
 * <p>Traces: 100,000 keys, 1,000,000 requests, Zipf 0.9 and 1.0, seed 42 (the seed of the cache
 * module's {@code HitRatioTest}, whose zipf 0.9 / 1% TinyUFO and LRU figures this reproduces).
 * Each request is a get; a miss is followed by a put of weight 1 (read-through). Cache sizes are
 * 1% and 10% of the key space, in entries. LRU is {@link LruCache} with one shard, i.e. exact LRU
 * (the 16-shard default is an approximation of it). Caffeine is
 * {@code Caffeine.newBuilder().maximumSize(n).executor(Runnable::run)}, so its maintenance runs
 * inline and the replay is deterministic up to Caffeine's own randomised admission.
 * Single-threaded; takes a few seconds.
 */
public final class CacheHitRatio {

    static final int KEYS = 100_000;
    static final int REQUESTS = 1_000_000;
    static final long SEED = 42;
    static final double[] EXPONENTS = {0.9, 1.0};
    static final int[] SIZE_PERCENTS = {1, 10};

    private CacheHitRatio() {
    }

    public static void main(String[] args) {
        System.out.printf(Locale.ROOT, "%d keys, %d requests, read-through, seed %d%n", KEYS, REQUESTS, SEED);
        System.out.printf(Locale.ROOT, "%-6s %-14s %9s %9s %9s %12s%n",
                "zipf", "cache", "TinyUFO", "LRU", "Caffeine", "UFO-Caffeine");
        for (double s : EXPONENTS) {
            Integer[] trace = ZipfTrace.boxed(ZipfTrace.ranks(KEYS, s, REQUESTS, SEED), KEYS);
            for (int percent : SIZE_PERCENTS) {
                int n = KEYS * percent / 100;
                double ufo = replay(trace, new TinyUfoCache<>(n, n));
                double lru = replay(trace, new LruCache<>(n, 1, Weigher.unit(), EvictionListener.none()));
                double caffeine = replay(trace, Caffeine.newBuilder().maximumSize(n).executor(Runnable::run)
                        .<Integer, Integer>build());
                System.out.printf(Locale.ROOT, "%-6.1f %-14s %8.2f%% %8.2f%% %8.2f%% %+11.2fpp%n",
                        s, n + " (" + percent + "%)", 100 * ufo, 100 * lru, 100 * caffeine, 100 * (ufo - caffeine));
            }
        }
    }

    static double replay(Integer[] trace, MemoryCache<Integer, Integer> cache) {
        long hits = 0;
        for (Integer key : trace) {
            if (cache.get(key) != null) {
                hits++;
            } else {
                cache.put(key, key, 1);
            }
        }
        return (double) hits / trace.length;
    }

    static double replay(Integer[] trace, Cache<Integer, Integer> cache) {
        long hits = 0;
        for (Integer key : trace) {
            if (cache.getIfPresent(key) != null) {
                hits++;
            } else {
                cache.put(key, key);
            }
        }
        return (double) hits / trace.length;
    }
}
