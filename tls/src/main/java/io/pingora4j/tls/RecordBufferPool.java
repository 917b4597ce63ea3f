package io.pingora4j.tls;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The record and staging buffers of the {@link TlsCodec}s one event loop owns, lent while bytes
 * are in flight and given back when a connection has none (nginx's model: a buffer per read, freed
 * on keep-alive). An idle TLS connection then costs its engine's state and no buffer: ten thousand
 * idle connections share the handful of buffers the busy ones use.
 *
 * <p>Direct buffers for native engines (BoringSSL reads and writes them in place; a direct buffer
 * is slow to make and freed only by a collection, so recycling it matters most), heap buffers for
 * the JDK's engine (its Java ciphers work on arrays). Each kind and size has its own free list;
 * sizes are few (a session's packet and application sizes, twice the packet size for output).
 *
 * <p>At most {@code keepPerSize} free buffers of each kind and size are kept; past that a buffer
 * given back is left to the collector, so a burst does not pin its peak for ever.
 *
 * <p>Not thread-safe: owned by one event loop, as are the codecs that borrow from it. The counters
 * are plain fields; another thread reading them sees a value that may be a little stale.
 */
public final class RecordBufferPool {

    /** Free buffers kept per kind and size by {@link #RecordBufferPool()}. */
    public static final int DEFAULT_KEEP = 64;
    /** Kinds and sizes tracked; a codec that grew its buffers past every tracked size is not pooled. */
    private static final int MAX_SIZES = 16;

    private final int keepPerSize;
    private final int[] capacities = new int[MAX_SIZES];
    private final boolean[] direct = new boolean[MAX_SIZES];
    @SuppressWarnings("unchecked")
    private final ArrayDeque<ByteBuffer>[] free = new ArrayDeque[MAX_SIZES];
    private int sizes;
    private long taken;
    private int outstanding;
    private int pooled;

    public RecordBufferPool() {
        this(DEFAULT_KEEP);
    }

    public RecordBufferPool(int keepPerSize) {
        if (keepPerSize < 0) {
            throw new IllegalArgumentException("keepPerSize < 0");
        }
        this.keepPerSize = keepPerSize;
    }

    /** A cleared buffer of exactly {@code capacity} bytes, direct or on the heap; contents undefined. */
    ByteBuffer take(int capacity, boolean directBuffer) {
        taken++;
        outstanding++;
        int i = indexOf(capacity, directBuffer);
        ByteBuffer b = i < 0 ? null : free[i].pollLast();
        if (b != null) {
            pooled--;
            return b.clear();
        }
        return directBuffer ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
    }

    /**
     * Gives back a buffer from {@link #take}; the caller must not touch it again (the next
     * connection to borrow writes into it).
     */
    void give(ByteBuffer b) {
        outstanding--;
        int i = indexOf(b.capacity(), b.isDirect());
        if (i < 0 && sizes < MAX_SIZES) {
            i = sizes++;
            capacities[i] = b.capacity();
            direct[i] = b.isDirect();
            free[i] = new ArrayDeque<>();
        }
        if (i >= 0 && free[i].size() < keepPerSize) {
            free[i].addLast(b);
            pooled++;
        }
    }

    private int indexOf(int capacity, boolean directBuffer) {
        for (int i = 0; i < sizes; i++) {
            if (capacities[i] == capacity && direct[i] == directBuffer) {
                return i;
            }
        }
        return -1;
    }

    /** Buffers ever lent (taken from a free list or made). */
    public long taken() {
        return taken;
    }

    /** Buffers lent and not given back: what the codecs hold now. */
    public int outstanding() {
        return outstanding;
    }

    /** Free buffers kept for the next borrower. */
    public int pooled() {
        return pooled;
    }

    @Override
    public String toString() {
        return "RecordBufferPool[taken=" + taken + ", outstanding=" + outstanding + ", pooled=" + pooled + "]";
    }
}
