package io.pingora4j.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class KeyedLimiterTest {

    private final FakeClock clock = new FakeClock();

    private KeyedRateLimiter rateLimiter(long max, double weight) {
        return new KeyedRateLimiter(max, Duration.ofSeconds(10), weight, 4, 1024, clock, 99);
    }

    private static int admit(KeyedRateLimiter limiter, String key, int attempts) {
        int admitted = 0;
        for (int i = 0; i < attempts; i++) {
            if (limiter.tryAcquire(key)) {
                admitted++;
            }
        }
        return admitted;
    }

    @Test
    void keyedRateLimiterAdmitsMaxPerIntervalThenRefuses() {
        KeyedRateLimiter limiter = rateLimiter(10, 0.0);
        assertEquals(10, admit(limiter, "1.2.3.4", 50));
        assertFalse(limiter.tryAcquire("1.2.3.4"));
    }

    @Test
    void keyedRateLimiterKeepsKeysApart() {
        KeyedRateLimiter limiter = rateLimiter(10, 1.0);
        assertEquals(10, admit(limiter, "noisy", 100));
        assertEquals(10, admit(limiter, "quiet", 10));
    }

    @Test
    void keyedRateLimiterWithoutWeightStartsAfreshEachInterval() {
        KeyedRateLimiter limiter = rateLimiter(10, 0.0);
        admit(limiter, "k", 10);
        clock.advanceMillis(10_000);
        assertEquals(10, admit(limiter, "k", 50));
    }

    @Test
    void keyedRateLimiterWeightsThePreviousIntervalBySlidingShare() {
        KeyedRateLimiter limiter = rateLimiter(10, 1.0);
        admit(limiter, "k", 10);
        clock.advanceMillis(10_000);
        assertEquals(0, admit(limiter, "k", 5), "all of the previous interval still counts");
        clock.advanceMillis(5_000);
        assertEquals(5, admit(limiter, "k", 50), "half of it has slid out");
    }

    @Test
    void keyedRateLimiterAppliesAPartialWeight() {
        KeyedRateLimiter limiter = rateLimiter(10, 0.5);
        admit(limiter, "k", 10);
        clock.advanceMillis(10_000);
        assertEquals(5, limiter.estimate("k"));
        assertEquals(5, admit(limiter, "k", 50));
    }

    @Test
    void keyedRateLimiterDoesNotCountRefusedRequests() {
        KeyedRateLimiter limiter = rateLimiter(10, 0.0);
        admit(limiter, "k", 1_000);
        assertEquals(10, limiter.estimate("k"));
        clock.advanceMillis(10_000);
        assertEquals(10, admit(limiter, "k", 1_000));
    }

    @Test
    void keyedRateLimiterRetryAfterIsZeroWhenAdmissible() {
        assertEquals(0, rateLimiter(10, 1.0).retryAfterSeconds("k"));
    }

    @Test
    void keyedRateLimiterRetryAfterRoundsUpToTheNextInterval() {
        KeyedRateLimiter limiter = rateLimiter(10, 0.0);
        clock.advanceMillis(2_500);
        admit(limiter, "k", 10);
        assertEquals(Duration.ofMillis(7_500).toNanos(), limiter.retryAfterNanos("k"));
        assertEquals(8, limiter.retryAfterSeconds("k"));
        clock.advanceMillis(7_500);
        assertTrue(limiter.tryAcquire("k"));
    }

    @Test
    void keyedRateLimiterRetryAfterFollowsTheSlidingWindow() {
        KeyedRateLimiter limiter = rateLimiter(10, 1.0);
        admit(limiter, "k", 10);
        clock.advanceMillis(10_000);
        // floor(10 * (10s - e) / 10s) <= 9 first holds 1 ns into the interval.
        assertEquals(1, limiter.retryAfterNanos("k"));
        assertEquals(1, limiter.retryAfterSeconds("k"));
    }

    @Test
    void keyedRateLimiterWithZeroMaxRefusesEverything() {
        KeyedRateLimiter limiter = rateLimiter(0, 1.0);
        assertFalse(limiter.tryAcquire("k"));
        assertTrue(limiter.retryAfterSeconds("k") > 1_000_000_000L);
    }

    @Test
    void keyedRateLimiterMemoryIsConstantWithAMillionDistinctKeys() {
        KeyedRateLimiter limiter = rateLimiter(5, 1.0);
        long before = limiter.counterCount();
        for (long k = 0; k < 1_000_000; k++) {
            assertTrue(limiter.tryAcquire(k) || k > 1_000, "early keys are admitted");
        }
        assertEquals(before, limiter.counterCount());
    }

    @Test
    void keyedRateLimiterRejectsAWeightOutsideZeroToOne() {
        assertThrows(IllegalArgumentException.class, () -> rateLimiter(1, 1.5));
        assertThrows(IllegalArgumentException.class, () -> rateLimiter(1, Double.NaN));
    }

    @Test
    void keyedInflightLimiterAdmitsUpToMaxConcurrently() {
        KeyedInflightLimiter limiter = new KeyedInflightLimiter(2, 4, 1024, 7);
        Inflight.Guard first = limiter.tryAcquire("k");
        Inflight.Guard second = limiter.tryAcquire("k");
        assertNotNull(first);
        assertNotNull(second);
        assertNull(limiter.tryAcquire("k"));
        assertNotNull(limiter.tryAcquire("other"));
        first.close();
        assertNotNull(limiter.tryAcquire("k"));
    }

    @Test
    void keyedInflightLimiterRefusalLeavesTheCountUnchanged() {
        KeyedInflightLimiter limiter = new KeyedInflightLimiter(1, 4, 1024, 7);
        limiter.tryAcquire("k");
        for (int i = 0; i < 10; i++) {
            assertNull(limiter.tryAcquire("k"));
        }
        assertEquals(1, limiter.inflight("k"));
    }

    @Test
    void keyedInflightLimiterHashApiAdmitsAndReleasesWithoutGuards() {
        KeyedInflightLimiter limiter = new KeyedInflightLimiter(1, 4, 1024, 7);
        long hash = limiter.hasher().hash("k");
        assertTrue(limiter.tryAcquireHash(hash));
        assertFalse(limiter.tryAcquireHash(hash));
        limiter.releaseHash(hash);
        assertTrue(limiter.tryAcquireHash(hash));
    }

    @Test
    void keyedInflightLimiterMemoryIsConstantWithAMillionDistinctKeys() {
        KeyedInflightLimiter limiter = new KeyedInflightLimiter(1, 4, 1024, 7);
        long before = limiter.counterCount();
        for (long k = 0; k < 1_000_000; k++) {
            Inflight.Guard guard = limiter.tryAcquire(k);
            assertNotNull(guard, "key " + k);
            guard.close();
        }
        assertEquals(before, limiter.counterCount());
    }
}
