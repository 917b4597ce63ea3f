package io.pingora4j.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.pingora4j.cache.memory.MemoryCache;
import io.pingora4j.cache.memory.TinyUfoCache;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Throughput of one shared cache on two threads: {@link TinyUfoCache} against Caffeine, on the
 * same Zipf key stream. Hit ratios are another question, answered by {@link CacheHitRatio}.
 *
 * <h2>Setup</h2>
 * 100,000 keys, Zipf exponent 0.9, capacity 10,000 entries (10%) of weight 1. Caffeine is built
 * as in {@link CacheHitRatio}: {@code maximumSize(n).executor(Runnable::run)}, so its eviction
 * work runs on the calling threads as TinyUFO's does, instead of on a common-pool thread that
 * would compete for this machine's cores without being measured. Each cache is warmed by one
 * read-through pass over the trace before measuring.
 *
 * <h2>Operations</h2>
 * <ul>
 *   <li>{@code get}: a lookup; about the hit ratio's share of them hit.</li>
 *   <li>{@code put}: an unconditional put of the next key (resident keys are replaced, new ones
 *       go through admission and eviction): the write path under contention.</li>
 *   <li>{@code readThrough}: get, and put on a miss, as a proxy cache does.</li>
 * </ul>
 * The trace is 2^20 precomputed canonical {@link Integer}s; each thread starts at its own offset.
 * The loop itself allocates nothing, so {@code -prof gc} shows what the caches allocate
 * (TinyUFO allocates a node per admitted new key, nothing for a hit, an update of the same
 * weight or a refusal; see its class comment).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(2)
public class CacheBenchmark {

    static final int KEYS = 100_000;
    static final int CAPACITY = KEYS / 10;
    static final double ZIPF = 0.9;
    private static final int TRACE = 1 << 20;
    private static final long SEED = 42;

    @Param({"tinyufo", "caffeine"})
    public String cache;

    private Integer[] trace;
    private Ops ops;

    @Setup
    public void setup() {
        trace = ZipfTrace.boxed(ZipfTrace.ranks(KEYS, ZIPF, TRACE, SEED), KEYS);
        ops = switch (cache) {
            case "tinyufo" -> new MemoryCacheOps(new TinyUfoCache<>(CAPACITY, CAPACITY));
            case "caffeine" -> new CaffeineOps(Caffeine.newBuilder().maximumSize(CAPACITY)
                    .executor(Runnable::run).build());
            default -> throw new IllegalArgumentException("unknown cache " + cache);
        };
        for (Integer key : trace) {
            if (ops.get(key) == null) {
                ops.put(key, key);
            }
        }
    }

    /** A thread's position in the shared trace. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        @Setup
        public void setup(ThreadParams thread) {
            next = thread.getThreadIndex() * (TRACE / 2);
        }

        int advance() {
            return next++ & (TRACE - 1);
        }
    }

    @Benchmark
    public Integer get(Cursor cursor) {
        return ops.get(trace[cursor.advance()]);
    }

    @Benchmark
    public void put(Cursor cursor) {
        Integer key = trace[cursor.advance()];
        ops.put(key, key);
    }

    @Benchmark
    public Integer readThrough(Cursor cursor) {
        Integer key = trace[cursor.advance()];
        Integer value = ops.get(key);
        if (value == null) {
            ops.put(key, key);
        }
        return value;
    }

    /** The two calls measured, over either cache; one implementation per fork, so the call stays monomorphic. */
    private interface Ops {
        Integer get(Integer key);

        void put(Integer key, Integer value);
    }

    private static final class MemoryCacheOps implements Ops {
        private final MemoryCache<Integer, Integer> cache;

        MemoryCacheOps(MemoryCache<Integer, Integer> cache) {
            this.cache = cache;
        }

        @Override
        public Integer get(Integer key) {
            return cache.get(key);
        }

        @Override
        public void put(Integer key, Integer value) {
            cache.put(key, value, 1);
        }
    }

    private static final class CaffeineOps implements Ops {
        private final Cache<Integer, Integer> cache;

        CaffeineOps(Cache<Integer, Integer> cache) {
            this.cache = cache;
        }

        @Override
        public Integer get(Integer key) {
            return cache.getIfPresent(key);
        }

        @Override
        public void put(Integer key, Integer value) {
            cache.put(key, value);
        }
    }
}
