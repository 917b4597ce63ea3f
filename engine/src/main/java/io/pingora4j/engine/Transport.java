package io.pingora4j.engine;

import io.pingora4j.spi.TlsInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The byte stream under a connection: plain TCP ({@link Plain}) or TLS ({@link TlsTransport}),
 * without the connection code above it changing. Non-blocking: reads and writes do what they can
 * now.
 *
 * <p>A transport may hold bytes of its own: TLS decrypts whole records, so a read can leave
 * plaintext (or whole records) behind that the socket will never signal again, and a write can
 * take plaintext whose records the socket has not taken yet. The connection code asks
 * {@link #flush()} whether its bytes are really out, and tells {@link #readResumed()} when it
 * wants to read again; the transport re-dispatches a read itself while it holds input.
 */
interface Transport {

    /** Reads into {@code dst}; returns bytes read, 0 if none now, -1 at end of stream. */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Writes from {@code srcs[offset, offset+length)}; returns bytes taken (possibly 0). Bytes
     * taken may still be held by the transport: see {@link #flush()}.
     */
    long write(ByteBuffer[] srcs, int offset, int length) throws IOException;

    /** Sends what the transport holds; true when nothing is left in it. */
    boolean flush() throws IOException;

    /** Stops sending (half-close), for a tunnel whose other side finished. */
    void shutdownOutput() throws IOException;

    void close();

    SocketChannel channel();

    /** True when the transport holds received bytes nobody read yet. */
    boolean hasBufferedInput();

    /** The owner turned reading back on: input the transport holds is delivered (soon, on the loop). */
    void readResumed();

    /**
     * Probes an idle pooled connection with a non-blocking read (when the selector reports it
     * readable, and before it is reused). Returns true when it must be dropped (the peer closed it
     * or sent bytes nobody asked for); false when nothing came, or the transport consumed what
     * came (a TLS session ticket), and the connection may stay.
     */
    boolean idleReadable();

    /** The TLS parameters of the connection, or null on plain TCP. */
    TlsInfo tlsInfo();

    /** Plain TCP. */
    final class Plain implements Transport {
        private final SocketChannel channel;
        private ByteBuffer probe;

        Plain(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return channel.read(dst);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return channel.write(srcs, offset, length);
        }

        @Override
        public boolean flush() {
            return true; // the kernel holds what write took
        }

        @Override
        public void shutdownOutput() throws IOException {
            channel.shutdownOutput();
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a socket that failed: nothing left to do
            }
        }

        @Override
        public SocketChannel channel() {
            return channel;
        }

        @Override
        public boolean hasBufferedInput() {
            return false;
        }

        @Override
        public void readResumed() {
            // the selector reports what the kernel holds
        }

        @Override
        public boolean idleReadable() {
            // on an idle plain connection any byte or the end means drop it; a read of nothing
            // (a probe before reuse, or a spurious wakeup) keeps it
            if (probe == null) {
                probe = ByteBuffer.allocate(1);
            }
            probe.clear();
            try {
                return channel.read(probe) != 0;
            } catch (IOException e) {
                return true;
            }
        }

        @Override
        public TlsInfo tlsInfo() {
            return null;
        }
    }
}
