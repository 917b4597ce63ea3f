package io.pingora4j.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class WindowCounterTest {

    private static final Duration WINDOW = Duration.ofNanos(1000);

    private final FakeClock clock = new FakeClock();

    private static long take(FixedWindowCounter counter) {
        long n = 0;
        while (counter.tryAcquire()) {
            n++;
        }
        return n;
    }

    private static long take(SlidingWindowCounter counter) {
        long n = 0;
        while (counter.tryAcquire()) {
            n++;
        }
        return n;
    }

    @Test
    void fixedWindowAllowsMaxPerWindow() {
        FixedWindowCounter counter = new FixedWindowCounter(10, WINDOW, clock);
        assertEquals(10, take(counter));
        assertFalse(counter.tryAcquire());
    }

    @Test
    void fixedWindowResetsExactlyAtTheBoundary() {
        FixedWindowCounter counter = new FixedWindowCounter(10, WINDOW, clock);
        take(counter);
        clock.advance(999);
        assertFalse(counter.tryAcquire());
        clock.advance(1);
        assertEquals(10, take(counter));
    }

    @Test
    void fixedWindowReportsTheTimeToTheNextWindow() {
        FixedWindowCounter counter = new FixedWindowCounter(10, WINDOW, clock);
        assertEquals(0, counter.nanosUntilAllowed(10));
        take(counter);
        clock.advance(250);
        assertEquals(750, counter.nanosUntilAllowed(1));
        assertEquals(Long.MAX_VALUE, counter.nanosUntilAllowed(11));
    }

    @Test
    void fixedWindowAcquiresManyPermitsAllOrNothing() {
        FixedWindowCounter counter = new FixedWindowCounter(10, WINDOW, clock);
        assertTrue(counter.tryAcquire(7));
        assertFalse(counter.tryAcquire(4));
        assertEquals(7, counter.used());
        assertTrue(counter.tryAcquire(3));
    }

    @Test
    void slidingWindowWeightsThePreviousWindowByItsShareStillInside() {
        SlidingWindowCounter counter = new SlidingWindowCounter(10, WINDOW, clock);
        take(counter);
        clock.advance(1000); // start of the next window: all of the previous one still counts
        assertEquals(10, counter.used());
        assertFalse(counter.tryAcquire());
        clock.advance(500); // half of it has slid out
        assertEquals(5, counter.used());
        assertEquals(5, take(counter));
    }

    @Test
    void slidingWindowForgetsEverythingAfterTwoIdleWindows() {
        SlidingWindowCounter counter = new SlidingWindowCounter(10, WINDOW, clock);
        take(counter);
        clock.advance(2000);
        assertEquals(0, counter.used());
        assertEquals(10, take(counter));
    }

    @Test
    void slidingWindowNamesTheFirstInstantARequestFits() {
        SlidingWindowCounter counter = new SlidingWindowCounter(10, WINDOW, clock);
        take(counter);
        clock.advance(1000);
        // floor(10 * (1000 - e) / 1000) <= 5 first holds at e = 401.
        long wait = counter.nanosUntilAllowed(5);
        assertEquals(401, wait);
        clock.advance(wait - 1);
        assertFalse(counter.tryAcquire(5));
        clock.advance(1);
        assertTrue(counter.tryAcquire(5));
    }

    @Test
    void slidingWindowWaitsIntoTheNextWindowWhenTheCurrentOneIsFull() {
        SlidingWindowCounter counter = new SlidingWindowCounter(10, WINDOW, clock);
        clock.advance(200);
        take(counter); // 10 in window 0
        // Window 1 starts at 1000 (800 ns away) with all 10 still counting; one fits once
        // floor(10 * (1000 - e) / 1000) <= 9, at e = 1.
        assertEquals(801, counter.nanosUntilAllowed(1));
    }

    @Test
    void slidingWindowCountsRequestsAdmittedJustBeforeTheRollover() {
        SlidingWindowCounter counter = new SlidingWindowCounter(10, WINDOW, clock);
        clock.advance(999);
        assertTrue(counter.tryAcquire(4));
        clock.advance(1);
        assertEquals(4, counter.used());
    }

    @Test
    void windowCountersNeverAdmitMoreThanMaxUnderContention() throws InterruptedException {
        FixedWindowCounter fixed = new FixedWindowCounter(1000, WINDOW, clock);
        SlidingWindowCounter sliding = new SlidingWindowCounter(1000, WINDOW, clock);
        long[] granted = new long[4];
        CountDownLatch start = new CountDownLatch(1);
        Thread[] threads = new Thread[2];
        for (int t = 0; t < 2; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 100_000; i++) {
                    if (fixed.tryAcquire()) {
                        granted[id]++;
                    }
                    if (sliding.tryAcquire()) {
                        granted[2 + id]++;
                    }
                }
            });
            threads[t].start();
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join(30_000);
            assertFalse(thread.isAlive());
        }
        assertEquals(1000, granted[0] + granted[1]);
        assertEquals(1000, granted[2] + granted[3]);
    }

    @Test
    void slidingWindowNeverLosesAdmissionsAcrossConcurrentRollovers() throws InterruptedException {
        // The clock only ever sits on a window start, where all of the previous window counts:
        // every admission into window w then needs count(w-1) + count(w) <= max. An admission
        // that slipped into window w-1 after w copied its count would break that.
        long max = 10;
        int windows = 100;
        SlidingWindowCounter counter = new SlidingWindowCounter(max, Duration.ofNanos(100), clock);
        long[] granted = new long[2];
        CountDownLatch start = new CountDownLatch(1);
        Thread ticker = new Thread(() -> {
            try {
                start.await();
            } catch (InterruptedException e) {
                return;
            }
            for (int i = 0; i < windows * 1000; i++) {
                if (counter.tryAcquire()) {
                    granted[0]++;
                }
                if (i % 1000 == 999) {
                    clock.advance(100); // exactly one window on
                }
            }
        });
        Thread other = new Thread(() -> {
            try {
                start.await();
            } catch (InterruptedException e) {
                return;
            }
            for (int i = 0; i < windows * 1000; i++) {
                if (counter.tryAcquire()) {
                    granted[1]++;
                }
            }
        });
        ticker.start();
        other.start();
        start.countDown();
        ticker.join(30_000);
        other.join(30_000);
        assertFalse(ticker.isAlive() || other.isAlive());
        // Summing count(w-1) + count(w) <= max over windows 1..100 bounds the total by
        // (100 * max + count(0) + count(100)) / 2.
        long total = granted[0] + granted[1];
        assertTrue(total <= (windows * max + 2 * max) / 2, total + " admitted");
        assertTrue(total >= windows * max / 2 - max, "the limiter admitted too little: " + total);
    }

    @Test
    void windowCountersRejectNonsenseConfiguration() {
        assertThrows(IllegalArgumentException.class, () -> new FixedWindowCounter(0, WINDOW, clock));
        assertThrows(IllegalArgumentException.class, () -> new SlidingWindowCounter(1, Duration.ZERO, clock));
        assertThrows(IllegalArgumentException.class, () -> new FixedWindowCounter(1, WINDOW, clock).tryAcquire(0));
    }
}
