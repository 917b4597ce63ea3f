package io.pingora4j.server.plugins;

import io.pingora4j.cache.http.Freshness;
import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.ResponseHead;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One stored response of the cache plugin: status, end-to-end header fields, the whole body, and
 * its freshness. Immutable: a revalidation stores a new instance (same body, updated fields).
 * Any event loop may serve it at once; each serves a read-only view of the body.
 */
final class CachedResponse {

    /** Fields never stored (RFC 9111 §3.1: hop-by-hop; Age is recomputed on every use). */
    private static final String[] NOT_STORED = {"connection", "keep-alive", "proxy-connection", "te", "trailer",
        "transfer-encoding", "upgrade", "age", "x-cache", "proxy-authenticate", "proxy-authorization"};

    final int status;
    final String[] names;
    final String[] values;
    final byte[] body;
    final Freshness freshness;
    /** ETag and Last-Modified, for revalidation and for the client's conditionals; null if absent. */
    final String etag;
    final String lastModified;

    CachedResponse(int status, String[] names, String[] values, byte[] body, Freshness freshness) {
        this.status = status;
        this.names = names;
        this.values = values;
        this.body = body;
        this.freshness = freshness;
        this.etag = first("etag");
        this.lastModified = first("last-modified");
    }

    /** The storable fields of {@code h} (minus those listed in {@code private="..."}), as parallel arrays. */
    static String[][] fields(HeaderBlock h, Set<String> dropped) {
        int n = 0;
        String[] names = new String[h.size()];
        String[] values = new String[h.size()];
        for (int i = 0; i < h.size(); i++) {
            String name = h.name(i);
            String lower = name.toLowerCase(Locale.ROOT);
            if (isNotStored(lower) || dropped.contains(lower) || lower.equals("content-length")) {
                continue;
            }
            names[n] = name;
            values[n] = h.value(i);
            n++;
        }
        return new String[][] {Arrays.copyOf(names, n), Arrays.copyOf(values, n)};
    }

    private static boolean isNotStored(String lower) {
        for (String s : NOT_STORED) {
            if (s.equals(lower)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The fields after a 304 (RFC 9111 §4.3.4): every field the 304 carries replaces the stored
     * fields of that name; the others stay. Content-Length and framing fields of the 304 are ignored.
     */
    CachedResponse updatedBy(HeaderBlock notModified, Freshness newFreshness) {
        String[][] fresh = fields(notModified, Set.of());
        List<String> n = new ArrayList<>();
        List<String> v = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            if (!listed(fresh[0], names[i])) {
                n.add(names[i]);
                v.add(values[i]);
            }
        }
        for (int i = 0; i < fresh[0].length; i++) {
            n.add(fresh[0][i]);
            v.add(fresh[1][i]);
        }
        return new CachedResponse(status, n.toArray(new String[0]), v.toArray(new String[0]), body, newFreshness);
    }

    private static boolean listed(String[] names, String name) {
        for (String s : names) {
            if (s.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** The first value of a field, or null. */
    String first(String name) {
        return firstOf(names, values, name);
    }

    /** Every value of a field in parallel name/value arrays, in order. */
    static String[] valuesOf(String[] names, String[] values, String name) {
        List<String> out = new ArrayList<>(1);
        for (int i = 0; i < names.length; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                out.add(values[i]);
            }
        }
        return out.toArray(new String[0]);
    }

    /** The first value of a field in parallel name/value arrays, or null. */
    static String firstOf(String[] names, String[] values, String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                return values[i];
            }
        }
        return null;
    }

    /** Writes status and fields into {@code head} (reset first), with {@code Age}. */
    void writeTo(ResponseHead head, int status, long age) {
        head.reset();
        head.setStatus(status);
        for (int i = 0; i < names.length; i++) {
            head.headers().add(names[i], values[i]);
        }
        head.headers().set("Age", Long.toString(age));
    }

    ByteBuffer bodyView() {
        return ByteBuffer.wrap(body).asReadOnlyBuffer();
    }

    /** The weight in the cache: body and fields, about as many bytes as they take. */
    long weight() {
        long w = body.length + 64;
        for (int i = 0; i < names.length; i++) {
            w += names[i].length() + values[i].length() + 32;
        }
        return w;
    }

    /**
     * Stored under a URL's key when its response varies (RFC 9111 §4.1): which request fields
     * select a variant. Variants live under the key plus this marker's generation and the request's
     * values of those fields, so a purge (which drops the marker) orphans every old variant.
     */
    record Variants(String[] fields, long generation) {
    }
}
