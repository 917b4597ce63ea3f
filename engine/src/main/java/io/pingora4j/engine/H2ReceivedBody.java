package io.pingora4j.engine;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The DATA of one HTTP/2 stream that the other side has not taken yet: copied out of the
 * connection's read buffer (valid only during the codec's callback) into the loop's pooled buffers,
 * and handed on one run at a time. A run's bytes go back to the stream's flow-control window only
 * when the taker is done with them ({@link #doneWithRun}), so a slow taker holds back its own
 * stream and no other. Used for a client's request body ({@link H2RequestStream}) and an origin's
 * response body ({@link H2UpstreamStream}).
 *
 * <p>Owned by one stream on its loop thread; not thread-safe.
 */
final class H2ReceivedBody {

    /** Received bytes, in pooled buffers in write mode: each buffer's position is its end. */
    private final ArrayDeque<BufferPool.Lease> buffers = new ArrayDeque<>(2);
    /** Where the next run starts in the first buffer. */
    private int readPos;
    /** Bytes of the first buffer handed out as the last run and not yet done with. */
    private int handedOut;

    /** Copies {@code data} (consumed) after what is buffered. */
    void add(ByteBuffer data, BufferPool pool) {
        while (data.hasRemaining()) {
            BufferPool.Lease tail = buffers.peekLast();
            if (tail == null || !tail.buf.hasRemaining()) {
                tail = pool.acquire();
                tail.buf.clear();
                if (buffers.isEmpty()) {
                    readPos = 0;
                }
                buffers.addLast(tail);
            }
            int n = Math.min(tail.buf.remaining(), data.remaining());
            int lim = data.limit();
            data.limit(data.position() + n);
            tail.buf.put(data);
            data.limit(lim);
        }
    }

    /**
     * The taker is done with the run {@link #nextRun} handed out last: returns its size for the
     * window (0 when none was out) and gives a spent buffer back to the pool.
     */
    int doneWithRun(BufferPool pool) {
        int n = handedOut;
        if (n == 0) {
            return 0;
        }
        handedOut = 0;
        readPos += n;
        BufferPool.Lease first = buffers.peekFirst();
        if (first != null && readPos == first.buf.position()) {
            pool.release(buffers.pollFirst());
            readPos = 0;
        }
        return n;
    }

    /**
     * The next run of buffered bytes, or null when all were handed out: a view valid until
     * {@link #doneWithRun}, which must come before the next call.
     */
    ByteBuffer nextRun() {
        BufferPool.Lease first = buffers.peekFirst();
        if (first == null || first.buf.position() <= readPos) {
            return null;
        }
        ByteBuffer v = first.view;
        v.limit(first.buf.position()).position(readPos);
        handedOut = v.remaining();
        return v;
    }

    /** Drops every buffered byte (a reset stream, a stream reused): its buffers go back to the pool. */
    void clear(BufferPool pool) {
        handedOut = 0;
        readPos = 0;
        BufferPool.Lease l;
        while ((l = buffers.pollFirst()) != null) {
            pool.release(l);
        }
    }
}
