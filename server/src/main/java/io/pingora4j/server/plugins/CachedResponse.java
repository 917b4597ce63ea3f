package io.pingora4j.server.plugins;

import io.pingora4j.cache.disk.DiskStore;
import io.pingora4j.cache.http.Freshness;
import io.pingora4j.cache.http.StoredFields;
import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.ResponseHead;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * One stored response of the cache plugin: status, the fields a shared cache keeps
 * ({@link StoredFields}), the body, and its freshness. Immutable: a revalidation stores a new
 * instance (same body, updated fields). Any event loop may serve it at once; each serves a
 * read-only view of the body.
 *
 * <p>In a disk cache the index holds it without its body ({@link #body} null) and with the file
 * that has it ({@link #file}); {@link #withBody} is the copy a request reads it into.
 */
final class CachedResponse {

    private static final byte FORMAT = 1;
    private static final byte RESPONSE = 'R';
    private static final byte VARIANTS = 'V';

    final int status;
    final StoredFields fields;
    /** The whole body; null for an entry of a disk cache's index (the body is in {@link #file}). */
    final byte[] body;
    final Freshness freshness;
    /** ETag and Last-Modified, for revalidation and for the client's conditionals; null if absent. */
    final String etag;
    final String lastModified;
    /** The file holding this response in a disk cache, or null. */
    final DiskStore.Entry file;

    CachedResponse(int status, StoredFields fields, byte[] body, Freshness freshness) {
        this(status, fields, body, freshness, null);
    }

    private CachedResponse(int status, StoredFields fields, byte[] body, Freshness freshness, DiskStore.Entry file) {
        this.status = status;
        this.fields = fields;
        this.body = body;
        this.freshness = freshness;
        this.file = file;
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
        return new CachedResponse(status, updated, body, newFreshness, file);
    }

    /** This response as a disk cache's index holds it: without its body, which {@code f} has. */
    CachedResponse onDisk(DiskStore.Entry f) {
        return new CachedResponse(status, fields, null, freshness, f);
    }

    /** This index entry with its body read back from its file. */
    CachedResponse withBody(byte[] b) {
        return new CachedResponse(status, fields, b, freshness, file);
    }

    /** Bytes of the body, wherever it is. */
    long bodyLength() {
        return body != null ? body.length : file.bodyLength();
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

    /** The weight in a memory cache: body and fields, about as many bytes as they take. */
    long weight() {
        return body.length + 64 + fields.weight();
    }

    /**
     * Stored under a URL's key when its response varies (RFC 9111 §4.1): which request fields
     * select a variant. Variants live under the key plus this marker's generation and the request's
     * values of those fields, so a purge (which drops the marker) orphans every old variant.
     *
     * @param file the file holding the marker in a disk cache, or null
     */
    record Variants(String[] fields, long generation, DiskStore.Entry file) {

        Variants(String[] fields, long generation) {
            this(fields, generation, null);
        }
    }

    // ---------------------------------------------------------------- on disk

    /** The metadata a disk cache writes beside the body: a response's status, freshness and fields. */
    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeByte(RESPONSE);
            out.writeInt(status);
            for (long v : freshness.state()) {
                out.writeLong(v);
            }
            out.writeInt(fields.size());
            for (int i = 0; i < fields.size(); i++) {
                writeString(out, fields.name(i));
                writeString(out, fields.value(i));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /** A Vary marker's metadata (it has no body). */
    static byte[] encode(Variants v) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeByte(VARIANTS);
            out.writeLong(v.generation());
            out.writeInt(v.fields().length);
            for (String f : v.fields()) {
                writeString(out, f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * What {@link #encode()} or {@link #encode(Variants)} wrote, as the index entry for {@code file}:
     * a {@link CachedResponse} without its body, or a {@link Variants}.
     *
     * @throws IOException if the metadata is not one of ours (another version, or damaged)
     */
    static Object decode(byte[] meta, DiskStore.Entry file) throws IOException {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(meta))) {
            if (in.readByte() != FORMAT) {
                throw new IOException("unknown cache entry format");
            }
            byte kind = in.readByte();
            if (kind == VARIANTS) {
                long generation = in.readLong();
                String[] names = new String[count(in)];
                for (int i = 0; i < names.length; i++) {
                    names[i] = readString(in);
                }
                return new Variants(names, generation, file);
            }
            if (kind != RESPONSE) {
                throw new IOException("unknown cache entry kind " + kind);
            }
            int status = in.readInt();
            long[] state = new long[Freshness.STATE_LENGTH];
            for (int i = 0; i < state.length; i++) {
                state[i] = in.readLong();
            }
            int n = count(in);
            String[] names = new String[n];
            String[] values = new String[n];
            for (int i = 0; i < n; i++) {
                names[i] = readString(in);
                values[i] = readString(in);
            }
            if (in.available() != 0) {
                throw new IOException("trailing bytes in cache entry metadata");
            }
            return new CachedResponse(status, StoredFields.of(names, values, Set.of()), null,
                    Freshness.restore(state), file);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static int count(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 10_000) {
            throw new IOException("bad field count " + n);
        }
        return n;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("bad string length " + n);
        }
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }
}
