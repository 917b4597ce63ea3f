package io.pingora4j.lb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** Selectors called from several threads at once keep their guarantees. */
class ConcurrencyTest {

    private static final int THREADS = 4;

    private static int[] hammer(Selector s, int picksPerThread, boolean trackInFlight) throws InterruptedException {
        AtomicIntegerArray counts = new AtomicIntegerArray(s.backends().size());
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < picksPerThread; i++) {
                    int p = s.select(null);
                    counts.incrementAndGet(p);
                    if (trackInFlight) {
                        s.backends().stats(p).onRequestStart();
                        s.backends().stats(p).onRequestEnd(false);
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        int[] result = new int[counts.length()];
        for (int i = 0; i < result.length; i++) {
            result[i] = counts.get(i);
        }
        return result;
    }

    @Test
    void smoothWeightedKeepsExactSharesUnderContention() throws InterruptedException {
        // 4 x 7000 picks = 4000 full cycles of a,a,b,a,c,a,a
        int[] counts = hammer(new SmoothWeightedRoundRobin(Fixtures.set(5, 1, 1)), 7000, false);
        assertArrayEquals(new int[] {20_000, 4000, 4000}, counts);
    }

    @Test
    void roundRobinKeepsEqualSharesUnderContention() throws InterruptedException {
        int[] counts = hammer(new RoundRobin(Fixtures.set(1, 1, 1)), 3000, false);
        assertArrayEquals(new int[] {4000, 4000, 4000}, counts);
    }

    @Test
    void leastConnectionsLeavesNoInFlightBehind() throws InterruptedException {
        BackendSet set = Fixtures.set(1, 2, 1);
        int[] counts = hammer(new LeastConnections(set), 5000, true);
        assertEquals(THREADS * 5000, counts[0] + counts[1] + counts[2]);
        for (int i = 0; i < set.size(); i++) {
            assertEquals(0, set.stats(i).inFlight());
            assertEquals(counts[i], set.stats(i).requests());
        }
    }
}
