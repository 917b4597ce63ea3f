package io.pingora4j.cache.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A byte-weighted cache with TinyLFU admission and S3-FIFO eviction, after Pingora's TinyUFO.
 *
 * <h2>Policy</h2>
 * <ul>
 *   <li><b>Two FIFO queues.</b> New entries go to the tail of a <em>small</em> queue (a tenth of
 *       the weight); entries that survive there move to the <em>main</em> queue. Each entry has
 *       a 2-bit use counter that reads raise (saturating at 3).
 *   <li><b>Eviction (S3-FIFO).</b> While the small queue is over its share, its head is examined:
 *       if it was read while in the small queue it is promoted to the main tail, otherwise it is
 *       the victim and its key hash goes to the <em>ghost</em> queue. Otherwise the main head is
 *       examined: a used entry has its counter lowered and goes back to the tail (a second
 *       chance per use), an unused one is the victim.
 *   <li><b>Ghost queue.</b> Hashes of keys recently evicted from the small queue. A new entry
 *       whose hash is there was wanted again soon after leaving, so it goes straight to main.
 *   <li><b>Admission (TinyLFU).</b> A {@link FrequencySketch} counts recent accesses (hits and
 *       puts) by key hash. When the cache is full, a new entry must out-score (or tie) each victim
 *       it would displace: if its estimated frequency is below any victim's, the new entry is
 *       refused and all its victims stay. The decision is made before anything is evicted, so a
 *       heavy newcomer that needs several victims never evicts some and is then refused. One-hit
 *       wonders therefore cannot push out a hot set.
 * </ul>
 *
 * <h2>Thread-safety and design</h2>
 * Safe for any number of threads. Reads take no lock: a {@link ConcurrentHashMap} lookup, a
 * single lossy CAS on the entry's use counter, and a lock-free sketch increment. Puts and removes
 * are serialised by one {@link ReentrantLock} that guards both queues, the ghost and the weight
 * totals; the map is only changed under that lock, so map and queues agree whenever the lock is
 * free. A node's key, value and weight are final: a put of an existing key installs a new node.
 * Benign races: a reader may return a value whose node is being evicted at that moment (the read
 * is ordered before the eviction), and a use-counter bump on an evicted node is simply lost.
 *
 * <p>Not allocation-free on writes: a put allocates a node, and the ghost queue boxes hashes.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class TinyUfoCache<K, V> implements MemoryCache<K, V> {

    private static final byte SMALL = 1;
    private static final byte MAIN = 2;
    private static final int MAX_USES = 3;

    private final long maxWeight;
    private final long smallTarget;
    private final Weigher<? super K, ? super V> weigher;
    private final EvictionListener<? super K, ? super V> listener;
    private final FrequencySketch sketch;
    private final ConcurrentHashMap<K, Node<K, V>> map;
    private final ReentrantLock writeLock = new ReentrantLock();

    // guarded by writeLock
    private final NodeList<K, V> small = new NodeList<>();
    private final NodeList<K, V> main = new NodeList<>();
    private final Ghost ghost;
    /** Scratch list of the victims {@link #admit} holds off the queues while it decides. */
    private final List<Node<K, V>> detached = new ArrayList<>();
    private long smallWeight;
    private long mainWeight;
    // written under writeLock, read by anyone
    private volatile long totalWeight;

    /**
     * A cache bounded by {@code maxWeight}, every entry weighing 1 unless given an explicit weight.
     *
     * @param estimatedEntries roughly how many entries fit; sizes the frequency sketch
     */
    public TinyUfoCache(long maxWeight, long estimatedEntries) {
        this(maxWeight, estimatedEntries, Weigher.unit(), EvictionListener.none());
    }

    /**
     * @param maxWeight bound on the sum of entry weights, positive
     * @param estimatedEntries roughly how many entries fit; sizes the frequency sketch
     * @param weigher weight of entries put without an explicit weight
     * @param listener told of evictions, under the write lock
     */
    public TinyUfoCache(long maxWeight, long estimatedEntries,
                        Weigher<? super K, ? super V> weigher,
                        EvictionListener<? super K, ? super V> listener) {
        if (maxWeight <= 0) {
            throw new IllegalArgumentException("maxWeight must be positive: " + maxWeight);
        }
        this.maxWeight = maxWeight;
        this.smallTarget = Math.max(1, maxWeight / 10);
        this.weigher = Objects.requireNonNull(weigher, "weigher");
        this.listener = Objects.requireNonNull(listener, "listener");
        long entries = Math.max(16, estimatedEntries);
        this.sketch = new FrequencySketch(entries);
        this.map = new ConcurrentHashMap<>((int) Math.min(1 << 20, entries));
        this.ghost = new Ghost((int) Math.min(1 << 24, entries));
    }

    @Override
    public V get(K key) {
        Node<K, V> node = map.get(key);
        if (node == null) {
            return null;
        }
        node.touch();
        sketch.increment(node.hash);
        return node.value;
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
        int hash = spread(key.hashCode());
        writeLock.lock();
        try {
            int frequency = sketch.increment(hash);
            Node<K, V> old = map.get(key);
            if (old != null) {
                return replace(old, value, weight);
            }
            if (!admit(frequency, weight)) {
                return false;
            }
            Node<K, V> node = new Node<>(key, hash, value, weight);
            if (ghost.remove(hash)) {
                link(node, MAIN);
            } else {
                link(node, SMALL);
            }
            map.put(key, node);
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public V remove(K key) {
        if (!map.containsKey(key)) {
            return null;
        }
        writeLock.lock();
        try {
            Node<K, V> node = map.remove(key);
            if (node == null) {
                return null;
            }
            unlink(node);
            return node.value;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public long size() {
        return map.size();
    }

    @Override
    public long weight() {
        return totalWeight;
    }

    @Override
    public long maxWeight() {
        return maxWeight;
    }

    /**
     * TinyLFU admission of a newcomer of {@code weight} and estimated {@code frequency}: takes
     * the victims S3-FIFO picks, off their queues but still in the map, until their weight makes
     * room; if the newcomer out-scores (or ties) every one of them they are evicted, otherwise
     * they go back to the heads of their queues in order and nothing is evicted.
     */
    private boolean admit(int frequency, long weight) {
        List<Node<K, V>> victims = detached;
        try {
            while (totalWeight + weight > maxWeight) {
                Node<K, V> victim = nextVictim();
                detach(victim);
                victims.add(victim);
                if (frequency < sketch.estimate(victim.hash)) {
                    for (int i = victims.size() - 1; i >= 0; i--) {
                        reattachAtHead(victims.get(i));
                    }
                    return false;
                }
            }
            for (int i = 0; i < victims.size(); i++) {
                evictDetached(victims.get(i));
            }
            return true;
        } finally {
            victims.clear();
        }
    }

    /** An update is not subject to admission: the key is already resident and just got used. */
    private boolean replace(Node<K, V> old, V value, long weight) {
        Node<K, V> node = new Node<>(old.key, old.hash, value, weight);
        node.uses = Math.min(MAX_USES, old.uses + 1);
        byte queue = old.queue;
        unlink(old);
        // reserve room before linking so the total never exceeds the bound
        while (totalWeight + weight > maxWeight) {
            evict(nextVictim());
        }
        link(node, queue);
        map.put(node.key, node);
        return true;
    }

    /**
     * Finds, without removing it, the entry S3-FIFO would evict next, promoting and re-queuing
     * used entries on the way. Must only be called when the cache holds at least one entry.
     * Terminates: each pass either shrinks the small queue or lowers a use counter, and readers
     * can raise a counter at most to {@link #MAX_USES}.
     */
    private Node<K, V> nextVictim() {
        while (true) {
            if (smallWeight > smallTarget || main.isEmpty()) {
                Node<K, V> head = small.head();
                if (head.uses > 0) {
                    unlink(head);
                    head.uses = 0;
                    link(head, MAIN);
                    continue;
                }
                return head;
            }
            Node<K, V> head = main.head();
            int uses = head.uses;
            if (uses > 0) {
                head.uses = uses - 1;
                main.moveToTail(head);
                continue;
            }
            return head;
        }
    }

    private void evict(Node<K, V> victim) {
        detach(victim);
        evictDetached(victim);
    }

    private void evictDetached(Node<K, V> victim) {
        if (victim.queue == SMALL) {
            ghost.add(victim.hash);
        }
        victim.queue = 0;
        map.remove(victim.key, victim);
        listener.onEvicted(victim.key, victim.value, victim.weight);
    }

    private void link(Node<K, V> node, byte queue) {
        node.queue = queue;
        if (queue == SMALL) {
            small.addTail(node);
            smallWeight += node.weight;
        } else {
            main.addTail(node);
            mainWeight += node.weight;
        }
        totalWeight = smallWeight + mainWeight;
    }

    private void unlink(Node<K, V> node) {
        detach(node);
        node.queue = 0;
    }

    /** Takes the node off its queue and out of the weight totals, but it remembers the queue. */
    private void detach(Node<K, V> node) {
        if (node.queue == SMALL) {
            small.remove(node);
            smallWeight -= node.weight;
        } else {
            main.remove(node);
            mainWeight -= node.weight;
        }
        totalWeight = smallWeight + mainWeight;
    }

    /** Undoes {@link #detach}: the node goes back first in line in the queue it came from. */
    private void reattachAtHead(Node<K, V> node) {
        if (node.queue == SMALL) {
            small.addHead(node);
            smallWeight += node.weight;
        } else {
            main.addHead(node);
            mainWeight += node.weight;
        }
        totalWeight = smallWeight + mainWeight;
    }

    static int spread(int h) {
        return (h ^ (h >>> 16)) * 0x45D9F3B;
    }

    /** A cache entry and its place in one of the queues. */
    private static final class Node<K, V> {
        private static final VarHandle USES;

        static {
            try {
                USES = MethodHandles.lookup().findVarHandle(Node.class, "uses", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final K key;
        final int hash;
        final V value;
        final long weight;
        /** Raised by readers with a lossy CAS, lowered by the writer under the lock. */
        volatile int uses;
        // guarded by the cache's write lock
        byte queue;
        Node<K, V> prev;
        Node<K, V> next;

        Node(K key, int hash, V value, long weight) {
            this.key = key;
            this.hash = hash;
            this.value = value;
            this.weight = weight;
        }

        /** One CAS attempt: losing a bump to a racing reader or writer is harmless. */
        void touch() {
            int current = uses;
            if (current < MAX_USES) {
                USES.compareAndSet(this, current, current + 1);
            }
        }
    }

    /** An intrusive doubly linked FIFO; O(1) unlink of any node. Guarded by the write lock. */
    private static final class NodeList<K, V> {
        private Node<K, V> head;
        private Node<K, V> tail;

        boolean isEmpty() {
            return head == null;
        }

        Node<K, V> head() {
            return head;
        }

        void addTail(Node<K, V> node) {
            node.prev = tail;
            node.next = null;
            if (tail == null) {
                head = node;
            } else {
                tail.next = node;
            }
            tail = node;
        }

        void addHead(Node<K, V> node) {
            node.prev = null;
            node.next = head;
            if (head == null) {
                tail = node;
            } else {
                head.prev = node;
            }
            head = node;
        }

        void remove(Node<K, V> node) {
            if (node.prev == null) {
                head = node.next;
            } else {
                node.prev.next = node.next;
            }
            if (node.next == null) {
                tail = node.prev;
            } else {
                node.next.prev = node.prev;
            }
            node.prev = null;
            node.next = null;
        }

        void moveToTail(Node<K, V> node) {
            if (node != tail) {
                remove(node);
                addTail(node);
            }
        }
    }

    /**
     * FIFO of recently evicted key hashes with a multiset for membership; holds at most
     * {@code capacity} hashes. Approximate on purpose: a hash collision, or a ring slot whose hash
     * was already consumed ageing out and forgetting a newer occurrence, only changes which
     * queue one entry starts in. Guarded by the write lock.
     */
    private static final class Ghost {
        private final int[] ring;
        private final Map<Integer, Integer> counts = new HashMap<>();
        private int head;
        private int size;

        Ghost(int capacity) {
            this.ring = new int[capacity];
        }

        void add(int hash) {
            if (size == ring.length) {
                forget(ring[head]);
                head = (head + 1) % ring.length;
                size--;
            }
            ring[(head + size) % ring.length] = hash;
            size++;
            counts.merge(hash, 1, Integer::sum);
        }

        /** Consumes one occurrence of {@code hash}; the ring slot is reclaimed lazily. */
        boolean remove(int hash) {
            return forget(hash);
        }

        private boolean forget(int hash) {
            Integer count = counts.get(hash);
            if (count == null) {
                return false;
            }
            if (count == 1) {
                counts.remove(hash);
            } else {
                counts.put(hash, count - 1);
            }
            return true;
        }
    }
}
