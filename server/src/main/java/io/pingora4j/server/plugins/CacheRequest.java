package io.pingora4j.server.plugins;

import io.pingora4j.cache.http.CacheControl;
import io.pingora4j.cache.http.Freshness;
import io.pingora4j.cache.http.StoredFields;
import io.pingora4j.cache.lock.StampedeLock;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One request's dealings with the cache, kept as a session attribute from its request phase to its
 * logging. Owned by the request's event loop (a waiter's continuation resumes there too).
 */
final class CacheRequest {

    final String primary;
    final CacheControl requestCc;
    final boolean head;
    final long requestTime;
    /** The key looked up and locked: the primary key or a variant's. */
    String key;
    /** A stored response found stale: revalidated, or served if the origin fails. */
    CachedResponse stale;
    StampedeLock<String>.Writer writer;
    String xCache;
    boolean revalidating;
    boolean ended;
    /** Set when the response is being stored. */
    byte[] buf;
    int len;
    int status;
    StoredFields fields;
    Freshness freshness;
    String storeKey;
    /** A new Vary marker to store under the primary key after the variant (disk stores), or null. */
    CachedResponse.Variants marker;
    /** The response's Content-Length, or -1. */
    long expected;
    /** A stored body sent instead of the origin's (after a 304, or stale on a 5xx). */
    ByteBuffer replacement;
    /** Set for an unsafe method: the key whose entries a success invalidates. */
    String invalidate;

    CacheRequest(String primary, CacheControl requestCc, boolean head, long requestTime) {
        this.primary = primary;
        this.requestCc = requestCc;
        this.head = head;
        this.requestTime = requestTime;
    }

    /** Copies a chunk as it streams by; a body over {@code maxFileSize} is given up (and the key let go). */
    void collect(ByteBuffer chunk, int maxFileSize) {
        int n = chunk.remaining();
        if (n == 0) {
            return;
        }
        if ((long) len + n > maxFileSize) {
            buf = null;
            releaseWriter();
            return;
        }
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, (int) Math.min(maxFileSize, Math.max(len + n, 2L * buf.length)));
        }
        chunk.duplicate().get(buf, len, n);
        len += n;
    }

    /** The body collected, trimmed; collecting is over. */
    byte[] takeBody() {
        byte[] body = len == buf.length ? buf : Arrays.copyOf(buf, len);
        buf = null;
        return body;
    }

    /** Lets the next request in line for the key go (it finds what was stored, or fetches). */
    void releaseWriter() {
        if (writer != null) {
            writer.release();
            writer = null;
        }
    }
}
