package io.pingora4j.limits;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Turns a key (bytes, characters or a long) into a seeded 64-bit hash, the one input the
 * count-min structures take. Each row of a sketch then derives its own slot from this hash
 * with its own seed (see {@link CountMinSketch}).
 *
 * <p>The seed is drawn at random per instance unless given, so that a client cannot
 * precompute keys that collide with a victim's key and get the victim limited (collisions
 * in a count-min sketch only ever overcount).
 *
 * <p>The three key forms hash differently: {@code "ab"} as a {@link CharSequence} and as
 * UTF-8 bytes are different keys. A limiter should be fed one form consistently.
 *
 * <p>Thread-safety: immutable, safe to share. Hashing is allocation-free.
 */
public final class KeyHasher {

    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final long seed;

    /** A hasher with a random seed. */
    public KeyHasher() {
        this(ThreadLocalRandom.current().nextLong());
    }

    /** A hasher with a fixed seed, for reproducible tests. */
    public KeyHasher(long seed) {
        this.seed = seed;
    }

    /** @return the hash of {@code key} */
    public long hash(long key) {
        return mix64(mix64(key ^ seed) + GOLDEN);
    }

    /** @return the hash of all of {@code key} */
    public long hash(byte[] key) {
        return hash(key, 0, key.length);
    }

    /** @return the hash of {@code key[offset, offset + length)} */
    public long hash(byte[] key, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, key.length);
        long h = seed ^ (length * GOLDEN);
        int i = offset;
        int end = offset + length;
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            h = mix64(h ^ (long) LONG_LE.get(key, i));
        }
        long tail = 0;
        for (int shift = 0; i < end; i++, shift += 8) {
            tail |= (key[i] & 0xFFL) << shift;
        }
        return mix64(mix64(h ^ tail) + length);
    }

    /** @return the hash of the characters of {@code key} (UTF-16 code units, not bytes) */
    public long hash(CharSequence key) {
        int length = key.length();
        long h = seed ^ (length * GOLDEN) ^ 0x5bd1e995L;
        int i = 0;
        for (; i + 4 <= length; i += 4) {
            long word = key.charAt(i)
                    | (long) key.charAt(i + 1) << 16
                    | (long) key.charAt(i + 2) << 32
                    | (long) key.charAt(i + 3) << 48;
            h = mix64(h ^ word);
        }
        long tail = 0;
        for (int shift = 0; i < length; i++, shift += 16) {
            tail |= (long) key.charAt(i) << shift;
        }
        return mix64(mix64(h ^ tail) + length);
    }

    /**
     * A bijective 64-bit finaliser (xor-shift / multiply rounds): every input bit affects
     * every output bit, so rows seeded differently land on unrelated slots.
     */
    static long mix64(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
