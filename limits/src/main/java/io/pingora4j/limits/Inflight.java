package io.pingora4j.limits;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Pingora's in-flight counter: how many requests per key are under way, kept in one
 * count-min sketch of atomic counters instead of a map, so memory is fixed by
 * {@code (hashes, slots)} whatever the number of keys, and nothing is ever removed.
 * {@link #incr} adds one for the key and returns a {@link Guard} whose {@link Guard#close()}
 * takes it away again, exactly once. Every key's own total stays non-negative, so estimates
 * never undercount; collisions overcount.
 *
 * <p>Thread-safety: lock-free; share one instance among all event loops. The counters are
 * updated with atomic adds and a guard may be closed on any thread. {@link #incr} allocates
 * the guard (one small object); callers that keep the key hash in their own per-request
 * state can use {@link #incrementHash}/{@link #decrementHash}, which allocate nothing.
 */
public final class Inflight {

    private final KeyHasher hasher;
    private final CountMinSketch sketch;

    /**
     * @param hashes count-min rows
     * @param slots  counters per row
     */
    public Inflight(int hashes, int slots) {
        this(hashes, slots, ThreadLocalRandom.current().nextLong());
    }

    /** As {@link #Inflight(int, int)} with a fixed seed, for reproducible tests. */
    public Inflight(int hashes, int slots, long seed) {
        this.hasher = new KeyHasher(seed);
        this.sketch = new CountMinSketch(hashes, slots, seed ^ 0xbb67ae8584caa73bL);
    }

    /** Counts one request for {@code key} until the returned guard is closed. */
    public Guard incr(CharSequence key) {
        return incrHash(hasher.hash(key));
    }

    /** As {@link #incr(CharSequence)} for a byte key. */
    public Guard incr(byte[] key) {
        return incrHash(hasher.hash(key));
    }

    /** As {@link #incr(CharSequence)} for a numeric key. */
    public Guard incr(long key) {
        return incrHash(hasher.hash(key));
    }

    /** As {@link #incr(CharSequence)} for a key already hashed with {@link #hasher()}. */
    public Guard incrHash(long keyHash) {
        long count = sketch.add(keyHash, 1);
        return new Guard(this, keyHash, count);
    }

    /**
     * Counts one request without a guard. The caller must call {@link #decrementHash} with
     * the same hash exactly once.
     *
     * @return the key's estimate, this request included
     */
    public long incrementHash(long keyHash) {
        return sketch.add(keyHash, 1);
    }

    /** Undoes one {@link #incrementHash}. */
    public void decrementHash(long keyHash) {
        sketch.add(keyHash, -1);
    }

    /** @return the key's estimated in-flight count now */
    public long count(CharSequence key) {
        return sketch.estimate(hasher.hash(key));
    }

    /** As {@link #count(CharSequence)} for a byte key. */
    public long count(byte[] key) {
        return sketch.estimate(hasher.hash(key));
    }

    /** As {@link #count(CharSequence)} for a numeric key. */
    public long count(long key) {
        return sketch.estimate(hasher.hash(key));
    }

    /** As {@link #count(CharSequence)} for a key already hashed with {@link #hasher()}. */
    public long countHash(long keyHash) {
        return sketch.estimate(keyHash);
    }

    /** @return the hasher whose hashes the {@code ...Hash} methods expect */
    public KeyHasher hasher() {
        return hasher;
    }

    /** @return counters held: fixed at construction, independent of keys */
    public long counterCount() {
        return sketch.counterCount();
    }

    /**
     * One counted request. Closing it removes it from the count; closing again does nothing.
     *
     * <p>Thread-safety: may be closed from any thread, concurrently; exactly one close counts.
     */
    public static final class Guard implements AutoCloseable {

        private static final VarHandle CLOSED;

        static {
            try {
                CLOSED = MethodHandles.lookup().findVarHandle(Guard.class, "closed", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final Inflight owner;
        private final long keyHash;
        private final long countAtIncrement;
        @SuppressWarnings("unused") // accessed through CLOSED
        private volatile int closed;

        private Guard(Inflight owner, long keyHash, long countAtIncrement) {
            this.owner = owner;
            this.keyHash = keyHash;
            this.countAtIncrement = countAtIncrement;
        }

        /** @return the key's estimated in-flight count when this guard was taken, itself included */
        public long count() {
            return countAtIncrement;
        }

        /** @return the key's estimated in-flight count now */
        public long current() {
            return owner.sketch.estimate(keyHash);
        }

        /** @return whether {@link #close()} has been called */
        public boolean isClosed() {
            return closed != 0;
        }

        /** Removes this request from the count, the first time only. */
        @Override
        public void close() {
            if (CLOSED.compareAndSet(this, 0, 1)) {
                owner.sketch.add(keyHash, -1);
            }
        }
    }
}
