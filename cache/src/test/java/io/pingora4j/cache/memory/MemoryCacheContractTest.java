package io.pingora4j.cache.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The behaviour every {@link MemoryCache} shares, run against each implementation. */
class MemoryCacheContractTest {

    interface Factory {
        MemoryCache<Integer, String> create(long maxWeight, EvictionListener<Integer, String> listener);
    }

    record Impl(String name, Factory factory) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Impl> implementations() {
        return Stream.of(
                new Impl("TinyUFO", (max, l) -> new TinyUfoCache<>(max, 1024, (k, v) -> v.length(), l)),
                new Impl("LRU, 1 shard", (max, l) -> new LruCache<>(max, 1, (k, v) -> v.length(), l)),
                new Impl("LRU, 16 shards", (max, l) -> new LruCache<>(max, 16, (k, v) -> v.length(), l)));
    }

    private static MemoryCache<Integer, String> cache(Impl impl, long maxWeight) {
        return impl.factory().create(maxWeight, EvictionListener.none());
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void getReturnsTheValuePut(Impl impl) {
        MemoryCache<Integer, String> cache = cache(impl, 100);
        assertTrue(cache.put(1, "one", 3));
        assertEquals("one", cache.get(1));
        assertNull(cache.get(2));
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void putReplacesValueAndWeight(Impl impl) {
        MemoryCache<Integer, String> cache = cache(impl, 100);
        cache.put(1, "one", 3);
        cache.put(1, "uno", 7);
        assertEquals("uno", cache.get(1));
        assertEquals(1, cache.size());
        assertEquals(7, cache.weight());
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void putWithoutWeightUsesTheWeigher(Impl impl) {
        MemoryCache<Integer, String> cache = cache(impl, 100);
        cache.put(1, "abcde");
        assertEquals(5, cache.weight());
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void removeReturnsTheValueAndFreesItsWeight(Impl impl) {
        MemoryCache<Integer, String> cache = cache(impl, 100);
        cache.put(1, "one", 3);
        assertEquals("one", cache.remove(1));
        assertNull(cache.remove(1));
        assertNull(cache.get(1));
        assertEquals(0, cache.size());
        assertEquals(0, cache.weight());
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void entryHeavierThanMaxWeightIsRejected(Impl impl) {
        MemoryCache<Integer, String> cache = cache(impl, 100);
        assertFalse(cache.put(1, "huge", 101));
        assertNull(cache.get(1));
        assertEquals(0, cache.weight());
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void rejectedOversizedPutDropsTheOldValue(Impl impl) {
        MemoryCache<Integer, String> cache = cache(impl, 100);
        cache.put(1, "small", 5);
        assertFalse(cache.put(1, "huge", 101));
        assertNull(cache.get(1), "a reader must never see a value older than the last put");
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void entryOfExactlyMaxWeightFits(Impl impl) {
        MemoryCache<Integer, String> cache = cache(impl, 100);
        assertTrue(cache.put(1, "full", 100));
        assertEquals("full", cache.get(1));
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void negativeWeightIsRefused(Impl impl) {
        MemoryCache<Integer, String> cache = cache(impl, 100);
        assertThrows(IllegalArgumentException.class, () -> cache.put(1, "x", -1));
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void weightNeverExceedsMaxUnderChurn(Impl impl) {
        MemoryCache<Integer, String> cache = cache(impl, 1_000);
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            int key = random.nextInt(500);
            if (random.nextInt(4) == 0) {
                cache.get(key);
            } else {
                cache.put(key, "v", 1 + random.nextInt(300));
            }
            assertTrue(cache.weight() <= 1_000, "weight " + cache.weight() + " after op " + i);
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void weightEqualsSumOfResidentEntries(Impl impl) {
        MemoryCache<Integer, String> cache = cache(impl, 500);
        for (int key = 0; key < 400; key++) {
            cache.put(key, "v", weightOf(key));
        }
        long sum = 0;
        long count = 0;
        for (int key = 0; key < 400; key++) {
            if (cache.get(key) != null) {
                sum += weightOf(key);
                count++;
            }
        }
        assertEquals(sum, cache.weight());
        assertEquals(count, cache.size());
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void evictedEntriesAreReportedAndGone(Impl impl) {
        Set<Integer> evicted = ConcurrentHashMap.newKeySet();
        MemoryCache<Integer, String> cache = impl.factory().create(10, (k, v, w) -> evicted.add(k));
        for (int key = 0; key < 30; key++) {
            cache.put(key, "v", 1);
        }
        assertFalse(evicted.isEmpty());
        for (int key : evicted) {
            assertNull(cache.get(key));
        }
    }

    /**
     * Two threads put disjoint fresh keys and read each other's; afterwards every accepted key
     * is either resident or was reported evicted, and the weight is the sum of the residents.
     */
    @ParameterizedTest
    @MethodSource("implementations")
    void concurrentGetAndPutKeepInvariants(Impl impl) throws InterruptedException {
        Set<Integer> evicted = ConcurrentHashMap.newKeySet();
        Set<Integer> accepted = ConcurrentHashMap.newKeySet();
        MemoryCache<Integer, String> cache = impl.factory().create(2_000, (k, v, w) -> evicted.add(k));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = List.of(0, 1).stream().map(parity -> new Thread(() -> {
            try {
                start.await();
                SplittableRandom random = new SplittableRandom(parity);
                for (int i = 0; i < 30_000; i++) {
                    int key = 2 * i + parity;
                    if (cache.put(key, "v", weightOf(key))) {
                        accepted.add(key);
                    }
                    cache.get(random.nextInt(2 * i + 2));
                    long weight = cache.weight();
                    if (weight > 2_000) {
                        throw new AssertionError("weight " + weight + " over bound");
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        })).toList();
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertNull(failure.get(), () -> "worker failed: " + failure.get());

        long residentWeight = 0;
        long resident = 0;
        for (int key : accepted) {
            if (evicted.contains(key)) {
                assertNull(cache.get(key), "evicted key " + key + " still present");
            } else {
                assertNotNull(cache.get(key), "key " + key + " lost without eviction");
                residentWeight += weightOf(key);
                resident++;
            }
        }
        assertEquals(resident, cache.size());
        assertEquals(residentWeight, cache.weight());
        assertTrue(cache.weight() <= 2_000);
    }

    /** Both threads put, replace, remove and read the same 300 keys; the books must still balance. */
    @ParameterizedTest
    @MethodSource("implementations")
    void concurrentPutRemoveOnSharedKeysKeepsWeightAccountingExact(Impl impl) throws InterruptedException {
        MemoryCache<Integer, String> cache = cache(impl, 1_000);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = List.of(0, 1).stream().map(seed -> new Thread(() -> {
            try {
                start.await();
                SplittableRandom random = new SplittableRandom(seed);
                for (int i = 0; i < 40_000; i++) {
                    int key = random.nextInt(300);
                    switch (random.nextInt(4)) {
                        case 0 -> cache.remove(key);
                        case 1 -> cache.get(key);
                        default -> cache.put(key, "v", weightOf(key));
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        })).toList();
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertNull(failure.get(), () -> "worker failed: " + failure.get());
        long residentWeight = 0;
        long resident = 0;
        for (int key = 0; key < 300; key++) {
            if (cache.get(key) != null) {
                residentWeight += weightOf(key);
                resident++;
            }
        }
        assertEquals(resident, cache.size());
        assertEquals(residentWeight, cache.weight());
    }

    private static long weightOf(int key) {
        return 1 + key % 13;
    }
}
