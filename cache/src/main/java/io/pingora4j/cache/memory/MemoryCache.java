package io.pingora4j.cache.memory;

/**
 * A bounded, byte-weighted, in-memory key/value cache.
 *
 * <p>Every entry has a weight (normally its size in bytes); the sum of the weights of the
 * entries held never exceeds {@link #maxWeight()}. An entry heavier than {@code maxWeight()}
 * is refused. Implementations decide which entries to evict, and may refuse to admit a new
 * entry at all (see {@link TinyUfoCache}).
 *
 * <p>All implementations are thread-safe: any thread may call any method at any time.
 *
 * @param <K> key type; must have consistent {@code equals}/{@code hashCode}
 * @param <V> value type
 */
public interface MemoryCache<K, V> {

    /**
     * Returns the value cached for {@code key}, or {@code null}. A hit counts as an access
     * for the eviction policy.
     */
    V get(K key);

    /**
     * Caches {@code value} under {@code key} with an explicit weight, replacing any previous value.
     *
     * @return {@code true} if the entry is now cached; {@code false} if it was refused (too heavy,
     *     or not admitted by the policy). A refused put of an existing key removes the old value,
     *     so a reader never sees a value older than the last put.
     * @throws IllegalArgumentException if {@code weight} is negative
     */
    boolean put(K key, V value, long weight);

    /** Caches {@code value} with the weight given by this cache's {@link Weigher}. */
    boolean put(K key, V value);

    /** Removes the entry for {@code key}; returns its value, or {@code null} if there was none. */
    V remove(K key);

    /** Number of entries held. */
    long size();

    /** Sum of the weights of the entries held; never above {@link #maxWeight()}. */
    long weight();

    /** The weight bound given at construction. */
    long maxWeight();
}
