package io.pingora4j.bench;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.local.LocalBucketBuilder;
import io.pingora4j.limits.NanoClock;
import io.pingora4j.limits.TokenBucket;
import java.time.Duration;
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

/**
 * One {@code tryAcquire} of a single token: {@link TokenBucket} against Bucket4j's local bucket,
 * on one thread and on two threads sharing the bucket. (Accuracy of the windowed limiters under a
 * simulated clock is {@link RateAccuracy}'s job.)
 *
 * <h2>Peers</h2>
 * <ul>
 *   <li>{@code tokenbucket}: ours on {@link NanoClock#SYSTEM}; one CAS per grant.</li>
 *   <li>{@code bucket4j}: {@code Bucket.builder().addLimit(...).build()} as its documentation
 *       writes it: lock-free strategy, millisecond clock ({@code System.currentTimeMillis}).</li>
 *   <li>{@code bucket4j_nanos}: the same with {@code withNanosecondPrecision()}, the clock ours uses.</li>
 * </ul>
 *
 * <h2>Load</h2>
 * {@code admit}: capacity and refill of 10^9 per second, far above what two threads can take,
 * so every call is a grant (the CAS path). {@code refuse}: capacity 1, refill 1 per hour, emptied
 * in setup, so every call is a refusal (a read of the clock and the state, no write): the path a
 * limiter spends its time on under a flood.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LimitsBenchmark {

    @Param({"tokenbucket", "bucket4j", "bucket4j_nanos"})
    public String impl;

    @Param({"admit", "refuse"})
    public String load;

    private Acquirer acquirer;

    @Setup
    public void setup() {
        boolean admit = load.equals("admit");
        long capacity = admit ? 1_000_000_000L : 1;
        long refill = admit ? 1_000_000_000L : 1;
        Duration period = admit ? Duration.ofSeconds(1) : Duration.ofHours(1);
        acquirer = switch (impl) {
            case "tokenbucket" -> {
                TokenBucket bucket = new TokenBucket(capacity, refill, period, NanoClock.SYSTEM);
                yield bucket::tryAcquire;
            }
            case "bucket4j", "bucket4j_nanos" -> {
                LocalBucketBuilder builder = Bucket.builder()
                        .addLimit(limit -> limit.capacity(capacity).refillGreedy(refill, period));
                Bucket bucket = (impl.equals("bucket4j_nanos") ? builder.withNanosecondPrecision() : builder).build();
                yield () -> bucket.tryConsume(1);
            }
            default -> throw new IllegalArgumentException("unknown impl " + impl);
        };
        if (!admit) {
            if (!acquirer.tryAcquire() || acquirer.tryAcquire()) {
                throw new IllegalStateException(impl + ": the refusing bucket should grant exactly its one token");
            }
        }
    }

    @Benchmark
    public boolean oneThread() {
        return acquirer.tryAcquire();
    }

    @Benchmark
    @Threads(2)
    public boolean twoThreads() {
        return acquirer.tryAcquire();
    }

    /** The measured call; one implementation per fork, so it stays monomorphic. */
    @FunctionalInterface
    private interface Acquirer {
        boolean tryAcquire();
    }
}
