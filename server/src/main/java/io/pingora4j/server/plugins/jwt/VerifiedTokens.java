package io.pingora4j.server.plugins.jwt;

import io.pingora4j.cache.memory.TinyUfoCache;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * The tokens one {@code jwt} filter has verified, so a token seen again costs a hash and a lookup
 * instead of nimbus's JSON parsing and a signature check (about 4 µs for HS256, more for RSA/EC).
 *
 * <p>What makes a hit as good as a verification: an entry is made only after the token's signature
 * verified under this filter's (immutable) configuration; it holds the whole token, compared in
 * constant time (as {@link MessageDigest#isEqual}), so only the very same bytes hit; its {@code exp} and
 * {@code nbf} are checked again on every hit by the caller; and for a remote key set it remembers
 * the set it was verified with, so a refreshed set (a key rotated out) verifies the token anew.
 *
 * <p>Bounded: tokens of at most {@link #MAX_TOKEN} bytes, {@link #MAX_BYTES} in all, admitted and
 * evicted by TinyLFU / S3-FIFO ({@link TinyUfoCache}) so a flood of one-off tokens does not push
 * out the ones clients keep sending. Only verified tokens get in, so a client without a valid token
 * cannot fill it. Keyed by a 64-bit hash seeded at random per filter, so which tokens share a hash
 * chain cannot be chosen from outside; a collision is only a miss.
 *
 * <p>Thread-safe (the cache is); lookups take no lock.
 */
final class VerifiedTokens {

    /** Longer tokens are verified every time. */
    static final int MAX_TOKEN = 4096;
    /** Token bytes (plus per-entry overhead) held at most. */
    static final long MAX_BYTES = 4L << 20;
    private static final long ENTRY_OVERHEAD = 64;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * A verified token: its bytes, {@code exp} and {@code nbf} in epoch seconds
     * ({@link Long#MAX_VALUE} / {@link Long#MIN_VALUE} when absent), and the key set it verified
     * under (null for a secret or a static key).
     */
    record Verified(byte[] token, long exp, long nbf, Object keys) {
    }

    private final TinyUfoCache<Long, Verified> cache = new TinyUfoCache<>(MAX_BYTES, MAX_BYTES / 256);
    private final long seed = new SecureRandom().nextLong();

    /** The token's hash, for {@link #get} and {@link #put}. */
    long hash(byte[] b, int off, int len) {
        long h = seed ^ (len * 0x9E3779B97F4A7C15L);
        int i = off;
        int end = off + len;
        for (; i + 8 <= end; i += 8) {
            h = Long.rotateLeft(h ^ mix((long) LONGS.get(b, i)), 27) * 0x9E3779B97F4A7C15L + 0x52DCE729L;
        }
        long tail = 0;
        for (int k = 0; i < end; i++, k += 8) {
            tail |= (b[i] & 0xffL) << k;
        }
        h ^= mix(tail);
        return mix(h);
    }

    /** MurmurHash3's 64-bit finaliser. */
    private static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        return k ^ (k >>> 33);
    }

    /** The entry for exactly these bytes, verified under {@code keys}; null if there is none. */
    Verified get(long hash, byte[] b, int off, int len, Object keys) {
        Verified v = cache.get(hash);
        if (v == null || v.keys != keys || v.token.length != len) {
            return null;
        }
        // constant time (as MessageDigest.isEqual): the comparison must not tell how much of a
        // stored valid token a guess matched
        byte[] t = v.token;
        int diff = 0;
        for (int k = 0; k < len; k++) {
            diff |= t[k] ^ b[off + k];
        }
        return diff == 0 ? v : null;
    }

    /** Remembers a token whose signature verified (under {@code keys}), if it is not too long. */
    void put(long hash, byte[] token, long exp, long nbf, Object keys) {
        if (token.length <= MAX_TOKEN) {
            cache.put(hash, new Verified(token, exp, nbf, keys), token.length + ENTRY_OVERHEAD);
        }
    }

    /** Tokens held; for tests. */
    long size() {
        return cache.size();
    }
}
