package io.pingora4j.engine;

import java.nio.ByteBuffer;

/**
 * The request-body bytes sent upstream so far, kept so an idempotent request can be sent again on
 * another connection after a failure (as Pingora): up to {@link #MAX_REPLAY} bytes, after which
 * (or for a method that is not idempotent) nothing is kept and the request cannot be replayed.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class RequestBodyReplay {

    /** Most request-body bytes kept to replay an idempotent request on another connection. */
    static final int MAX_REPLAY = 64 * 1024;

    private ByteBuffer bytes;
    private boolean overflow;

    void reset() {
        bytes = null;
        overflow = false;
    }

    /** Keeps a copy of {@code chunk} (not consumed) if the request may still be replayed. */
    void record(ByteBuffer chunk, boolean idempotent) {
        if (overflow) {
            return;
        }
        int n = chunk.remaining();
        int have = bytes == null ? 0 : bytes.position();
        if (!idempotent || have + n > MAX_REPLAY) {
            overflow = true; // never replayed: a POST, or too big to keep
            bytes = null;
            return;
        }
        if (bytes == null || bytes.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.min(MAX_REPLAY, Math.max(4096, 2 * (have + n))));
            if (bytes != null) {
                bigger.put(bytes.flip());
            }
            bytes = bigger;
        }
        bytes.put(bytes.position(), chunk, chunk.position(), n);
        bytes.position(bytes.position() + n);
    }

    /** Everything sent so far is kept (true also when nothing was sent). */
    boolean holdsAll() {
        return !overflow;
    }

    /** The kept bytes, as a new read view; null when none. */
    ByteBuffer view() {
        return bytes == null || bytes.position() == 0 ? null : bytes.duplicate().flip();
    }
}
