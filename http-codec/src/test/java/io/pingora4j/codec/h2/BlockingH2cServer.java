package io.pingora4j.codec.h2;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * An h2c server (prior knowledge) made of {@link H2Connection} and blocking sockets, a thread per
 * connection: enough for real clients and h2spec to exercise the codec before the engine carries
 * it. Every request is answered 200 with a short text body once its end arrives; request bodies
 * are consumed as they come. Loopback only, ephemeral port.
 */
final class BlockingH2cServer implements AutoCloseable {

    static final String BODY = "hello from the pingora4j h2 codec\n";

    private final ServerSocket listener;
    private final Thread acceptor;

    BlockingH2cServer(H2Limits limits) throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket s = listener.accept();
                    Thread t = new Thread(() -> serve(s, limits), "h2c-" + s.getPort());
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return; // closed
                }
            }
        }, "h2c-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }

    private static void serve(Socket socket, H2Limits limits) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = socket.getInputStream();
            Connection c = new Connection(socket.getOutputStream());
            c.conn = new H2Connection(H2Connection.Role.SERVER, limits, c, c);
            c.conn.start();
            c.flush();
            byte[] b = new byte[16_384];
            for (;;) {
                int n = in.read(b);
                if (n < 0) {
                    return;
                }
                c.conn.receive(ByteBuffer.wrap(b, 0, n), System.nanoTime());
                c.flush();
                c.conn.outboundDrained();
                if (c.conn.failed() || c.conn.canClose() || c.broken) {
                    // lingering close: the GOAWAY reaches the client before any reset does
                    socket.shutdownOutput();
                    socket.setSoTimeout(2000);
                    while (in.read(b) >= 0) {
                        // drain until the client closes
                    }
                    return;
                }
            }
        } catch (SocketTimeoutException | java.net.SocketException e) {
            // the client went away
        } catch (IOException e) {
            // the client went away
        }
    }

    /** One connection's engine: sink and listener. */
    private static final class Connection implements H2Listener, H2FrameSink {
        private final OutputStream out;
        private ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        private final Map<Integer, ByteBuffer> pending = new HashMap<>();
        H2Connection conn;
        boolean broken;

        Connection(OutputStream out) {
            this.out = out;
        }

        @Override
        public ByteBuffer reserve(int bytes) {
            if (buf.remaining() < bytes) {
                flush();
                if (buf.capacity() < bytes) {
                    buf = ByteBuffer.allocate(bytes);
                }
            }
            return buf;
        }

        @Override
        public void payload(ByteBuffer data) {
            flush();
            try {
                out.write(data.array(), data.arrayOffset() + data.position(), data.remaining());
            } catch (IOException e) {
                broken = true;
            }
        }

        void flush() {
            buf.flip();
            try {
                out.write(buf.array(), 0, buf.limit());
                out.flush();
            } catch (IOException e) {
                broken = true;
            }
            buf.clear();
        }

        private void respond(int id) {
            ResponseHead r = new ResponseHead();
            r.headers().add("content-type", "text/plain");
            if (!conn.writeHeaders(id, r, false)) {
                return;
            }
            pending.put(id, ByteBuffer.wrap(BODY.getBytes(StandardCharsets.US_ASCII)));
            send(id);
        }

        private void send(int id) {
            ByteBuffer b = pending.get(id);
            if (b != null && (conn.writeData(id, b, true) < 0 || !b.hasRemaining())) {
                pending.remove(id);
            }
        }

        @Override
        public void onRequestHeaders(int streamId, RequestHead head, boolean endStream) {
            if (endStream) {
                respond(streamId);
            }
        }

        @Override
        public void onData(int streamId, ByteBuffer data, boolean endStream) {
            conn.consumed(streamId, data.remaining());
            if (endStream) {
                respond(streamId);
            }
        }

        @Override
        public void onTrailers(int streamId, HeaderBlock trailers) {
            respond(streamId);
        }

        @Override
        public void onStreamWritable(int streamId) {
            send(streamId);
        }

        @Override
        public void onStreamReset(int streamId, int errorCode, H2Exception cause) {
            pending.remove(streamId);
        }

        @Override
        public void onConnectionError(H2Exception error) {
            // GOAWAY is queued; serve() flushes it and closes
        }
    }
}
