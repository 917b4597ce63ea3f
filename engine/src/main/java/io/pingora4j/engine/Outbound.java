package io.pingora4j.engine;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The bytes queued for one socket: a batch of buffers written with one gathering write. What the
 * socket did not take stays queued (its buffers untouched by anyone until then: the producer stops
 * while {@link #pending()}), and the owner asks for OP_WRITE. Bytes the transport took but still
 * holds (TLS records the socket did not take) count as pending too.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class Outbound {

    private static final int CAPACITY = 8;

    private final ByteBuffer[] batch = new ByteBuffer[CAPACITY];
    private int start;
    private int end;
    private long written;
    private boolean stalled;
    /** The transport took everything but holds some of it (TLS records not sent yet). */
    private boolean held;

    /** Queues {@code b} (if it has bytes) after what is already queued. */
    void add(ByteBuffer b) {
        if (!b.hasRemaining()) {
            return;
        }
        if (end == CAPACITY) {
            compact();
            if (end == CAPACITY) {
                throw new IllegalStateException("outbound batch full");
            }
        }
        batch[end++] = b;
    }

    boolean pending() {
        return start < end || held;
    }

    /**
     * True when the last flush left bytes the socket did not take: the producer must stop until
     * the socket drains. Bytes merely queued (to go out in one gathering write) do not stall.
     */
    boolean stalled() {
        return stalled && (start < end || held);
    }

    /** Bytes written to the socket over this object's life. */
    long written() {
        return written;
    }

    /**
     * Writes what it can. Returns true when everything queued was written.
     *
     * @throws IOException if the peer is gone
     */
    boolean flush(Transport t) throws IOException {
        while (start < end) {
            long n = t.write(batch, start, end - start);
            written += n;
            while (start < end && !batch[start].hasRemaining()) {
                batch[start++] = null;
            }
            if (n == 0 && start < end) {
                stalled = true;
                return false;
            }
        }
        start = 0;
        end = 0;
        held = !t.flush();
        stalled = held;
        return !held;
    }

    /** Drops everything queued (the connection is being torn down). */
    void clear() {
        for (int i = start; i < end; i++) {
            batch[i] = null;
        }
        start = 0;
        end = 0;
        stalled = false;
        held = false;
    }

    private void compact() {
        int n = end - start;
        System.arraycopy(batch, start, batch, 0, n);
        for (int i = n; i < end; i++) {
            batch[i] = null;
        }
        start = 0;
        end = n;
    }
}
