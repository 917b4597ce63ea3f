package io.pingora4j.engine;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A connection's read buffer: a pooled lease while it holds bytes, nothing while the connection
 * is idle. Kept in read mode: {@code [position, limit)} are the bytes received and not consumed.
 * Body runs are handed out as windows of the lease's view ({@link #slice}), valid until the next
 * {@link #read} (which the owner does not call while a window is queued elsewhere).
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class InputBuffer {

    private final BufferPool pool;
    private final int growBy;
    private BufferPool.Lease lease;
    private ByteBuffer buf;

    /**
     * @param growBy how much to add when a message head fills the buffer without being complete
     *               (at least the largest head the parser accepts)
     */
    InputBuffer(BufferPool pool, int growBy) {
        this.pool = pool;
        this.growBy = growBy;
    }

    /** The buffer in read mode, or null while none is held. */
    ByteBuffer bytes() {
        return buf;
    }

    /** True when no unconsumed byte is held. */
    boolean empty() {
        return buf == null || !buf.hasRemaining();
    }

    /**
     * Reads what {@code t} has after the bytes still held (moving them to the front first).
     * Returns bytes read, 0 if none now, -1 at end of stream. A full buffer is grown once to hold
     * the largest head allowed.
     */
    int read(Transport t) throws IOException {
        if (buf == null) {
            lease = pool.acquire();
            buf = lease.buf;
            buf.flip();
        }
        if (buf.hasRemaining()) {
            buf.compact();
        } else {
            buf.clear();
        }
        int n;
        try {
            n = t.read(buf);
        } finally {
            buf.flip();
        }
        if (n == 0 && buf.remaining() == buf.capacity()) {
            BufferPool.Lease big = new BufferPool.Lease(
                    ByteBuffer.allocateDirect(buf.capacity() + growBy).order(buf.order()));
            big.buf.put(buf).flip();
            pool.release(lease);
            lease = big;
            buf = big.buf;
            return read(t);
        }
        return n;
    }

    /** A window on {@code [start, start+length)} of the buffer, valid until the next read. */
    ByteBuffer slice(int start, int length) {
        ByteBuffer v = lease.view;
        v.limit(start + length).position(start);
        return v;
    }

    /** Gives the buffer back if nothing unconsumed is in it. */
    void releaseIfEmpty() {
        if (buf != null && !buf.hasRemaining()) {
            release();
        }
    }

    /** Gives the buffer back, dropping whatever it holds. */
    void release() {
        if (buf != null) {
            pool.release(lease);
            lease = null;
            buf = null;
        }
    }
}
