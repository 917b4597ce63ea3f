package io.pingora4j.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class InflightTest {

    private final Inflight inflight = new Inflight(4, 1024, 17);

    @Test
    void inflightGuardCountsItselfAndDecrementsOnClose() {
        Inflight.Guard first = inflight.incr("a");
        Inflight.Guard second = inflight.incr("a");
        assertEquals(1, first.count());
        assertEquals(2, second.count());
        assertEquals(2, first.current());
        first.close();
        assertEquals(1, inflight.count("a"));
        second.close();
        assertEquals(0, inflight.count("a"));
    }

    @Test
    void inflightGuardClosedTwiceDecrementsOnce() {
        Inflight.Guard other = inflight.incr("a");
        Inflight.Guard guard = inflight.incr("a");
        guard.close();
        guard.close();
        assertTrue(guard.isClosed());
        assertEquals(1, inflight.count("a"));
        other.close();
    }

    @Test
    void inflightGuardClosedConcurrentlyDecrementsOnce() throws InterruptedException {
        for (int round = 0; round < 2_000; round++) {
            Inflight.Guard keep = inflight.incr(1L);
            Inflight.Guard guard = inflight.incr(1L);
            CountDownLatch go = new CountDownLatch(1);
            Thread closer = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                guard.close();
            });
            closer.start();
            go.countDown();
            guard.close();
            closer.join(10_000);
            assertFalse(closer.isAlive());
            assertEquals(1, inflight.count(1L), "round " + round);
            keep.close();
        }
    }

    @Test
    void inflightWorksInTryWithResources() {
        try (Inflight.Guard guard = inflight.incr(new byte[] {1})) {
            assertEquals(1, guard.current());
        }
        assertEquals(0, inflight.count(new byte[] {1}));
    }

    @Test
    void inflightEstimatesNeverUndercount() {
        Inflight small = new Inflight(3, 64, 5);
        int keys = 5_000;
        for (int k = 0; k < keys; k++) {
            for (int i = 0; i <= k % 3; i++) {
                small.incr(k);
            }
        }
        for (int k = 0; k < keys; k++) {
            assertTrue(small.count(k) >= k % 3 + 1, "key " + k);
        }
    }

    @Test
    void inflightMemoryIsConstantWithAMillionDistinctKeys() {
        long before = inflight.counterCount();
        assertEquals(4 * 1024, before);
        for (long k = 0; k < 1_000_000; k++) {
            inflight.incr(k).close();
        }
        assertEquals(before, inflight.counterCount());
        assertEquals(0, inflight.count(123L), "every guard closed: every counter back to zero");
    }

    @Test
    void inflightHashApiCountsWithoutGuards() {
        long hash = inflight.hasher().hash("k");
        assertEquals(1, inflight.incrementHash(hash));
        assertEquals(1, inflight.count("k"));
        inflight.decrementHash(hash);
        assertEquals(0, inflight.countHash(hash));
    }
}
