package io.pingora4j.server;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.codec.h2.H2Connection;
import io.pingora4j.codec.h2.H2Exception;
import io.pingora4j.codec.h2.H2FrameSink;
import io.pingora4j.codec.h2.H2Limits;
import io.pingora4j.codec.h2.H2Listener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC origin over h2c for the server's tests, made of the codec's server role over blocking
 * sockets (a reader thread per connection, each call answered on a thread of its own):
 * <ul>
 *   <li>{@code /test.Echo/Unary}: answers the request's messages, with metadata
 *       {@code x-echo-meta} echoing the request's {@code x-meta}, and trailers grpc-status 0;</li>
 *   <li>{@code /test.Echo/Missing}: HEADERS then trailers grpc-status 5, "no such thing" (no message);</li>
 *   <li>{@code /test.Echo/TrailersOnly}: one HEADERS frame with grpc-status 7 that ends the stream;</li>
 *   <li>{@code /grpc.health.v1.Health/Check}: SERVING, or NOT_SERVING while {@link #serving} is false.</li>
 * </ul>
 * It records each request's content-type and te fields.
 */
final class GrpcTestOrigin implements AutoCloseable {

    volatile boolean serving = true;
    final List<String> requests = new CopyOnWriteArrayList<>();
    private final ServerSocket listener;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "grpc-test-origin-call");
        t.setDaemon(true);
        return t;
    });

    GrpcTestOrigin() throws IOException {
        listener = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket s = listener.accept();
                    Thread t = new Thread(() -> new Conn(s).serve(), "grpc-test-origin-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "grpc-test-origin-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        pool.shutdownNow();
    }

    /** A gRPC message frame: uncompressed, big-endian length, the bytes. */
    static byte[] frame(byte[] message) {
        byte[] f = new byte[5 + message.length];
        f[1] = (byte) (message.length >>> 24);
        f[2] = (byte) (message.length >>> 16);
        f[3] = (byte) (message.length >>> 8);
        f[4] = (byte) message.length;
        System.arraycopy(message, 0, f, 5, message.length);
        return f;
    }

    private final class Conn implements H2Listener, H2FrameSink {
        private final Socket socket;
        private final ByteBuffer pending = ByteBuffer.allocate(1 << 20);
        private final Map<Integer, RequestHead> heads = new HashMap<>();
        private final Map<Integer, ByteArrayOutputStream> bodies = new HashMap<>();
        private H2Connection h2;
        private OutputStream out;

        Conn(Socket socket) {
            this.socket = socket;
        }

        void serve() {
            try (socket) {
                socket.setTcpNoDelay(true);
                out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                synchronized (this) {
                    h2 = new H2Connection(H2Connection.Role.SERVER, H2Limits.DEFAULTS, this, this);
                    h2.start();
                    send();
                }
                byte[] b = new byte[64 * 1024];
                ByteBuffer buf = ByteBuffer.allocate(1 << 20);
                int n;
                while ((n = in.read(b)) > 0) {
                    synchronized (this) {
                        buf.put(b, 0, n).flip();
                        h2.receive(buf, System.nanoTime());
                        buf.compact();
                        send();
                        h2.outboundDrained();
                        notifyAll();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // closed
            }
        }

        private void send() throws IOException {
            if (pending.position() > 0) {
                out.write(pending.array(), 0, pending.position());
                out.flush();
                pending.clear();
            }
        }

        @Override
        public ByteBuffer reserve(int bytes) {
            return pending;
        }

        @Override
        public void payload(ByteBuffer data) {
            pending.put(data.duplicate());
        }

        @Override
        public void onRequestHeaders(int streamId, RequestHead head, boolean endStream) {
            RequestHead copy = new RequestHead();
            copy.copyFrom(head);
            copy.detach();
            heads.put(streamId, copy);
            bodies.put(streamId, new ByteArrayOutputStream());
            if (endStream) {
                dispatch(streamId);
            }
        }

        @Override
        public void onData(int streamId, ByteBuffer data, boolean endStream) {
            ByteArrayOutputStream b = bodies.get(streamId);
            int n = data.remaining();
            if (b != null) {
                byte[] bytes = new byte[n];
                data.duplicate().get(bytes);
                b.write(bytes, 0, n);
            }
            h2.consumed(streamId, n);
            if (endStream) {
                dispatch(streamId);
            }
        }

        @Override
        public void onTrailers(int streamId, HeaderBlock trailers) {
            dispatch(streamId);
        }

        @Override
        public void onStreamWritable(int streamId) {
            notifyAll();
        }

        @Override
        public void onConnectionError(H2Exception error) {
            // the reader ends when the proxy closes
        }

        private void dispatch(int id) {
            RequestHead head = heads.remove(id);
            byte[] body = bodies.remove(id).toByteArray();
            if (head == null) {
                return;
            }
            requests.add(head.path() + " content-type=" + head.headers().get("content-type") + " te="
                    + head.headers().get("te"));
            pool.execute(() -> {
                try {
                    answer(id, head, body);
                } catch (IOException e) {
                    // the proxy went away
                }
            });
        }

        private void answer(int id, RequestHead head, byte[] body) throws IOException {
            String path = head.path();
            ResponseHead h = new ResponseHead();
            h.headers().add("content-type", "application/grpc+proto");
            switch (path) {
                case "/test.Echo/Unary" -> {
                    String meta = head.headers().get("x-meta");
                    if (meta != null) {
                        h.headers().add("x-echo-meta", meta);
                    }
                    headers(id, h, false);
                    data(id, body);
                    trailers(id, "grpc-status", "0");
                }
                case "/test.Echo/Missing" -> {
                    headers(id, h, false);
                    trailers(id, "grpc-status", "5", "grpc-message", "no such thing");
                }
                case "/test.Echo/TrailersOnly" -> {
                    h.headers().add("grpc-status", "7");
                    h.headers().add("grpc-message", "denied");
                    headers(id, h, true);
                }
                case "/grpc.health.v1.Health/Check" -> {
                    headers(id, h, false);
                    data(id, frame(new byte[] {0x08, (byte) (serving ? 1 : 2)}));
                    trailers(id, "grpc-status", "0");
                }
                default -> {
                    h.headers().add("grpc-status", "12");
                    headers(id, h, true);
                }
            }
        }

        private synchronized void headers(int id, ResponseHead h, boolean end) throws IOException {
            h2.writeHeaders(id, h, end);
            send();
        }

        private synchronized void trailers(int id, String... nameValues) throws IOException {
            HeaderBlock t = new HeaderBlock();
            for (int i = 0; i < nameValues.length; i += 2) {
                t.add(nameValues[i], nameValues[i + 1]);
            }
            h2.writeTrailers(id, t);
            send();
        }

        private synchronized void data(int id, byte[] bytes) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (b.hasRemaining()) {
                if (h2.writeData(id, b, false) < 0) {
                    throw new IOException("stream gone");
                }
                send();
                if (b.hasRemaining()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new IOException("no window");
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, 50_000_000L));
                    } catch (InterruptedException e) {
                        throw new IOException("interrupted");
                    }
                }
            }
        }
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
