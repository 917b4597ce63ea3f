package io.pingora4j.limits;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Limits concurrent requests per key (Pingap's {@code limit} plugin with
 * {@code type = "inflight"}): a request is admitted while its key has fewer than
 * {@code max} in flight, as estimated by an {@link Inflight} count-min sketch. Memory is
 * fixed by {@code (hashes, slots)} and independent of the number of keys. Collisions can
 * only overcount, so a key is never let past {@code max}; a key that shares every counter
 * with busy keys may be refused early.
 *
 * <p>Admission counts first and checks after, undoing the count when over: two requests
 * racing for the last place may both be refused (never both admitted).
 *
 * <p>Thread-safety: lock-free; share one instance among all event loops.
 * {@link #tryAcquire(CharSequence)} allocates the guard it returns;
 * {@link #tryAcquireHash}/{@link #releaseHash} allocate nothing.
 */
public final class KeyedInflightLimiter {

    private final long max;
    private final Inflight inflight;

    /**
     * @param max    requests allowed in flight per key; at least 1
     * @param hashes count-min rows
     * @param slots  counters per row
     */
    public KeyedInflightLimiter(long max, int hashes, int slots) {
        this(max, hashes, slots, ThreadLocalRandom.current().nextLong());
    }

    /** As {@link #KeyedInflightLimiter(long, int, int)} with a fixed seed, for tests. */
    public KeyedInflightLimiter(long max, int hashes, int slots, long seed) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1: " + max);
        }
        this.max = max;
        this.inflight = new Inflight(hashes, slots, seed);
    }

    /**
     * Admits one request for {@code key} if it has room.
     *
     * @return a guard to close when the request ends, or {@code null} if refused
     */
    public Inflight.Guard tryAcquire(CharSequence key) {
        return tryAcquireGuard(inflight.hasher().hash(key));
    }

    /** As {@link #tryAcquire(CharSequence)} for a byte key. */
    public Inflight.Guard tryAcquire(byte[] key) {
        return tryAcquireGuard(inflight.hasher().hash(key));
    }

    /** As {@link #tryAcquire(CharSequence)} for a numeric key. */
    public Inflight.Guard tryAcquire(long key) {
        return tryAcquireGuard(inflight.hasher().hash(key));
    }

    /**
     * Allocation-free admission: on {@code true} the caller must call {@link #releaseHash}
     * with the same hash exactly once when the request ends.
     */
    public boolean tryAcquireHash(long keyHash) {
        if (inflight.incrementHash(keyHash) > max) {
            inflight.decrementHash(keyHash);
            return false;
        }
        return true;
    }

    /** Ends a request admitted by {@link #tryAcquireHash}. */
    public void releaseHash(long keyHash) {
        inflight.decrementHash(keyHash);
    }

    /** @return the key's estimated in-flight count */
    public long inflight(CharSequence key) {
        return inflight.count(key);
    }

    /** @return the hasher whose hashes the {@code ...Hash} methods expect */
    public KeyHasher hasher() {
        return inflight.hasher();
    }

    /** @return the per-key limit */
    public long max() {
        return max;
    }

    /** @return counters held: fixed at construction */
    public long counterCount() {
        return inflight.counterCount();
    }

    private Inflight.Guard tryAcquireGuard(long keyHash) {
        Inflight.Guard guard = inflight.incrHash(keyHash);
        if (guard.count() > max) {
            guard.close();
            return null;
        }
        return guard;
    }
}
