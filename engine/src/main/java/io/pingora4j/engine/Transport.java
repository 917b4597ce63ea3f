package io.pingora4j.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The byte stream under a connection: plain TCP today, a TLS wrapper (SSLEngine) later, without
 * the connection code above it changing. Non-blocking: reads and writes do what they can now.
 */
interface Transport {

    /** Reads into {@code dst}; returns bytes read, 0 if none now, -1 at end of stream. */
    int read(ByteBuffer dst) throws IOException;

    /** Writes from {@code srcs[offset, offset+length)}; returns bytes written (possibly 0). */
    long write(ByteBuffer[] srcs, int offset, int length) throws IOException;

    /** Stops sending (half-close), for a tunnel whose other side finished. */
    void shutdownOutput() throws IOException;

    void close();

    SocketChannel channel();

    /** Plain TCP. */
    final class Plain implements Transport {
        private final SocketChannel channel;

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
    }
}
