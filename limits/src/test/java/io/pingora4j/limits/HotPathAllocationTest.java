package io.pingora4j.limits;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The hot paths allocate nothing per call: a per-call allocation of even 16 bytes over
 * 200,000 calls would be 3 MB; the budget allows only for the measurement's own noise.
 */
class HotPathAllocationTest {

    private static final int CALLS = 200_000;
    private static final long BUDGET_BYTES = 64 * 1024;

    private final FakeClock clock = new FakeClock();

    @Test
    void tokenBucketAcquireAllocatesNothing() {
        TokenBucket bucket = new TokenBucket(1_000, 1, Duration.ofNanos(10), clock);
        assertAllocationFree(() -> {
            clock.advance(5);
            bucket.tryAcquire();
        });
    }

    @Test
    void windowCountersAllocateNothingWithinAWindow() {
        SlidingWindowCounter sliding = new SlidingWindowCounter(Long.MAX_VALUE / 4, Duration.ofDays(1), clock);
        FixedWindowCounter fixed = new FixedWindowCounter(Long.MAX_VALUE / 4, Duration.ofDays(1), clock);
        assertAllocationFree(() -> {
            sliding.tryAcquire();
            fixed.tryAcquire();
        });
    }

    @Test
    void keyedLimitersAllocateNothingOnTheirHashPaths() {
        KeyedRateLimiter rate = new KeyedRateLimiter(1_000, Duration.ofSeconds(1), 1.0, 4, 1024, clock, 1);
        KeyedInflightLimiter inflight = new KeyedInflightLimiter(10, 4, 1024, 1);
        String key = "203.0.113.9";
        assertAllocationFree(() -> {
            clock.advance(1_000);
            rate.tryAcquire(key);
            long hash = inflight.hasher().hash(key);
            if (inflight.tryAcquireHash(hash)) {
                inflight.releaseHash(hash);
            }
        });
    }

    private static void assertAllocationFree(Runnable call) {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no allocation counter");
        com.sun.management.ThreadMXBean counter = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(counter.isThreadAllocatedMemorySupported() && counter.isThreadAllocatedMemoryEnabled());
        for (int i = 0; i < CALLS; i++) {
            call.run(); // warm up: link call sites, let the JIT compile
        }
        long thread = Thread.currentThread().getId();
        long before = counter.getThreadAllocatedBytes(thread);
        for (int i = 0; i < CALLS; i++) {
            call.run();
        }
        long allocated = counter.getThreadAllocatedBytes(thread) - before;
        assertTrue(allocated < BUDGET_BYTES, allocated + " bytes allocated over " + CALLS + " calls");
    }
}
