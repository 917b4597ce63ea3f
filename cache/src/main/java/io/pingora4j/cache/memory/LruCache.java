package io.pingora4j.cache.memory;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A byte-weighted least-recently-used cache, sharded by key hash.
 *
 * <p>Each shard is an access-ordered {@link LinkedHashMap} under its own lock, so threads
 * touching different shards never contend. The weight bound is global: a put first
 * <em>reserves</em> its weight on one shared counter with a CAS that never lets the total pass
 * {@code maxWeight}, evicting the least recently used entry of its own shard (then of the other
 * shards, one lock at a time) until the reservation fits. Recency is therefore exact within a
 * shard and approximate across shards; with one shard this is a strict LRU. Because the new
 * weight is reserved before the old value is replaced, a replacing put in a full cache may evict
 * the key's own old value (and report it to the listener) on the way.
 *
 * <p>Thread-safety: safe for any number of threads. No thread ever holds two shard locks, so
 * there is no lock-ordering deadlock. A reader of {@link #weight()} may briefly see weight
 * reserved for a put that has not yet become visible in its shard; it never sees more than
 * {@code maxWeight}.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class LruCache<K, V> implements MemoryCache<K, V> {

    /** Shards used by the short constructor. */
    public static final int DEFAULT_SHARDS = 16;

    private final long maxWeight;
    private final Shard<K, V>[] shards;
    private final int shardMask;
    private final Weigher<? super K, ? super V> weigher;
    private final EvictionListener<? super K, ? super V> listener;
    private final AtomicLong totalWeight = new AtomicLong();

    /** An LRU of {@link #DEFAULT_SHARDS} shards where every entry weighs 1 unless told otherwise. */
    public LruCache(long maxWeight) {
        this(maxWeight, DEFAULT_SHARDS, Weigher.unit(), EvictionListener.none());
    }

    /**
     * @param maxWeight bound on the sum of entry weights, positive
     * @param shards number of shards, rounded up to a power of two
     * @param weigher weight of entries put without an explicit weight
     * @param listener told of evictions, under the evicted entry's shard lock
     */
    @SuppressWarnings("unchecked")
    public LruCache(long maxWeight, int shards,
                    Weigher<? super K, ? super V> weigher,
                    EvictionListener<? super K, ? super V> listener) {
        if (maxWeight <= 0) {
            throw new IllegalArgumentException("maxWeight must be positive: " + maxWeight);
        }
        if (shards <= 0) {
            throw new IllegalArgumentException("shards must be positive: " + shards);
        }
        int count = 1;
        while (count < shards) {
            count <<= 1;
        }
        this.maxWeight = maxWeight;
        this.shards = (Shard<K, V>[]) new Shard<?, ?>[count];
        for (int i = 0; i < count; i++) {
            this.shards[i] = new Shard<>();
        }
        this.shardMask = count - 1;
        this.weigher = Objects.requireNonNull(weigher, "weigher");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public V get(K key) {
        Shard<K, V> shard = shardFor(key);
        shard.lock.lock();
        try {
            Entry<V> entry = shard.map.get(key);
            return entry == null ? null : entry.value;
        } finally {
            shard.lock.unlock();
        }
    }

    @Override
    public boolean put(K key, V value) {
        return put(key, value, weigher.weigh(key, value));
    }

    @Override
    public boolean put(K key, V value, long weight) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (weight < 0) {
            throw new IllegalArgumentException("negative weight: " + weight);
        }
        if (weight > maxWeight) {
            remove(key);
            return false;
        }
        int home = index(key);
        reserve(weight, home);
        Shard<K, V> shard = shards[home];
        Entry<V> old;
        shard.lock.lock();
        try {
            old = shard.map.put(key, new Entry<>(value, weight));
        } finally {
            shard.lock.unlock();
        }
        if (old != null) {
            totalWeight.addAndGet(-old.weight);
        }
        return true;
    }

    @Override
    public V remove(K key) {
        Shard<K, V> shard = shardFor(key);
        Entry<V> old;
        shard.lock.lock();
        try {
            old = shard.map.remove(key);
        } finally {
            shard.lock.unlock();
        }
        if (old == null) {
            return null;
        }
        totalWeight.addAndGet(-old.weight);
        return old.value;
    }

    @Override
    public long size() {
        long size = 0;
        for (Shard<K, V> shard : shards) {
            shard.lock.lock();
            try {
                size += shard.map.size();
            } finally {
                shard.lock.unlock();
            }
        }
        return size;
    }

    @Override
    public long weight() {
        return totalWeight.get();
    }

    @Override
    public long maxWeight() {
        return maxWeight;
    }

    /**
     * Adds {@code weight} to the total without ever passing the bound, evicting as needed.
     * If every shard is empty yet the weight does not fit, the room is held by other threads'
     * reservations whose entries are about to appear; spin until one can be evicted.
     */
    private void reserve(long weight, int home) {
        while (true) {
            long current = totalWeight.get();
            if (current + weight <= maxWeight) {
                if (totalWeight.compareAndSet(current, current + weight)) {
                    return;
                }
                continue;
            }
            if (!evictOne(home)) {
                Thread.onSpinWait();
            }
        }
    }

    private boolean evictOne(int home) {
        for (int i = 0; i < shards.length; i++) {
            Shard<K, V> shard = shards[(home + i) & shardMask];
            shard.lock.lock();
            try {
                Iterator<Map.Entry<K, Entry<V>>> eldest = shard.map.entrySet().iterator();
                if (eldest.hasNext()) {
                    Map.Entry<K, Entry<V>> victim = eldest.next();
                    eldest.remove();
                    totalWeight.addAndGet(-victim.getValue().weight);
                    listener.onEvicted(victim.getKey(), victim.getValue().value, victim.getValue().weight);
                    return true;
                }
            } finally {
                shard.lock.unlock();
            }
        }
        return false;
    }

    private Shard<K, V> shardFor(K key) {
        return shards[index(key)];
    }

    private int index(K key) {
        return (TinyUfoCache.spread(key.hashCode()) >>> 16) & shardMask;
    }

    private record Entry<V>(V value, long weight) { }

    private static final class Shard<K, V> {
        final ReentrantLock lock = new ReentrantLock();
        final LinkedHashMap<K, Entry<V>> map = new LinkedHashMap<>(16, 0.75f, true);
    }
}
