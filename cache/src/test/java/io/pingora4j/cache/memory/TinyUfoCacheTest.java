package io.pingora4j.cache.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TinyUfoCacheTest {

    @Test
    void oneHitNewcomerIsRefusedAgainstFrequentVictim() {
        TinyUfoCache<Integer, Integer> cache = new TinyUfoCache<>(10, 10);
        for (int key = 0; key < 10; key++) {
            cache.put(key, key);
            for (int read = 0; read < 5; read++) {
                cache.get(key);
            }
        }
        assertFalse(cache.put(100, 100));
        assertNull(cache.get(100));
        for (int key = 0; key < 10; key++) {
            assertNotNull(cache.get(key), "frequent key " + key + " was evicted for a one-hit newcomer");
        }
    }

    @Test
    void everyOneHitNewcomerIsRefusedWhileTheHotSetStays() {
        List<Integer> evicted = new ArrayList<>();
        // a sketch far wider than the cache, so no newcomer inherits a hot key's counters
        TinyUfoCache<Integer, Integer> cache = new TinyUfoCache<>(10, 1024, Weigher.unit(),
                (key, value, weight) -> evicted.add(key));
        for (int key = 0; key < 10; key++) {
            cache.put(key, key);
            for (int read = 0; read < 5; read++) {
                cache.get(key);
            }
        }
        for (int key = 100; key < 200; key++) {
            assertFalse(cache.put(key, key), "one-hit newcomer " + key + " admitted");
        }
        assertEquals(List.of(), evicted);
        assertEquals(10, cache.size());
    }

    /**
     * Builds a full main queue headed by a frequent, unread entry, then reads it once: the read
     * must give it a second chance, so that a newcomer refused against it a moment ago is now
     * weighed against the next, colder entry and admitted.
     */
    @Test
    void readOfTheNextVictimGivesItASecondChance() {
        List<Integer> evicted = new ArrayList<>();
        TinyUfoCache<Integer, Integer> cache = new TinyUfoCache<>(10, 1024, Weigher.unit(),
                (key, value, weight) -> evicted.add(key));
        int hot = 0;
        int warm = 1;
        cache.put(hot, hot);
        for (int read = 0; read < 5; read++) {
            cache.get(hot);
        }
        cache.put(warm, warm);
        cache.get(warm);
        for (int filler = 10; filler < 18; filler++) {
            cache.put(filler, filler);
        }
        // promotes hot and warm to main, evicts filler 10 (into the ghost) for newcomer 99
        assertTrue(cache.put(99, 99));
        // each filler back from the ghost goes to main and evicts the next one from small,
        // until small holds only 99: main is then hot, warm, 10..16
        for (int filler = 10; filler < 17; filler++) {
            assertTrue(cache.put(filler, filler), "filler " + filler + " back from the ghost");
        }
        assertEquals(List.of(10, 11, 12, 13, 14, 15, 16, 17), evicted);

        int newcomer = 100;
        assertFalse(cache.put(newcomer, newcomer), "refused against hot, first in line");
        assertFalse(cache.put(newcomer, newcomer), "still refused against hot");
        cache.get(hot);
        assertTrue(cache.put(newcomer, newcomer), "hot was read: warm is first in line now");
        assertEquals(warm, evicted.get(evicted.size() - 1));
        assertEquals(hot, cache.get(hot));
    }

    @Test
    void newcomerIsAdmittedAgainstEquallyColdVictim() {
        TinyUfoCache<Integer, Integer> cache = new TinyUfoCache<>(10, 10);
        for (int key = 0; key < 10; key++) {
            cache.put(key, key);
        }
        assertTrue(cache.put(100, 100));
        assertEquals(100, cache.get(100));
        assertEquals(10, cache.size());
    }

    @Test
    void repeatedlyRequestedNewcomerIsEventuallyAdmitted() {
        TinyUfoCache<Integer, Integer> cache = new TinyUfoCache<>(10, 10);
        for (int key = 0; key < 10; key++) {
            cache.put(key, key);
            cache.get(key);
            cache.get(key);
        }
        boolean admitted = false;
        for (int attempt = 0; attempt < 10 && !admitted; attempt++) {
            admitted = cache.put(100, 100);
        }
        assertTrue(admitted, "a key that becomes popular must get in");
    }

    @Test
    void scanOfOneHitKeysDoesNotFlushHotSet() {
        assertTrue(hotHitRatioDuringScan(new TinyUfoCache<>(100, 100)) >= 0.9);
    }

    @Test
    void sameScanFlushesTheHotSetOfAnLru() {
        // the control for the test above: without admission the scan wins
        LruCache<Integer, Integer> lru = new LruCache<>(100, 1, Weigher.unit(), EvictionListener.none());
        assertTrue(hotHitRatioDuringScan(lru) < 0.5);
    }

    @Test
    void newHotSetTakesOverOnceTheOldOneCoolsDown() {
        TinyUfoCache<Integer, Integer> cache = new TinyUfoCache<>(100, 100);
        for (int round = 0; round < 50; round++) {
            for (int key = 0; key < 100; key++) {
                readThrough(cache, key);
            }
        }
        int hits = 0;
        for (int round = 0; round < 50; round++) {
            for (int key = 1_000; key < 1_100; key++) {
                if (readThrough(cache, key) && round >= 40) {
                    hits++;
                }
            }
        }
        assertTrue(hits >= 900, "aging must let the new hot set in; hits in last 10 rounds: " + hits);
    }

    @Test
    void unreadEntriesLeaveBeforeReadOnesWhenFull() {
        TinyUfoCache<Integer, Integer> cache = new TinyUfoCache<>(20, 20);
        for (int key = 0; key < 20; key++) {
            cache.put(key, key);
        }
        for (int key = 0; key < 20; key += 2) {
            cache.get(key);
        }
        for (int key = 100; key < 105; key++) {
            cache.put(key, key);
        }
        for (int key = 0; key < 20; key += 2) {
            assertNotNull(cache.get(key), "read key " + key + " evicted before unread ones");
        }
    }

    @Test
    void heavyNewcomerDisplacesSeveralColdEntries() {
        TinyUfoCache<Integer, Integer> cache = new TinyUfoCache<>(100, 16);
        for (int key = 0; key < 10; key++) {
            cache.put(key, key, 10);
        }
        assertTrue(cache.put(100, 100, 35));
        assertTrue(cache.weight() <= 100);
        assertEquals(100, cache.get(100));
    }

    /**
     * The newcomer needs two victims' room: it out-scores the first (cold) one but not the second
     * (hot) one, so it is refused, and the refusal must leave the cold one in place too.
     */
    @Test
    void refusedHeavyNewcomerEvictsNothing() {
        List<Integer> evicted = new ArrayList<>();
        TinyUfoCache<Integer, Integer> cache = new TinyUfoCache<>(100, 16, Weigher.unit(),
                (key, value, weight) -> evicted.add(key));
        for (int key = 0; key < 10; key++) {
            cache.put(key, key, 10);
        }
        for (int key = 1; key < 10; key++) {
            for (int read = 0; read < 5; read++) {
                cache.get(key);
            }
        }
        assertFalse(cache.put(100, 100, 20));
        assertEquals(List.of(), evicted);
        assertEquals(10, cache.size());
        assertEquals(100, cache.weight());
        assertEquals(0, cache.get(0));
    }

    /**
     * 50 hot keys, warmed up, then 10,000 one-hit keys with one hot read per two scan keys:
     * between two reads of the same hot key, 100 scan keys pass, as many as the cache holds.
     */
    private static double hotHitRatioDuringScan(MemoryCache<Integer, Integer> cache) {
        int hot = 50;
        for (int round = 0; round < 5; round++) {
            for (int key = 0; key < hot; key++) {
                readThrough(cache, key);
            }
        }
        int hotHits = 0;
        int hotReads = 0;
        int scanKey = 1_000_000;
        for (int i = 0; i < 10_000; i++) {
            readThrough(cache, scanKey++);
            if (i % 2 == 1) {
                hotReads++;
                if (readThrough(cache, i / 2 % hot)) {
                    hotHits++;
                }
            }
        }
        return (double) hotHits / hotReads;
    }

    private static boolean readThrough(MemoryCache<Integer, Integer> cache, int key) {
        if (cache.get(key) != null) {
            return true;
        }
        cache.put(key, key);
        return false;
    }
}
