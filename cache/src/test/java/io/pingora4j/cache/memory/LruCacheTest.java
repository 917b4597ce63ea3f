package io.pingora4j.cache.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LruCacheTest {

    private static LruCache<String, String> singleShard(long maxWeight) {
        return new LruCache<>(maxWeight, 1, Weigher.unit(), EvictionListener.none());
    }

    @Test
    void evictsLeastRecentlyUsed() {
        LruCache<String, String> cache = singleShard(3);
        cache.put("a", "a");
        cache.put("b", "b");
        cache.put("c", "c");
        cache.get("a");
        cache.put("d", "d");
        assertNull(cache.get("b"));
        assertNotNull(cache.get("a"));
        assertNotNull(cache.get("c"));
        assertNotNull(cache.get("d"));
    }

    @Test
    void replacingAnEntryCountsAsUse() {
        LruCache<String, String> cache = singleShard(2);
        cache.put("a", "a");
        cache.put("b", "b");
        cache.put("a", "a2");
        cache.put("c", "c");
        assertNull(cache.get("b"));
        assertEquals("a2", cache.get("a"));
    }

    @Test
    void heavyEntryEvictsAsManyOldEntriesAsNeeded() {
        LruCache<String, String> cache = singleShard(10);
        cache.put("a", "a", 4);
        cache.put("b", "b", 4);
        cache.put("c", "c", 2);
        cache.put("big", "big", 7);
        assertNull(cache.get("a"));
        assertNull(cache.get("b"));
        assertNotNull(cache.get("c"));
        assertEquals(9, cache.weight());
    }

    @Test
    void entryLargerThanAShardsShareStillFitsWhenShardsAreMany() {
        LruCache<Integer, Integer> cache = new LruCache<>(100, 16, Weigher.unit(), EvictionListener.none());
        for (int key = 0; key < 100; key++) {
            cache.put(key, key, 1);
        }
        assertTrue(cache.put(1_000, 1_000, 90));
        assertEquals(1_000, cache.get(1_000));
        assertTrue(cache.weight() <= 100);
    }
}
