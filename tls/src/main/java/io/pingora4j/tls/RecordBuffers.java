package io.pingora4j.tls;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Direct buffers for the record and staging buffers of {@link TlsCodec}s over a native engine,
 * recycled per thread. BoringSSL reads and writes a direct buffer in place (a heap buffer is copied
 * through one of netty's), but a direct buffer is slow to make and is freed only by a GC: at a few
 * thousand handshakes a second, buffers made per connection would pile up until the direct memory
 * limit forces a collection. A released codec hands its buffers back to the thread it ran on (its
 * event loop), whose next connection takes them.
 *
 * <p>At most {@link #KEEP} buffers of each size are kept per thread; more are left to the GC.
 * Not shared: each thread has its own free lists.
 */
final class RecordBuffers {

    static final int KEEP = 64;

    private static final ThreadLocal<Map<Integer, ArrayDeque<ByteBuffer>>> FREE = ThreadLocal.withInitial(HashMap::new);

    private RecordBuffers() {
    }

    /** A cleared direct buffer of exactly {@code capacity} bytes; its contents are undefined. */
    static ByteBuffer take(int capacity) {
        ArrayDeque<ByteBuffer> free = FREE.get().get(capacity);
        ByteBuffer b = free == null ? null : free.pollLast();
        return b != null ? b.clear() : ByteBuffer.allocateDirect(capacity);
    }

    /** Gives {@code b} back for this thread's next {@link #take}; the caller must not touch it again. */
    static void give(ByteBuffer b) {
        if (b == null || !b.isDirect()) {
            return;
        }
        ArrayDeque<ByteBuffer> free = FREE.get().computeIfAbsent(b.capacity(), c -> new ArrayDeque<>());
        if (free.size() < KEEP) {
            free.addLast(b);
        }
    }

    /** Buffers held for this thread, for tests. */
    static int held(int capacity) {
        ArrayDeque<ByteBuffer> free = FREE.get().get(capacity);
        return free == null ? 0 : free.size();
    }
}
