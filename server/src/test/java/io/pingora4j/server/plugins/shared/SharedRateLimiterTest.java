package io.pingora4j.server.plugins.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The shared limit's sync and bounds against an in-memory store, rounds driven by the test. */
class SharedRateLimiterTest {

    private static final Duration SYNC = Duration.ofMillis(5);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** A store in a map; {@code down} makes every call fail as an unreachable Redis would. */
    static final class MapStore implements CounterStore {
        final Map<String, Long> counts = new ConcurrentHashMap<>();
        volatile boolean down;

        @Override
        public String describe() {
            return "map";
        }

        @Override
        public void open() {
            if (down) {
                throw new IllegalStateException("refused");
            }
        }

        @Override
        public CompletionStage<Long> add(String key, long delta, Duration ttl) {
            if (down) {
                return CompletableFuture.failedFuture(new IllegalStateException("refused"));
            }
            return CompletableFuture.completedFuture(counts.merge(key, delta, Long::sum));
        }

        @Override
        public CompletionStage<Long> read(String key) {
            if (down) {
                return CompletableFuture.failedFuture(new IllegalStateException("refused"));
            }
            return CompletableFuture.completedFuture(counts.getOrDefault(key, 0L));
        }

        @Override
        public void close() {
        }
    }

    private final AtomicLong millis = new AtomicLong(1_000_000); // at a window boundary
    private final MapStore store = new MapStore();

    private SharedRateLimiter limiter(long max, boolean failOpen) {
        return new SharedRateLimiter("perIp", max, 1000, 0.0, failOpen, millis::get);
    }

    private static int admit(SharedRateLimiter l, String key, int tries) {
        int admitted = 0;
        for (int i = 0; i < tries; i++) {
            if (l.tryAcquire(key)) {
                admitted++;
            }
        }
        return admitted;
    }

    @Test
    void oneProxyAdmitsMaxPerWindowWithoutWaitingForTheStore() {
        SharedRateLimiter a = limiter(100, true);
        new CountSync(store, SYNC, TIMEOUT).register(a);
        assertEquals(100, admit(a, "1.2.3.4", 150));
    }

    @Test
    void aProxyRefusesOnceTheFleetTotalItReadBackReachesMax() throws InterruptedException {
        SharedRateLimiter a = limiter(100, true);
        SharedRateLimiter b = limiter(100, true);
        CountSync syncA = new CountSync(store, SYNC, TIMEOUT);
        CountSync syncB = new CountSync(store, SYNC, TIMEOUT);
        syncA.register(a);
        syncB.register(b);
        assertEquals(70, admit(a, "k", 70));
        syncA.syncOnce();
        assertEquals(1, admit(b, "k", 1)); // b has not synced yet: it knows only its own count
        syncB.syncOnce();                  // sends 1, reads back 71
        assertEquals(29, admit(b, "k", 50));
        syncB.syncOnce();
        syncA.syncOnce();                  // a reads back 100
        assertEquals(0, admit(a, "k", 10));
        assertEquals(100L, store.counts.get(a.storeKey("k", 1000)));
    }

    @Test
    void fleetOverAdmissionIsAtMostWhatOtherProxiesAdmittedWithinOneSyncLag() throws InterruptedException {
        // two proxies, each admitting at most 3 per sync lag: the fleet total may pass max by at most 3
        SharedRateLimiter a = limiter(100, true);
        SharedRateLimiter b = limiter(100, true);
        CountSync syncA = new CountSync(store, SYNC, TIMEOUT);
        CountSync syncB = new CountSync(store, SYNC, TIMEOUT);
        syncA.register(a);
        syncB.register(b);
        long total = 0;
        for (int round = 0; round < 200; round++) {
            total += admit(a, "k", 3) + admit(b, "k", 3);
            syncA.syncOnce();
            syncB.syncOnce();
        }
        assertTrue(total >= 100 && total <= 103, "fleet admitted " + total);
    }

    @Test
    void aNewWindowStartsAFreshFleetCount() throws InterruptedException {
        SharedRateLimiter a = limiter(10, true);
        CountSync sync = new CountSync(store, SYNC, TIMEOUT);
        sync.register(a);
        assertEquals(10, admit(a, "k", 20));
        sync.syncOnce();
        millis.addAndGet(1000);
        assertEquals(10, admit(a, "k", 20));
    }

    @Test
    void storeDownWithFailOpenLimitsWithLocalCountsAndCountsTheFailure() throws InterruptedException {
        SharedRateLimiter a = limiter(100, true);
        CountSync syncA = new CountSync(store, SYNC, TIMEOUT);
        syncA.register(a);
        store.counts.put(a.storeKey("k", 1000), 89L); // the other proxies have used 89
        assertEquals(1, admit(a, "k", 1));
        syncA.syncOnce();                              // reads back 90
        assertEquals(10, admit(a, "k", 10));
        store.down = true;
        syncA.syncOnce();
        assertFalse(syncA.up());
        assertEquals(1, syncA.failures());
        assertEquals(89, admit(a, "k", 150)); // its own 100 in all; the fleet's 89 no longer counts
    }

    @Test
    void storeDownWithoutFailOpenRefusesEverything() throws InterruptedException {
        SharedRateLimiter a = limiter(100, false);
        CountSync sync = new CountSync(store, SYNC, TIMEOUT);
        sync.register(a);
        store.down = true;
        sync.syncOnce();
        assertEquals(0, admit(a, "k", 5));
    }

    @Test
    void countsAdmittedWhileTheStoreWasDownAreSentWhenItAnswersAgain() throws InterruptedException {
        SharedRateLimiter a = limiter(100, true);
        CountSync sync = new CountSync(store, SYNC, TIMEOUT);
        sync.register(a);
        store.down = true;
        sync.syncOnce();
        admit(a, "k", 40);
        store.down = false;
        sync.syncOnce();
        assertTrue(sync.up());
        assertEquals(40L, store.counts.get(a.storeKey("k", 1000)));
    }

    @Test
    void anIdleSyncStillNoticesTheStoreGoingDownWithinItsProbeRounds() throws InterruptedException {
        CountSync sync = new CountSync(store, SYNC, TIMEOUT);
        sync.register(limiter(100, true));
        sync.syncOnce();
        store.down = true;
        for (int i = 0; i < CountSync.IDLE_PROBE_EVERY; i++) {
            sync.syncOnce();
        }
        assertFalse(sync.up());
    }

    @Test
    void theStoreKeyNamesTheLimitTheClientKeyAndTheWindow() {
        assertEquals("pingora4j:limit:perIp:1.2.3.4:1000", limiter(1, true).storeKey("1.2.3.4", 1000));
    }
}
