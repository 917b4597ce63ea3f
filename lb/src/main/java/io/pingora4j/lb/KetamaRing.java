package io.pingora4j.lb;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The consistent-hash ring of nginx's {@code hash $key consistent} (ngx_http_upstream_hash_module,
 * itself compatible with Cache::Memcached::Fast's ketama), point for point.
 *
 * <p>Construction, per backend in configuration order:
 * <ol>
 *   <li>Split the written address at its last ':' if everything after it is digits
 *       ({@code "10.0.0.1:80"} is host "10.0.0.1", port "80"; {@code "[::1]:80"} is host "[::1]"); an
 *       address with no such suffix is all host and no port; {@code "unix:PATH"} is host PATH.</li>
 *   <li>{@code base} = the CRC-32 register after feeding host bytes, one NUL byte, port bytes.</li>
 *   <li>{@code weight * 160} points: point k = finish(base continued with the 4 little-endian bytes of
 *       point k-1), point -1 being 0. nginx stores the previous hash in memory on little-endian hosts and
 *       spells its bytes out little-endian on big-endian ones, so the bytes are the same everywhere.</li>
 * </ol>
 * Points are sorted by unsigned hash and points with equal hashes collapse to the first. nginx sorts
 * with an unstable qsort, so which backend keeps a collided point is unspecified there; we keep the
 * one earliest in configuration order. Collisions are rare (about 1 in 2^32 per pair of points).
 *
 * <p>Lookup ({@link #pointFor(int)}): the first point whose hash is &gt;= the key's CRC-32, wrapping
 * past the last point to the first. Walking forward point by point ({@link #ownerAt(int)} with
 * {@code index + 1}) is how nginx skips a down backend.
 *
 * <p>Immutable after construction; lookups are a binary search over an {@code int[]} and allocate
 * nothing. Thread-safe.
 */
public final class KetamaRing {

    /** Points per unit of weight (nginx, ketama). */
    public static final int POINTS_PER_WEIGHT = 160;

    /** Bounds the build's temporary memory (about 20 bytes a point): total weight up to 52428. */
    static final int MAX_POINTS = 1 << 23;

    private final int[] hashes; // sorted as unsigned
    private final int[] owners; // backend index of each point

    /** Builds the ring over backends' written addresses and configured weights. */
    public KetamaRing(List<Backend> backends) {
        Objects.requireNonNull(backends, "backends");
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("a ketama ring needs at least one backend");
        }
        long total = 0;
        for (Backend b : backends) {
            total += (long) b.weight() * POINTS_PER_WEIGHT;
        }
        if (total > MAX_POINTS) {
            throw new IllegalArgumentException("ketama ring would have " + total + " points (total weight x "
                    + POINTS_PER_WEIGHT + "), more than " + MAX_POINTS + "; reduce the weights");
        }
        int n = (int) total;
        int[] rawOwner = new int[n];
        // high 32 bits: hash with its sign bit flipped, so a signed long sort is an unsigned hash sort;
        // low 32 bits: generation order, which is configuration order, so ties keep configuration order
        long[] keyed = new long[n];
        int next = 0;
        for (int b = 0; b < backends.size(); b++) {
            Backend backend = backends.get(b);
            int base = baseHash(backend.address());
            int prev = 0;
            for (int k = 0, points = backend.weight() * POINTS_PER_WEIGHT; k < points; k++) {
                int hash = Crc32.finish(Crc32.updateIntLe(base, prev));
                keyed[next] = ((long) (hash ^ Integer.MIN_VALUE) << 32) | next;
                rawOwner[next] = b;
                next++;
                prev = hash;
            }
        }
        Arrays.sort(keyed);
        int[] h = new int[n];
        int[] o = new int[n];
        int kept = 0;
        for (int i = 0; i < n; i++) {
            int hash = (int) (keyed[i] >>> 32) ^ Integer.MIN_VALUE;
            if (kept > 0 && h[kept - 1] == hash) {
                continue;
            }
            h[kept] = hash;
            o[kept] = rawOwner[(int) keyed[i]];
            kept++;
        }
        this.hashes = kept == n ? h : Arrays.copyOf(h, kept);
        this.owners = kept == n ? o : Arrays.copyOf(o, kept);
    }

    /** The CRC-32 register after host, NUL, port of a written address: nginx's {@code base_hash}. */
    static int baseHash(String address) {
        byte[] bytes = address.getBytes(StandardCharsets.UTF_8);
        int hostLen = bytes.length;
        int portOff = bytes.length;
        int portLen = 0;
        int hostOff = 0;
        if (bytes.length >= 5 && address.regionMatches(true, 0, "unix:", 0, 5)) {
            hostOff = 5;
            hostLen = bytes.length - 5;
        } else {
            for (int j = 0; j < bytes.length; j++) {
                byte c = bytes[bytes.length - j - 1];
                if (c == ':') {
                    hostLen = bytes.length - j - 1;
                    portOff = bytes.length - j;
                    portLen = j;
                    break;
                }
                if (c < '0' || c > '9') {
                    break;
                }
            }
        }
        int crc = Crc32.update(Crc32.INIT, bytes, hostOff, hostLen);
        crc = Crc32.update(crc, 0);
        return Crc32.update(crc, bytes, portOff, portLen);
    }

    /** Number of points after collapsing equal hashes. */
    public int pointCount() {
        return hashes.length;
    }

    /** Index of the first point with hash &gt;= {@code keyHash} (unsigned), wrapping to 0 past the end. */
    public int pointFor(int keyHash) {
        int lo = 0;
        int hi = hashes.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Integer.compareUnsigned(hashes[mid], keyHash) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo == hashes.length ? 0 : lo;
    }

    /** The backend index owning point {@code pointIndex}, taken modulo the point count so walks can just add. */
    public int ownerAt(int pointIndex) {
        return owners[Integer.remainderUnsigned(pointIndex, owners.length)];
    }

    /** The hash of point {@code pointIndex} (for tests and diagnostics). */
    public int hashAt(int pointIndex) {
        return hashes[pointIndex];
    }

    /** The backend index a key hashes to with every backend up: nginx's first choice. */
    public int ownerOfKey(CharSequence key) {
        return owners[pointFor(Crc32.ofUtf8(key))];
    }
}
