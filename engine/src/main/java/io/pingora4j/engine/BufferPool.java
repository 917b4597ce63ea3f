package io.pingora4j.engine;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Direct buffers of one size, recycled, each with a duplicate view made once (body runs are handed
 * out as windows of the view, so taking a buffer again allocates nothing). A connection takes one
 * while it has bytes to hold and gives it back when idle, so an idle keep-alive connection holds
 * no buffer.
 *
 * <p>At most {@code maxPooled} free buffers are kept; past that a returned buffer's native memory
 * is freed at once (a burst of ten thousand requests must not leave 300 MB behind, and a dropped
 * direct buffer would wait for an old-generation collection to be freed). So a buffer given back
 * must not be referenced anywhere any more: every caller returns a lease exactly once, after its
 * last window went out.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class BufferPool {

    /** A buffer and its view. */
    static final class Lease {
        final ByteBuffer buf;
        final ByteBuffer view;

        Lease(ByteBuffer buf) {
            this.buf = buf;
            this.view = buf.duplicate();
        }
    }

    private final int size;
    private final int maxPooled;
    private final ArrayDeque<Lease> free = new ArrayDeque<>();
    private long allocated;
    private int leased;

    BufferPool(int size, int maxPooled) {
        this.size = size;
        this.maxPooled = maxPooled;
    }

    int bufferSize() {
        return size;
    }

    /** A lease on a cleared buffer (position 0, limit capacity). */
    Lease acquire() {
        leased++;
        Lease l = free.pollFirst();
        if (l == null) {
            allocated++;
            // native order: the parser's word-at-a-time scans then read without byte swaps
            return new Lease(ByteBuffer.allocateDirect(size).order(java.nio.ByteOrder.nativeOrder()));
        }
        l.buf.clear();
        return l;
    }

    /** Gives a lease back; one of another size (a grown buffer), or past the cap, is freed. */
    void release(Lease l) {
        if (l == null) {
            return;
        }
        if (l.buf.capacity() != size) {
            DirectMemory.free(l.buf); // a grown buffer: never counted as a lease, never pooled
            return;
        }
        leased--;
        if (free.size() < maxPooled) {
            free.addFirst(l);
            return;
        }
        DirectMemory.free(l.buf);
    }

    long allocatedCount() {
        return allocated;
    }

    /** Buffers lent out now (taken and not given back). */
    int leasedCount() {
        return leased;
    }

    int pooledCount() {
        return free.size();
    }
}
