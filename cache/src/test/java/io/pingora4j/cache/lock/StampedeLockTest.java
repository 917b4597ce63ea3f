package io.pingora4j.cache.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.cache.lock.StampedeLock.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StampedeLockTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    private final StampedeLock<String> lock = new StampedeLock<>(clock::get, Duration.ofSeconds(30));

    private StampedeLock<String>.Writer writer(String key) {
        StampedeLock.Permit permit = lock.acquire(key, deadline(5));
        assertTrue(permit.isWriter(), "expected to become the writer");
        return (StampedeLock<String>.Writer) permit;
    }

    private StampedeLock<String>.Waiter waiter(String key) {
        StampedeLock.Permit permit = lock.acquire(key, deadline(5));
        assertFalse(permit.isWriter(), "expected to wait");
        return (StampedeLock<String>.Waiter) permit;
    }

    private long deadline(long seconds) {
        return clock.get() + seconds * SECOND;
    }

    @Test
    void hundredConcurrentAcquisitionsYieldExactlyOneWriter() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<StampedeLock.Permit>> permits = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                permits.add(pool.submit(() -> {
                    start.await();
                    return lock.acquire("k", deadline(5));
                }));
            }
            start.countDown();
            List<StampedeLock<?>.Writer> writers = new ArrayList<>();
            List<StampedeLock<?>.Waiter> waiters = new ArrayList<>();
            for (Future<StampedeLock.Permit> permit : permits) {
                StampedeLock.Permit p = permit.get(10, TimeUnit.SECONDS);
                if (p instanceof StampedeLock<?>.Writer w) {
                    writers.add(w);
                } else {
                    waiters.add((StampedeLock<?>.Waiter) p);
                }
            }
            assertEquals(1, writers.size());
            assertEquals(99, waiters.size());

            assertTrue(writers.get(0).release());
            for (StampedeLock<?>.Waiter w : waiters) {
                assertEquals(Outcome.Kind.DONE, w.future().getNow(null).kind());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void differentKeysHaveIndependentWriters() {
        writer("a");
        writer("b");
        assertEquals(2, lock.lockedKeys());
    }

    @Test
    void releaseCompletesEveryWaiterWithDoneAndFreesTheKey() {
        StampedeLock<String>.Writer w = writer("k");
        StampedeLock<String>.Waiter first = waiter("k");
        StampedeLock<String>.Waiter second = waiter("k");
        assertFalse(first.future().isDone());

        assertTrue(w.release());

        assertEquals(Outcome.Kind.DONE, first.future().getNow(null).kind());
        assertEquals(Outcome.Kind.DONE, second.future().getNow(null).kind());
        assertEquals(0, lock.lockedKeys());
        writer("k");
    }

    @Test
    void abandonPromotesTheOldestWaiterAndOthersKeepWaiting() {
        StampedeLock<String>.Writer w = writer("k");
        StampedeLock<String>.Waiter first = waiter("k");
        StampedeLock<String>.Waiter second = waiter("k");

        assertTrue(w.abandon());

        Outcome outcome = first.future().getNow(null);
        assertEquals(Outcome.Kind.PROMOTED, outcome.kind());
        assertFalse(second.future().isDone());
        StampedeLock<String>.Writer next = outcome.writer();
        assertEquals("k", next.key());
        assertTrue(next.release());
        assertEquals(Outcome.Kind.DONE, second.future().getNow(null).kind());
    }

    @Test
    void abandonWithoutWaitersFreesTheKey() {
        assertTrue(writer("k").abandon());
        assertEquals(0, lock.lockedKeys());
    }

    @Test
    void endingAWriterTwiceIsANoOp() {
        StampedeLock<String>.Writer w = writer("k");
        assertTrue(w.release());
        writer("k");
        assertFalse(w.release(), "a stale writer must not release the new writer's key");
        assertFalse(w.abandon());
        assertEquals(1, lock.lockedKeys());
    }

    @Test
    void waiterPastItsDeadlineTimesOutOnExpire() {
        writer("k");
        StampedeLock<String>.Waiter late = waiter("k");
        StampedeLock.Permit patient = lock.acquire("k", deadline(60));

        clock.addAndGet(5 * SECOND);
        assertEquals(1, lock.expire());

        assertEquals(Outcome.Kind.TIMED_OUT, late.future().getNow(null).kind());
        assertFalse(((StampedeLock<?>.Waiter) patient).future().isDone());
    }

    @Test
    void cancelledWaiterIsNotPromoted() {
        StampedeLock<String>.Writer w = writer("k");
        StampedeLock<String>.Waiter quitter = waiter("k");
        StampedeLock<String>.Waiter stayer = waiter("k");

        assertTrue(quitter.cancel());
        w.abandon();

        assertEquals(Outcome.Kind.CANCELLED, quitter.future().getNow(null).kind());
        assertEquals(Outcome.Kind.PROMOTED, stayer.future().getNow(null).kind());
    }

    @Test
    void waiterWhoseFutureWasCancelledDirectlyPassesTheKeyOn() {
        StampedeLock<String>.Writer w = writer("k");
        StampedeLock<String>.Waiter gone = waiter("k");
        StampedeLock<String>.Waiter stayer = waiter("k");

        gone.future().cancel(true);
        w.abandon();

        assertEquals(Outcome.Kind.PROMOTED, stayer.future().getNow(null).kind());
    }

    @Test
    void writerPastTimeoutIsReplacedByTheNextAcquirer() {
        StampedeLock<String>.Writer stuck = writer("k");
        clock.addAndGet(30 * SECOND);

        StampedeLock<String>.Writer fresh = writer("k");
        StampedeLock<String>.Waiter w = waiter("k");

        assertFalse(stuck.release(), "the presumed-dead writer no longer holds the key");
        assertFalse(w.future().isDone());
        assertTrue(fresh.release());
        assertEquals(Outcome.Kind.DONE, w.future().getNow(null).kind());
    }

    @Test
    void expireHandsAStuckWritersKeyToTheOldestWaiter() {
        writer("k");
        StampedeLock.Permit waiting = lock.acquire("k", deadline(120));
        clock.addAndGet(30 * SECOND);

        lock.expire();

        Outcome outcome = ((StampedeLock<?>.Waiter) waiting).future().getNow(null);
        assertNotNull(outcome);
        assertEquals(Outcome.Kind.PROMOTED, outcome.kind());
    }

    @Test
    void callbacksMayReacquireTheSameKey() {
        StampedeLock<String>.Writer w = writer("k");
        StampedeLock<String>.Waiter waiting = waiter("k");
        List<StampedeLock.Permit> reacquired = new ArrayList<>();
        waiting.future().thenRun(() -> reacquired.add(lock.acquire("k", deadline(5))));

        w.release();

        assertEquals(1, reacquired.size());
        assertTrue(reacquired.get(0).isWriter());
        assertEquals(1, lock.lockedKeys());
    }
}
