package io.pingora4j.cache.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
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
 * volatile read of the node's value, a single lossy CAS on its use counter, and a lock-free
 * sketch increment. A put that replaces a resident key's value with one of the same weight takes
 * no lock either: it swaps the value in the node with a CAS and counts as a use. Every other put,
 * and every remove, is serialised by one {@link ReentrantLock} that guards both queues, the ghost
 * and the weight totals; the map is only changed under that lock, so map and queues agree
 * whenever the lock is free. The commonest write in a full cache, a newcomer refused by
 * admission, usually takes no lock either: each write publishes the entry next in line for
 * eviction, and a newcomer that scores below it is refused on the spot (see
 * {@code refusedByNextVictim}). Writers that do need the lock spin on it briefly before parking.
 *
 * <p>A node leaves the cache (evicted, removed or replaced by a node of another weight) by having
 * its value swapped for a {@code RETIRED} marker, in the locked section that takes it out of the
 * map. So a
 * lock-free value swap either lands before the retirement (and the value it wrote is the one the
 * remove returns, or the eviction reports, or the replacement supersedes) or fails and falls back
 * to the locked path; a reader that finds a retired node in the map treats it as absent. Benign
 * race: a use-counter bump on a node that is leaving is simply lost.
 *
 * <p>Not allocation-free on writes: a put of a new key allocates a node. Gets and same-weight
 * updates allocate nothing.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class TinyUfoCache<K, V> implements MemoryCache<K, V> {

    private static final byte SMALL = 1;
    private static final byte MAIN = 2;
    private static final int MAX_USES = 3;
    /** Tries at the write lock before parking; a few microseconds at most. */
    private static final int LOCK_SPINS = 128;

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
    /** smallWeight + mainWeight, published once per locked operation for {@link #weight()}. */
    private volatile long totalWeight;
    /** Published by each write: what {@link #nextVictim} would return untouched, or null. */
    private volatile Node<K, V> nextVictimHint;

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
        // 4 rows of 4 counters per expected entry, 8 bytes an entry: as many counters as Caffeine
        // gives its sketch. Collisions then rarely lend a newcomer a hot key's count; on the Zipf
        // traces of CacheHitRatio this is worth 0.3 to 0.9 points of hit ratio over one per entry.
        this.sketch = new FrequencySketch(4 * entries);
        this.map = new ConcurrentHashMap<>((int) Math.min(1 << 20, entries));
        this.ghost = new Ghost((int) Math.min(1 << 22, entries));
    }

    @Override
    public V get(K key) {
        Node<K, V> node = map.get(key);
        if (node == null) {
            return null;
        }
        V value = node.value();
        if (value == null) {
            return null; // retired: leaving the cache right now
        }
        node.touch();
        sketch.increment(node.hash);
        return value;
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
        int frequency = sketch.increment(hash);
        Node<K, V> resident = map.get(key);
        if (resident == null) {
            if (refusedByNextVictim(frequency, weight)) {
                return false;
            }
        } else if (resident.weight == weight && resident.swapValue(value)) {
            resident.touch();
            return true;
        }
        lockForWrite();
        try {
            Node<K, V> old = map.get(key);
            if (old != null) {
                replace(old, value, weight);
                return true;
            }
            if (!admit(frequency, weight)) {
                return false;
            }
            Node<K, V> node = new Node<>(key, hash, value, weight);
            link(node, ghost.remove(hash) ? MAIN : SMALL);
            map.put(key, node);
            return true;
        } finally {
            unlockAfterWrite();
        }
    }

    @Override
    public V remove(K key) {
        if (!map.containsKey(key)) {
            return null;
        }
        lockForWrite();
        try {
            Node<K, V> node = map.remove(key);
            if (node == null) {
                return null;
            }
            unlink(node);
            return node.retire();
        } finally {
            unlockAfterWrite();
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
            while (smallWeight + mainWeight + weight > maxWeight) {
                Node<K, V> victim = nextVictim();
                if (frequency < sketch.estimate(victim.hash)) {
                    for (int i = victims.size() - 1; i >= 0; i--) {
                        reattachAtHead(victims.get(i));
                    }
                    return false;
                }
                detach(victim);
                victims.add(victim);
            }
            for (int i = 0; i < victims.size(); i++) {
                evictDetached(victims.get(i));
            }
            return true;
        } finally {
            victims.clear();
        }
    }

    /**
     * An update is not subject to admission: the key is already resident and just got used. Same
     * weight: the value is swapped in place (the lock only keeps the node from retiring meanwhile).
     * Another weight: a new node takes the old one's queue, at its tail.
     */
    private void replace(Node<K, V> old, V value, long weight) {
        if (old.weight == weight && old.swapValue(value)) {
            old.touch();
            return;
        }
        Node<K, V> node = new Node<>(old.key, old.hash, value, weight);
        node.uses = Math.min(MAX_USES, old.uses + 1);
        byte queue = old.queue;
        unlink(old);
        old.retire();
        // make room before linking so the total never exceeds the bound
        while (smallWeight + mainWeight + weight > maxWeight) {
            evict(nextVictim());
        }
        link(node, queue);
        map.put(node.key, node);
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
        V value = victim.retire();
        map.remove(victim.key, victim);
        listener.onEvicted(victim.key, value, victim.weight);
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
    }

    /**
     * The lock-free shortcut for the common refusal: the cache is full and the newcomer scores
     * below the entry that the last write left first in line for eviction. That entry is
     * {@link #nextVictimHint}, published only when {@link #nextVictim} would return it without
     * moving anything and cleared of that role by any read of it (which raises its use counter),
     * so with no concurrent write this refuses exactly what the locked path would refuse, and
     * changes nothing either. Benign race: with a write in progress the hint may be a moment old
     * (just promoted or evicted); the newcomer is then judged against the victim of an instant
     * ago, which for a frequency filter is as good an answer.
     */
    private boolean refusedByNextVictim(int frequency, long weight) {
        Node<K, V> victim = nextVictimHint;
        return victim != null
                && victim.uses == 0
                && totalWeight + weight > maxWeight
                && frequency < sketch.estimate(victim.hash);
    }

    /**
     * Writes hold the lock for well under a microsecond, so a writer that finds it taken spins
     * briefly before parking: on a loaded machine, parking and being woken costs far more than
     * the wait. Falls back to parking so that a preempted holder does not cost a spinning core.
     */
    private void lockForWrite() {
        if (writeLock.tryLock()) {
            return;
        }
        for (int spin = 0; spin < LOCK_SPINS; spin++) {
            Thread.onSpinWait();
            if (!writeLock.isLocked() && writeLock.tryLock()) {
                return;
            }
        }
        writeLock.lock();
    }

    /** Publishes the weight total and the next victim (one volatile write each), then unlocks. */
    private void unlockAfterWrite() {
        long weight = smallWeight + mainWeight;
        if (totalWeight != weight) {
            totalWeight = weight;
        }
        Node<K, V> head = smallWeight > smallTarget || main.isEmpty() ? small.head() : main.head();
        Node<K, V> hint = head != null && head.uses == 0 ? head : null;
        if (nextVictimHint != hint) {
            nextVictimHint = hint;
        }
        writeLock.unlock();
    }

    static int spread(int h) {
        return (h ^ (h >>> 16)) * 0x45D9F3B;
    }

    /** A cache entry and its place in one of the queues. */
    private static final class Node<K, V> {
        /** The value of a node that has left the cache; never a user value. */
        private static final Object RETIRED = new Object();
        private static final VarHandle USES;
        private static final VarHandle VALUE;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                USES = lookup.findVarHandle(Node.class, "uses", int.class);
                VALUE = lookup.findVarHandle(Node.class, "value", Object.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final K key;
        final int hash;
        final long weight;
        /** The cached value, swapped by same-weight puts; {@link #RETIRED} once the node left. */
        private volatile Object value;
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

        /** The value, or {@code null} if the node has left the cache. */
        @SuppressWarnings("unchecked")
        V value() {
            Object current = value;
            return current == RETIRED ? null : (V) current;
        }

        /** Installs {@code newValue} unless the node has retired; false if it has. */
        boolean swapValue(V newValue) {
            while (true) {
                Object current = value;
                if (current == RETIRED) {
                    return false;
                }
                if (VALUE.compareAndSet(this, current, newValue)) {
                    return true;
                }
            }
        }

        /** Marks the node as gone (under the write lock) and returns its last value. */
        @SuppressWarnings("unchecked")
        V retire() {
            return (V) VALUE.getAndSet(this, RETIRED);
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
     *
     * <p>The multiset is an open-addressing table of (hash, count) pairs with linear probing and
     * backward-shift deletion, at most half full, so adding and consuming allocate nothing.
     */
    private static final class Ghost {
        private final int[] ring;
        private final int[] keys;
        private final int[] counts; // 0 marks a free slot
        private final int shift;
        private final int mask;
        private int head;
        private int size;

        Ghost(int capacity) {
            this.ring = new int[capacity];
            int bits = Math.max(4, 33 - Integer.numberOfLeadingZeros(capacity - 1)); // 2^bits >= 2 * capacity
            this.keys = new int[1 << bits];
            this.counts = new int[1 << bits];
            this.shift = 32 - bits;
            this.mask = (1 << bits) - 1;
        }

        void add(int hash) {
            if (size == ring.length) {
                forget(ring[head]);
                head = (head + 1) % ring.length;
                size--;
            }
            ring[(head + size) % ring.length] = hash;
            size++;
            int slot = home(hash);
            while (counts[slot] != 0) {
                if (keys[slot] == hash) {
                    counts[slot]++;
                    return;
                }
                slot = (slot + 1) & mask;
            }
            keys[slot] = hash;
            counts[slot] = 1;
        }

        /** Consumes one occurrence of {@code hash}; the ring slot is reclaimed lazily. */
        boolean remove(int hash) {
            return forget(hash);
        }

        private boolean forget(int hash) {
            int slot = home(hash);
            while (keys[slot] != hash || counts[slot] == 0) {
                if (counts[slot] == 0) {
                    return false;
                }
                slot = (slot + 1) & mask;
            }
            if (--counts[slot] == 0) {
                closeGap(slot);
            }
            return true;
        }

        /** Moves later entries of the probe run back into the freed slot, so lookups need no tombstones. */
        private void closeGap(int gap) {
            int slot = gap;
            while (true) {
                slot = (slot + 1) & mask;
                if (counts[slot] == 0) {
                    return;
                }
                int home = home(keys[slot]);
                // the entry may move back to the gap only if the gap lies on its probe path
                if (((slot - home) & mask) >= ((slot - gap) & mask)) {
                    keys[gap] = keys[slot];
                    counts[gap] = counts[slot];
                    counts[slot] = 0;
                    gap = slot;
                }
            }
        }

        private int home(int hash) {
            return (hash * 0x9E37_79B9) >>> shift;
        }
    }
}
