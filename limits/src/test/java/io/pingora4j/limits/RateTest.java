package io.pingora4j.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class RateTest {

    private static final Duration SECOND = Duration.ofSeconds(1);

    private final FakeClock clock = new FakeClock();

    private Rate rate() {
        return new Rate(SECOND, 4, 1024, clock, 42);
    }

    @Test
    void rateObserveReturnsTheCurrentIntervalEstimate() {
        Rate rate = rate();
        assertEquals(1, rate.observe("a", 1));
        assertEquals(3, rate.observe("a", 2));
        assertEquals(1, rate.observe("b", 1));
        assertEquals(3, rate.current("a"));
    }

    @Test
    void rateReportsThePreviousIntervalCount() {
        Rate rate = rate();
        rate.observe("a", 3);
        assertEquals(0, rate.rate("a"), "the first interval has no previous");
        clock.advanceMillis(1000);
        assertEquals(3, rate.rate("a"));
        assertEquals(0, rate.current("a"));
        clock.advanceMillis(999);
        assertEquals(3, rate.rate("a"));
    }

    @Test
    void rateForgetsAnIntervalWithNoObservations() {
        Rate rate = rate();
        rate.observe("a", 3);
        clock.advanceMillis(2000);
        assertEquals(0, rate.rate("a"));
    }

    @Test
    void rateKeepsEachIntervalSeparateAcrossManyRotations() {
        Rate rate = rate();
        for (int interval = 1; interval <= 20; interval++) {
            rate.observe(7L, interval);
            clock.advanceMillis(1000);
            assertEquals(interval, rate.rate(7L), "interval " + interval);
        }
    }

    @Test
    void rateDiscardsStaleCountsAfterIdleGaps() {
        for (int idle = 2; idle <= 7; idle++) {
            Rate rate = rate();
            rate.observe("a", 5);
            clock.advanceMillis(1000);
            rate.observe("a", 6);
            clock.advanceMillis(1000L * idle);
            assertEquals(1, rate.observe("a", 1), "idle " + idle);
            assertEquals(0, rate.rate("a"), "idle " + idle);
            clock.advanceMillis(1000);
            assertEquals(1, rate.rate("a"), "idle " + idle);
        }
    }

    @Test
    void rateReadsThroughAnyKeyForm() {
        Rate rate = rate();
        rate.observe("key", 1);
        rate.observe(new StringBuilder("key"), 1);
        rate.observe(new byte[] {1, 2, 3}, 4);
        rate.observe(99L, 5);
        clock.advanceMillis(1000);
        assertEquals(2, rate.rate("key"));
        assertEquals(4, rate.rate(new byte[] {1, 2, 3}));
        assertEquals(5, rate.rate(99L));
    }

    @Test
    void rateScalesToEventsPerSecond() {
        Rate rate = new Rate(Duration.ofMillis(500), 4, 1024, clock, 1);
        rate.observe("a", 10);
        clock.advanceMillis(500);
        assertEquals(20.0, rate.ratePerSecond("a"), 1e-9);
    }

    @Test
    void rateEstimatesNeverUndercount() {
        Rate rate = new Rate(SECOND, 4, 256, clock, 3);
        int keys = 20_000;
        for (int k = 0; k < keys; k++) {
            rate.observe(k, k % 7 + 1);
        }
        clock.advanceMillis(1000);
        long over = 0;
        for (int k = 0; k < keys; k++) {
            long estimate = rate.rate(k);
            assertTrue(estimate >= k % 7 + 1, "key " + k);
            over += estimate - (k % 7 + 1);
        }
        assertTrue(over > 0, "a 4x256 sketch under 20,000 keys must collide");
    }

    @Test
    void rateMemoryIsConstantWithAMillionDistinctKeys() {
        Rate rate = new Rate(SECOND, 4, 1024, clock, 5);
        long before = rate.counterCount();
        assertEquals(3 * 4 * 1024, before);
        StringBuilder key = new StringBuilder();
        for (int k = 0; k < 1_000_000; k++) {
            key.setLength(0);
            key.append("client-").append(k);
            rate.observe(key, 1);
            if (k % 250_000 == 0) {
                clock.advanceMillis(1000);
            }
        }
        assertEquals(before, rate.counterCount());
    }

    @Test
    void rateRotationLosesNoObservationsMadeWhileOtherThreadsCount() throws InterruptedException {
        // One thread moves time one interval on every 1000 of its observations and checks that
        // the interval it just left kept at least its own 1000, while another thread counts
        // the same key throughout. A rotation that cleared a sketch being written would lose some.
        Rate rate = rate();
        int intervals = 200;
        long[] shortfalls = new long[1];
        CountDownLatch start = new CountDownLatch(1);
        Thread ticker = new Thread(() -> {
            try {
                start.await();
            } catch (InterruptedException e) {
                return;
            }
            for (int interval = 0; interval < intervals; interval++) {
                for (int i = 0; i < 1000; i++) {
                    rate.observe("hot", 1);
                }
                clock.advanceMillis(1000);
                if (rate.rate("hot") < 1000) {
                    shortfalls[0]++;
                }
            }
        });
        Thread other = new Thread(() -> {
            try {
                start.await();
            } catch (InterruptedException e) {
                return;
            }
            while (ticker.isAlive()) {
                rate.observe("hot", 1);
            }
        });
        ticker.start();
        other.start();
        start.countDown();
        ticker.join(30_000);
        other.join(30_000);
        assertFalse(ticker.isAlive() || other.isAlive());
        assertEquals(0, shortfalls[0]);
    }
}
