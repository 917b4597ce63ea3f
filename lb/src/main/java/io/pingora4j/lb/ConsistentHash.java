package io.pingora4j.lb;

import java.util.Objects;

/**
 * Consistent hashing as nginx's {@code hash KEY consistent}: the request's key (client IP, a header,
 * cookie, query parameter, URL or path: see {@link HashKey}) is CRC-32'd and looked up on a
 * {@link KetamaRing}; if that point's backend is not eligible, the walk goes forward point by point,
 * as nginx does, so a down backend's keys spread over the others and everyone else's keys stay put.
 *
 * <p>The ring is built from configured weights: slow start does not apply here, since changing a
 * backend's share of the ring would move keys between backends, which is what this selector avoids.
 *
 * <p>A request without the key (absent or empty) is not hashed: like nginx (observed on 1.22), it
 * falls back to smooth weighted round robin, so key-less requests do not all pile onto one backend.
 *
 * <p>Thread-safe; the lookup is stateless (only the fallback round robin holds state) and
 * {@code select} allocates nothing if the {@link RequestKeyView} does not.
 */
public final class ConsistentHash implements Selector {

    private final BackendSet set;
    private final KetamaRing ring;
    private final HashKey key;
    private final SmoothWeightedRoundRobin fallback;

    public ConsistentHash(BackendSet set, HashKey key) {
        this.set = Objects.requireNonNull(set, "set");
        this.key = Objects.requireNonNull(key, "key");
        this.ring = new KetamaRing(set.backends());
        this.fallback = new SmoothWeightedRoundRobin(set);
    }

    public KetamaRing ring() {
        return ring;
    }

    public HashKey key() {
        return key;
    }

    @Override
    public int select(RequestKeyView request, long tried) {
        CharSequence value = request == null ? null : key.extract(request);
        if (value == null || value.length() == 0) {
            return fallback.select(request, tried);
        }
        return selectHash(Crc32.ofUtf8(value), tried);
    }

    /** Picks for an already hashed key (CRC-32 of its bytes). */
    public int selectHash(int keyHash, long tried) {
        int point = ring.pointFor(keyHash);
        int owner = ring.ownerAt(point);
        if (Selector.eligible(set, tried, owner)) {
            return owner;
        }
        // the walk below is bounded by the point count; skip it when nothing can be found
        if (!anyEligible(tried)) {
            return NONE;
        }
        for (int k = 1, n = ring.pointCount(); k < n; k++) {
            owner = ring.ownerAt(point + k);
            if (Selector.eligible(set, tried, owner)) {
                return owner;
            }
        }
        return NONE;
    }

    private boolean anyEligible(long tried) {
        for (int i = 0, n = set.size(); i < n; i++) {
            if (Selector.eligible(set, tried, i)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public BackendSet backends() {
        return set;
    }
}
