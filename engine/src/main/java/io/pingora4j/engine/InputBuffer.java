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

    /** Where the buffer comes from first: small buffers, as most requests and answers are small. */
    private final BufferPool first;
    /** Where it moves once a read fills the small one: bodies and large heads come in large pieces. */
    private final BufferPool then;
    private final int growBy;
    private BufferPool.Lease lease;
    /** The pool {@link #lease} returns to (null: a grown buffer of its own, freed on release). */
    private BufferPool leasePool;
    private ByteBuffer buf;
    private boolean moveToLarge;

    /**
     * @param first  the pool a connection's first read takes from
     * @param then   the pool of larger buffers taken once a read fills one from {@code first}
     *               (the same pool: no move)
     * @param growBy how much to add when a message head fills the buffer without being complete
     *               (at least the largest head the parser accepts)
     */
    InputBuffer(BufferPool first, BufferPool then, int growBy) {
        this.first = first;
        this.then = then;
        this.growBy = growBy;
    }

    InputBuffer(BufferPool pool, int growBy) {
        this(pool, pool, growBy);
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
     * Returns bytes read, 0 if none now, -1 at end of stream. A small buffer that a read filled
     * moves to a large one before the next read; a full buffer is grown once to hold the largest
     * head allowed. No window of the buffer is queued elsewhere when this is called, so moving it
     * is safe.
     */
    int read(Transport t) throws IOException {
        if (buf == null) {
            take(first);
        } else if (moveToLarge) {
            BufferPool.Lease small = lease;
            BufferPool smallPool = leasePool;
            ByteBuffer held = buf;
            take(then);
            buf.clear();
            buf.put(held).flip();
            smallPool.release(small);
        }
        moveToLarge = false;
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
        if (n > 0 && leasePool == first && first != then && buf.limit() == buf.capacity()) {
            moveToLarge = true; // the socket had at least this much: more is coming in large pieces
        }
        if (n == 0 && buf.remaining() == buf.capacity()) {
            BufferPool.Lease big = new BufferPool.Lease(
                    ByteBuffer.allocateDirect(buf.capacity() + growBy).order(buf.order()));
            big.buf.put(buf).flip();
            leasePool.release(lease);
            lease = big;
            leasePool = null;
            buf = big.buf;
            moveToLarge = false;
            return read(t);
        }
        return n;
    }

    private void take(BufferPool pool) {
        lease = pool.acquire();
        leasePool = pool;
        buf = lease.buf;
        buf.flip();
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
            if (leasePool != null) {
                leasePool.release(lease);
            } else {
                DirectMemory.free(lease.buf); // a grown buffer of its own
            }
            lease = null;
            leasePool = null;
            buf = null;
            moveToLarge = false;
        }
    }
}
