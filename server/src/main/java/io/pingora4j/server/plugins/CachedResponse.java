package io.pingora4j.server.plugins;

import io.pingora4j.cache.http.Freshness;
import io.pingora4j.cache.http.StoredFields;
import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.ResponseHead;
import java.nio.ByteBuffer;
import java.util.Set;

/**
 * One stored response of the cache plugin: status, the fields a shared cache keeps
 * ({@link StoredFields}), the whole body, and its freshness. Immutable: a revalidation stores a
 * new instance (same body, updated fields). Any event loop may serve it at once; each serves a
 * read-only view of the body.
 */
final class CachedResponse {

    final int status;
    final StoredFields fields;
    final byte[] body;
    final Freshness freshness;
    /** ETag and Last-Modified, for revalidation and for the client's conditionals; null if absent. */
    final String etag;
    final String lastModified;

    CachedResponse(int status, StoredFields fields, byte[] body, Freshness freshness) {
        this.status = status;
        this.fields = fields;
        this.body = body;
        this.freshness = freshness;
        this.etag = fields.first("ETag");
        this.lastModified = fields.first("Last-Modified");
    }

    /** The storable fields of a head's {@code h}, minus those a {@code private="..."} lists. */
    static StoredFields fields(HeaderBlock h, Set<String> dropped) {
        String[] names = new String[h.size()];
        String[] values = new String[h.size()];
        for (int i = 0; i < h.size(); i++) {
            names[i] = h.name(i);
            values[i] = h.value(i);
        }
        return StoredFields.of(names, values, dropped);
    }

    /** This response with its fields updated by a 304's (RFC 9111 §4.3.4) and a new freshness. */
    CachedResponse revalidated(StoredFields updated, Freshness newFreshness) {
        return new CachedResponse(status, updated, body, newFreshness);
    }

    /** Writes status and fields into {@code head} (reset first), with {@code Age}. */
    void writeTo(ResponseHead head, int status, long age) {
        head.reset();
        head.setStatus(status);
        for (int i = 0; i < fields.size(); i++) {
            head.headers().add(fields.name(i), fields.value(i));
        }
        head.headers().set("Age", Long.toString(age));
    }

    ByteBuffer bodyView() {
        return ByteBuffer.wrap(body).asReadOnlyBuffer();
    }

    /** The weight in the cache: body and fields, about as many bytes as they take. */
    long weight() {
        return body.length + 64 + fields.weight();
    }

    /**
     * Stored under a URL's key when its response varies (RFC 9111 §4.1): which request fields
     * select a variant. Variants live under the key plus this marker's generation and the request's
     * values of those fields, so a purge (which drops the marker) orphans every old variant.
     */
    record Variants(String[] fields, long generation) {
    }
}
