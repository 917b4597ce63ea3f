package io.pingora4j.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private final FakeClock clock = new FakeClock();

    /** 10 tokens, 3 more every microsecond: one token per 333.33 ns. */
    private TokenBucket thirdsBucket() {
        return new TokenBucket(10, 3, Duration.ofNanos(1000), clock);
    }

    private static long drain(TokenBucket bucket) {
        long taken = 0;
        while (bucket.tryAcquire()) {
            taken++;
        }
        return taken;
    }

    @Test
    void tokenBucketStartsFull() {
        TokenBucket bucket = thirdsBucket();
        assertEquals(10, bucket.availableTokens());
        assertEquals(10, drain(bucket));
        assertFalse(bucket.tryAcquire());
    }

    @Test
    void tokenBucketRefillsExactCountsAfterPreciseElapsedTimes() {
        TokenBucket bucket = thirdsBucket();
        drain(bucket);
        clock.advance(333);
        assertEquals(0, bucket.availableTokens(), "333 ns is 0.999 of a token");
        clock.advance(1);
        assertEquals(1, bucket.availableTokens(), "334 ns is 1.002 tokens");
        clock.advance(666 - 334);
        assertEquals(1, bucket.availableTokens(), "666 ns is 1.998 tokens");
        clock.advance(1);
        assertEquals(2, bucket.availableTokens(), "667 ns is 2.001 tokens");
        clock.advance(1000 - 667);
        assertEquals(3, bucket.availableTokens());
    }

    @Test
    void tokenBucketKeepsTheFractionOfATokenAcrossAcquisitions() {
        TokenBucket bucket = thirdsBucket();
        drain(bucket);
        clock.advance(500); // 1.5 tokens
        assertTrue(bucket.tryAcquire());
        assertFalse(bucket.tryAcquire());
        clock.advance(167); // 2.001 tokens since drained: the half token was kept
        assertTrue(bucket.tryAcquire());
    }

    @Test
    void tokenBucketRefillsExactlyWithoutDrift() {
        TokenBucket bucket = thirdsBucket();
        long granted = 0;
        for (int step = 0; step < 1_000_000; step++) {
            clock.advance(7);
            if (bucket.tryAcquire()) {
                granted++;
            }
        }
        // 7,000,000 ns at 3 tokens per 1000 ns is exactly 21,000 tokens, plus the initial 10.
        assertEquals(10 + 21_000, granted);
        assertEquals(0, bucket.availableTokens());
    }

    @Test
    void tokenBucketNeverHoldsMoreThanCapacity() {
        TokenBucket bucket = thirdsBucket();
        drain(bucket);
        clock.advance(Duration.ofDays(365).toNanos());
        assertEquals(10, bucket.availableTokens());
        assertEquals(10, drain(bucket));
    }

    @Test
    void tokenBucketAcquiresManyTokensAllOrNothing() {
        TokenBucket bucket = thirdsBucket();
        assertTrue(bucket.tryAcquire(6));
        assertFalse(bucket.tryAcquire(5));
        assertEquals(4, bucket.availableTokens());
        assertTrue(bucket.tryAcquire(4));
    }

    @Test
    void tokenBucketRefusesMoreThanCapacityForever() {
        TokenBucket bucket = thirdsBucket();
        assertFalse(bucket.tryAcquire(11));
        assertEquals(Long.MAX_VALUE, bucket.nanosUntil(11));
    }

    @Test
    void tokenBucketNanosUntilIsZeroWhenTokensAreAvailable() {
        assertEquals(0, thirdsBucket().nanosUntil(10));
    }

    @Test
    void tokenBucketNanosUntilNamesTheFirstInstantTokensAreAvailable() {
        TokenBucket bucket = thirdsBucket();
        drain(bucket);
        long wait = bucket.nanosUntil(2);
        assertEquals(667, wait);
        clock.advance(wait - 1);
        assertFalse(bucket.tryAcquire(2));
        clock.advance(1);
        assertTrue(bucket.tryAcquire(2));
    }

    @Test
    void tokenBucketNanosUntilAccountsForAPartlyRefilledBucket() {
        TokenBucket bucket = thirdsBucket();
        drain(bucket);
        clock.advance(500); // 1.5 tokens in: the 4th token arrives at 1334 ns
        assertEquals(834, bucket.nanosUntil(4));
    }

    @Test
    void tokenBucketHandlesAwkwardRatesOverLongIdlePeriods() {
        TokenBucket bucket = new TokenBucket(1_000_000, 999_999, Duration.ofSeconds(1), clock);
        assertTrue(bucket.tryAcquire(1_000_000));
        clock.advance(Duration.ofDays(3650).toNanos());
        assertEquals(1_000_000, bucket.availableTokens());
        assertTrue(bucket.tryAcquire(1_000_000));
        clock.advance(1_000_000_000L);
        assertEquals(999_999, bucket.availableTokens());
    }

    @Test
    void tokenBucketConcurrentAcquisitionsNeverExceedCapacityPlusRefill() throws InterruptedException {
        TokenBucket bucket = new TokenBucket(50, 1, Duration.ofNanos(10), clock);
        int steps = 200_000;
        long[] granted = new long[2];
        CountDownLatch start = new CountDownLatch(1);
        Thread ticker = new Thread(() -> {
            await(start);
            for (int i = 0; i < steps; i++) {
                clock.advance(3);
                if (bucket.tryAcquire()) {
                    granted[0]++;
                }
            }
        });
        Thread other = new Thread(() -> {
            await(start);
            for (int i = 0; i < steps; i++) {
                if (bucket.tryAcquire()) {
                    granted[1]++;
                }
            }
        });
        ticker.start();
        other.start();
        start.countDown();
        ticker.join(TimeUnit.SECONDS.toMillis(30));
        other.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(ticker.isAlive() || other.isAlive(), "threads did not finish");

        long allowed = 50 + (3L * steps) / 10; // capacity + exact refill over 600,000 ns
        long total = granted[0] + granted[1];
        assertTrue(total <= allowed, total + " granted, " + allowed + " allowed");
        // Whatever the threads left behind is still there: nothing over-granted, nothing lost.
        assertEquals(allowed, total + drain(bucket));
    }

    @Test
    void tokenBucketRejectsNonsenseConfiguration() {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1, Duration.ofSeconds(1), clock));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 0, Duration.ofSeconds(1), clock));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 1, Duration.ZERO, clock));
        assertThrows(IllegalArgumentException.class, () -> thirdsBucket().tryAcquire(0));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
