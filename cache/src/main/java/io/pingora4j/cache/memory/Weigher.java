package io.pingora4j.cache.memory;

/**
 * Computes the weight (normally the size in bytes) of a cache entry.
 *
 * <p>Called on the putting thread, possibly concurrently; must be pure and fast.
 */
@FunctionalInterface
public interface Weigher<K, V> {

    /** Every entry weighs 1: the cache bound becomes an entry count. */
    static <K, V> Weigher<K, V> unit() {
        return (k, v) -> 1L;
    }

    /** Returns the non-negative weight of the entry. */
    long weigh(K key, V value);
}
