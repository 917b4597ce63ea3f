package io.pingora4j.engine;

import io.pingora4j.spi.ProxyError;
import java.nio.ByteBuffer;

/**
 * A chunked request body held whole for an origin that speaks HTTP/1.0, which cannot read chunked
 * coding: the request goes with a Content-Length once the body is complete, or the client gets
 * 413 past {@link #MAX} (nginx buffers such bodies too; its client_max_body_size default is the
 * same 1 MiB).
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class BufferedRequestBody {

    static final int MAX = 1 << 20;

    private ByteBuffer bytes;

    void reset() {
        bytes = null;
    }

    int length() {
        return bytes == null ? 0 : bytes.position();
    }

    /** Appends {@code chunk} (not consumed). */
    void add(ByteBuffer chunk) {
        int have = length();
        int n = chunk.remaining();
        if (have + n > MAX) {
            throw ProxyError.status(413, "chunked request body over " + MAX
                    + " bytes for an HTTP/1.0 origin, which needs a Content-Length");
        }
        if (bytes == null || bytes.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.min(MAX, Math.max(16 * 1024, 2 * (have + n))));
            if (bytes != null) {
                bigger.put(bytes.flip());
            }
            bytes = bigger;
        }
        bytes.put(chunk.duplicate());
    }

    /** The body so far, as a new read view; null when empty. */
    ByteBuffer view() {
        return length() == 0 ? null : bytes.duplicate().flip();
    }
}
