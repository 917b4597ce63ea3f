package io.pingora4j.engine;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Direct buffers of one size, recycled. A connection takes one while it has bytes to hold and
 * gives it back when idle, so an idle keep-alive connection holds no buffer.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class BufferPool {

    private final int size;
    private final int maxPooled;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private long allocated;

    BufferPool(int size, int maxPooled) {
        this.size = size;
        this.maxPooled = maxPooled;
    }

    int bufferSize() {
        return size;
    }

    /** A cleared buffer (position 0, limit capacity). */
    ByteBuffer acquire() {
        ByteBuffer b = free.pollFirst();
        if (b == null) {
            allocated++;
            return ByteBuffer.allocateDirect(size);
        }
        return b.clear();
    }

    /** Returns a buffer taken from this pool; a buffer of another size is dropped. */
    void release(ByteBuffer b) {
        if (b != null && b.capacity() == size && b.isDirect() && free.size() < maxPooled) {
            free.addFirst(b);
        }
    }

    long allocatedCount() {
        return allocated;
    }

    int pooledCount() {
        return free.size();
    }
}
