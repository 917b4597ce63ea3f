package io.pingora4j.cache.memory;

/**
 * Told when the cache drops an entry by its own decision (capacity), never for an explicit
 * {@link MemoryCache#remove} or a replacement by {@code put}.
 *
 * <p>Called while the cache holds its write lock (or the entry's shard lock), on the thread
 * whose put caused the eviction: it must be quick and must not call back into the cache.
 */
@FunctionalInterface
public interface EvictionListener<K, V> {

    /** A listener that does nothing. */
    static <K, V> EvictionListener<K, V> none() {
        return (k, v, w) -> { };
    }

    /** The entry {@code key -> value} of weight {@code weight} was evicted. */
    void onEvicted(K key, V value, long weight);
}
