package io.pingora4j.engine;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * An HTTP/2 connection's outbound bytes: frames are written straight into pooled buffers (a
 * short chain of them), and the chain goes out with one gathering write. Buffers that went out
 * return to the pool, so an idle connection holds none.
 *
 * <p>The chain is bounded: response DATA may fill {@link #dataRoom()} (all but the last buffer),
 * then the streams wait for the client to read (and their origins for them: backpressure, so a
 * client that reads slowly costs at most this much, CVE-2019-9511/9517). Control frames and heads
 * may use the last buffer too; past {@link #overCap()} the peer is not reading what it provokes,
 * which the connection treats as a flood.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class H2Output {

    private final BufferPool pool;
    private final int maxBuffers;
    /** Each lease's buf is in write mode (position = end of what was written); its view reads from readPos. */
    private BufferPool.Lease[] chain;
    private int[] readPos;
    private ByteBuffer[] batch;
    private int count;
    private boolean held;
    private long written;

    H2Output(BufferPool pool, int maxBuffers) {
        this.pool = pool;
        this.maxBuffers = maxBuffers;
        this.chain = new BufferPool.Lease[maxBuffers + 2];
        this.readPos = new int[maxBuffers + 2];
        this.batch = new ByteBuffer[maxBuffers + 2];
    }

    /**
     * A buffer with at least {@code n} bytes of room at its position, to write frames into (write
     * mode; advance its position). Never fails: a chain past {@link #overCap()} grows, and its
     * owner ends the connection at its next check.
     */
    ByteBuffer room(int n) {
        if (count > 0) {
            ByteBuffer tail = chain[count - 1].buf;
            if (tail.remaining() >= n) {
                return tail;
            }
        }
        if (count == chain.length) {
            chain = java.util.Arrays.copyOf(chain, count * 2);
            readPos = java.util.Arrays.copyOf(readPos, count * 2);
            batch = java.util.Arrays.copyOf(batch, count * 2);
        }
        BufferPool.Lease l = n <= pool.bufferSize() ? pool.acquire()
                : new BufferPool.Lease(ByteBuffer.allocateDirect(n)); // a head larger than a buffer: rare
        l.buf.clear();
        chain[count] = l;
        readPos[count] = 0;
        count++;
        return l.buf;
    }

    /** Appends {@code data[position, limit)} (not consumed), across buffers as needed. */
    void put(ByteBuffer data) {
        int p = data.position();
        int lim = data.limit();
        try {
            while (data.hasRemaining()) {
                ByteBuffer tail = room(1);
                int n = Math.min(tail.remaining(), data.remaining());
                data.limit(data.position() + n);
                tail.put(data);
                data.limit(lim);
            }
        } finally {
            data.limit(lim).position(p);
        }
    }

    /** Bytes of DATA payload (plus frame headers) that may still be queued before streams must wait. */
    int dataRoom() {
        long occupied = 0;
        for (int i = 0; i < count; i++) {
            occupied += i < count - 1 ? chain[i].buf.capacity() : chain[i].buf.position();
        }
        return (int) Math.max(0, (long) (maxBuffers - 1) * pool.bufferSize() - occupied);
    }

    /** More is queued than the chain should ever hold: the peer does not read what it asks for. */
    boolean overCap() {
        return count > 2 * maxBuffers;
    }

    boolean pending() {
        return count > 0 || held;
    }

    /** Queued bytes not written yet. */
    long queuedBytes() {
        long n = 0;
        for (int i = 0; i < count; i++) {
            n += chain[i].buf.position() - readPos[i];
        }
        return n;
    }

    long written() {
        return written;
    }

    /** Writes what it can; true when everything went out. */
    boolean flush(Transport t) throws IOException {
        while (count > 0) {
            for (int i = 0; i < count; i++) {
                ByteBuffer v = chain[i].view;
                v.limit(chain[i].buf.position()).position(readPos[i]);
                batch[i] = v;
            }
            long n = t.write(batch, 0, count);
            written += n;
            int done = 0;
            for (int i = 0; i < count; i++) {
                readPos[i] = batch[i].position();
                batch[i] = null;
                if (readPos[i] == chain[i].buf.position()) {
                    done++;
                } else {
                    break;
                }
            }
            if (done > 0) {
                dropFront(done);
            }
            if (n == 0 && count > 0) {
                return false;
            }
        }
        held = !t.flush();
        return !held;
    }

    /** Returns the first {@code n} buffers (all written) to the pool. */
    private void dropFront(int n) {
        for (int i = 0; i < n; i++) {
            release(chain[i]);
        }
        System.arraycopy(chain, n, chain, 0, count - n);
        System.arraycopy(readPos, n, readPos, 0, count - n);
        for (int i = count - n; i < count; i++) {
            chain[i] = null;
        }
        count -= n;
    }

    private void release(BufferPool.Lease l) {
        if (l.buf.capacity() == pool.bufferSize()) {
            pool.release(l);
        }
    }

    /** Drops everything (the connection is closing). */
    void clear() {
        for (int i = 0; i < count; i++) {
            release(chain[i]);
            chain[i] = null;
        }
        count = 0;
        held = false;
    }
}
