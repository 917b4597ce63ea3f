package io.pingora4j.server.location;

import io.pingora4j.codec.h1.BodyFraming;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.Session;
import java.nio.ByteBuffer;

/**
 * A location's {@code client_max_body_size}: a request whose Content-Length is over the limit is
 * refused with 413 before anything is sent upstream (in {@link #requestFilter}); a body without a
 * length (chunked) is counted as it streams and fails with 413 when it goes over (in
 * {@link #requestBodyFilter}; by then the upstream may have seen part of it, and the engine is
 * expected to abort that upstream request).
 *
 * <p>Immutable and thread-safe; the running count of a chunked body lives in a session attribute.
 */
public final class BodySizeLimitFilter implements HttpFilter {

    private static final String COUNT_ATTRIBUTE = "pingora4j.location.body_bytes";

    private final long maxBytes;

    public BodySizeLimitFilter(long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("limit must be > 0, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    @Override
    public Action requestFilter(Session session) {
        long length = session.request().contentLength();
        if (length > maxBytes) {
            throw tooLarge(length);
        }
        return Action.CONTINUE;
    }

    @Override
    public ByteBuffer requestBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream) {
        RequestHead request = session.request();
        if (request.framing() == BodyFraming.CONTENT_LENGTH || chunk == null) {
            return chunk; // the length was checked up front and the codec enforces it
        }
        long[] count = (long[]) session.attribute(COUNT_ATTRIBUTE);
        if (count == null) {
            count = new long[1];
            session.setAttribute(COUNT_ATTRIBUTE, count);
        }
        count[0] += chunk.remaining();
        if (count[0] > maxBytes) {
            throw tooLarge(count[0]);
        }
        return chunk;
    }

    private ProxyError tooLarge(long size) {
        return ProxyError.status(413, "request body of " + size + " bytes is over client_max_body_size ("
                + maxBytes + " bytes)");
    }

    @Override
    public String toString() {
        return "client_max_body_size(" + maxBytes + ")";
    }
}
