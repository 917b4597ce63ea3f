package io.pingora4j.cache.memory;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HitRatioTest {

    private static final int KEYS = 100_000;
    private static final int CAPACITY = KEYS / 100;
    private static final int REQUESTS = 1_000_000;
    private static final long SEED = 42;

    @Test
    void tinyUfoBeatsLruOnZipf09WithOnePercentCache() {
        double ufo = HitRatioSimulation.hitRatio(new TinyUfoCache<>(CAPACITY, CAPACITY), KEYS, 0.9, REQUESTS, SEED);
        double lru = HitRatioSimulation.hitRatio(
                new LruCache<>(CAPACITY, 1, Weigher.unit(), EvictionListener.none()), KEYS, 0.9, REQUESTS, SEED);
        System.out.printf("zipf 0.9, %d keys, cache %d, %d requests: TinyUFO %.4f, LRU %.4f%n",
                KEYS, CAPACITY, REQUESTS, ufo, lru);
        assertTrue(ufo >= lru + 0.03, "TinyUFO " + ufo + " should clearly beat LRU " + lru);
    }
}
