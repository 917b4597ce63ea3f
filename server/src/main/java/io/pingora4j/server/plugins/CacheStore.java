package io.pingora4j.server.plugins;

import io.pingora4j.cache.lock.StampedeLock;
import io.pingora4j.cache.memory.MemoryCache;
import io.pingora4j.cache.memory.TinyUfoCache;
import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * The storage of one cache plugin: stored responses weighted by bytes, the stampede lock, and the
 * keys. A URL's primary key holds its response, or (when it varies, RFC 9111 §4.1) a
 * {@link CachedResponse.Variants} marker under which each variant has a key of its own.
 *
 * <p>Thread-safe: the cache and the lock are; the generation counter is atomic.
 */
final class CacheStore {

    final MemoryCache<String, Object> entries;
    final StampedeLock<String> lock = new StampedeLock<>(System::nanoTime, Duration.ofSeconds(60));
    private final java.util.concurrent.atomic.AtomicLong generations = new java.util.concurrent.atomic.AtomicLong();

    CacheStore(long maxSize) {
        this.entries = new TinyUfoCache<>(maxSize, Math.max(1024, maxSize / 16_384));
    }

    /** namespace, host (lower case) and path with query, plus the configured request fields. */
    static String primaryKey(String namespace, String[] keyHeaders, RequestHead req) {
        StringBuilder sb = new StringBuilder(64);
        sb.append(namespace).append('\u0000');
        String authority = req.authority();
        sb.append(authority == null ? "" : authority.toLowerCase(Locale.ROOT)).append(req.pathAndQuery());
        for (String name : keyHeaders) {
            sb.append('\u0000').append(name).append('=').append(joined(req.headers(), name));
        }
        return sb.toString();
    }

    /** What a request finds: the key it looked up (primary or variant) and the response there, or null. */
    record Found(String key, CachedResponse response) {
    }

    /** The stored response for this request, following a Vary marker. */
    Found find(String primary, HeaderBlock request) {
        Object o = entries.get(primary);
        if (o instanceof CachedResponse.Variants v) {
            String key = variantKey(primary, v, request);
            return new Found(key, entries.get(key) instanceof CachedResponse r ? r : null);
        }
        return new Found(primary, o instanceof CachedResponse r ? r : null);
    }

    /**
     * Where a response is stored: the primary key, or (when it varies on {@code vary}) a variant's
     * key under a marker, made or replaced here when the set of fields changed.
     */
    String storeKey(String primary, String[] vary, HeaderBlock request) {
        Object o = entries.get(primary);
        if (vary == null) {
            if (o instanceof CachedResponse.Variants) {
                entries.remove(primary); // no longer varies: drop the marker and its variants
            }
            return primary;
        }
        CachedResponse.Variants v = o instanceof CachedResponse.Variants m && Arrays.equals(m.fields(), vary) ? m : null;
        if (v == null) {
            v = new CachedResponse.Variants(vary, generations.incrementAndGet());
            entries.put(primary, v, 64 + 16L * vary.length);
        }
        return variantKey(primary, v, request);
    }

    private static String variantKey(String primary, CachedResponse.Variants v, HeaderBlock request) {
        StringBuilder sb = new StringBuilder(primary.length() + 32).append(primary).append('\u0001').append(v.generation());
        for (String f : v.fields()) {
            sb.append('\u0000').append(joined(request, f).trim());
        }
        return sb.toString();
    }

    /** Every value of a field, in order (the cache reads fields as lists). */
    static String[] values(HeaderBlock h, String name) {
        String[] out = null;
        int n = 0;
        for (int i = h.indexOf(name); i >= 0; i = h.indexOf(name, i + 1)) {
            if (out == null) {
                out = new String[2];
            } else if (n == out.length) {
                out = Arrays.copyOf(out, n * 2);
            }
            out[n++] = h.value(i);
        }
        return out == null ? new String[0] : Arrays.copyOf(out, n);
    }

    private static String joined(HeaderBlock h, String name) {
        String[] v = values(h, name);
        return v.length == 0 ? "" : v.length == 1 ? v[0] : String.join(",", v);
    }
}
