package io.pingora4j.engine;

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
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;

/**
 * An HTTP/2 origin for engine tests (h2c with prior knowledge, or TLS with ALPN "h2"), made of the
 * codec's server role over blocking sockets: a reader thread per connection, and each complete
 * request handed to the test's {@link Handler} on a thread of its own, which answers through its
 * {@link Call} (writes wait for the proxy's windows). It counts connections, the most streams open
 * at once on one connection, and the PINGs it was sent.
 */
final class H2Origin implements AutoCloseable {

    /** Answers one request; runs on its own thread. */
    interface Handler {
        void handle(Call call) throws Exception;
    }

    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger maxConcurrent = new AtomicInteger();
    final AtomicInteger pings = new AtomicInteger();
    /** Connections the proxy (or the test) closed. */
    final AtomicInteger closed = new AtomicInteger();
    final List<Conn> conns = new CopyOnWriteArrayList<>();
    private final ServerSocket listener;
    private final H2Limits limits;
    private final Handler handler;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "h2-origin-call");
        t.setDaemon(true);
        return t;
    });

    H2Origin(H2Limits limits, SSLContext tls, Handler handler) throws IOException {
        this.limits = limits;
        this.handler = handler;
        if (tls == null) {
            listener = new ServerSocket(0, 256, InetAddress.getLoopbackAddress());
        } else {
            SSLServerSocket s = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket(0, 256,
                    InetAddress.getLoopbackAddress());
            SSLParameters p = s.getSSLParameters();
            p.setApplicationProtocols(new String[] {"h2"});
            s.setSSLParameters(p);
            listener = s;
        }
        Thread acceptor = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket s = listener.accept();
                    connections.incrementAndGet();
                    Conn c = new Conn(s, connections.get());
                    conns.add(c);
                    Thread t = new Thread(c::serve, "h2-origin-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "h2-origin-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    H2Origin(Handler handler) throws IOException {
        this(H2Limits.DEFAULTS, null, handler);
    }

    int port() {
        return listener.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Conn c : conns) {
            c.socket.close();
        }
        pool.shutdownNow();
    }

    /** One request, complete, and the way to answer it. */
    final class Call {
        final Conn conn;
        final int streamId;
        final RequestHead head = new RequestHead();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        String trailers;

        Call(Conn conn, int streamId, RequestHead h) {
            this.conn = conn;
            this.streamId = streamId;
            head.copyFrom(h);
            head.detach();
        }

        String header(String name) {
            int i = head.headers().indexOf(name);
            return i < 0 ? null : head.headers().value(i);
        }

        String body() {
            return body.toString(StandardCharsets.ISO_8859_1);
        }

        /** A response: status, fields (name, value, ...), a body (may be null) and trailers (name, value, ...). */
        void respond(int status, String[] fields, byte[] bodyBytes, String... trailerFields) throws IOException {
            ResponseHead h = new ResponseHead();
            h.setStatus(status);
            for (int i = 0; fields != null && i < fields.length; i += 2) {
                h.headers().add(fields[i], fields[i + 1]);
            }
            boolean noBody = (bodyBytes == null || bodyBytes.length == 0) && trailerFields.length == 0;
            conn.write(() -> conn.h2.writeHeaders(streamId, h, noBody));
            if (noBody) {
                return;
            }
            if (bodyBytes != null && bodyBytes.length > 0) {
                conn.writeData(streamId, bodyBytes, trailerFields.length == 0);
            }
            if (trailerFields.length > 0) {
                HeaderBlock t = new HeaderBlock();
                for (int i = 0; i < trailerFields.length; i += 2) {
                    t.add(trailerFields[i], trailerFields[i + 1]);
                }
                conn.write(() -> conn.h2.writeTrailers(streamId, t));
            } else if (bodyBytes == null || bodyBytes.length == 0) {
                conn.writeData(streamId, new byte[0], true);
            }
        }

        void text(int status, String text) throws IOException {
            respond(status, new String[] {"content-type", "text/plain"}, text.getBytes(StandardCharsets.UTF_8));
        }

        void reset(int code) throws IOException {
            conn.write(() -> {
                conn.h2.resetStream(streamId, code);
                return true;
            });
        }
    }

    /** One connection from the proxy. */
    final class Conn implements H2Listener, H2FrameSink {
        final Socket socket;
        final int number;
        H2Connection h2;
        private final OutputStream out;
        private final ByteBuffer pending = ByteBuffer.allocate(4 << 20);
        private final Map<Integer, Call> calls = new HashMap<>();
        private final PingCounter sniffer = new PingCounter();
        private int open;

        Conn(Socket socket, int number) throws IOException {
            this.socket = socket;
            this.number = number;
            this.out = socket.getOutputStream();
        }

        void serve() {
            try (socket) {
                socket.setTcpNoDelay(true);
                InputStream in = socket.getInputStream();
                synchronized (this) {
                    h2 = new H2Connection(H2Connection.Role.SERVER, limits, this, this);
                    h2.start();
                    send();
                }
                byte[] b = new byte[64 * 1024];
                ByteBuffer buf = ByteBuffer.allocate(1 << 20);
                int n;
                while ((n = in.read(b)) > 0) {
                    sniffer.feed(b, n);
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
                // the proxy closed the connection, or the test closed the origin
            } finally {
                closed.incrementAndGet();
            }
        }

        /** Sends GOAWAY with {@code lastStreamId}: streams above it are refused (never answered). */
        void goAway(int lastStreamId) throws IOException {
            synchronized (this) {
                ByteBuffer f = pending;
                f.put(new byte[] {0, 0, 8, 7, 0, 0, 0, 0, 0});
                f.putInt(lastStreamId);
                f.putInt(0);
                send();
            }
        }

        interface Op {
            boolean run() throws IOException;
        }

        void write(Op op) throws IOException {
            synchronized (this) {
                op.run();
                send();
            }
        }

        /** Writes body bytes, waiting for the proxy's windows. */
        void writeData(int id, byte[] bytes, boolean end) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            synchronized (this) {
                while (true) {
                    int n = h2.writeData(id, b, end);
                    send();
                    if (n < 0) {
                        throw new IOException("stream " + id + " is gone");
                    }
                    if (!b.hasRemaining()) {
                        return;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || socket.isClosed()) {
                        throw new IOException("no window for stream " + id);
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, 50_000_000L));
                    } catch (InterruptedException e) {
                        throw new IOException("interrupted");
                    }
                }
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
            Call c = new Call(this, streamId, head);
            calls.put(streamId, c);
            open++;
            maxConcurrent.accumulateAndGet(open, Math::max);
            if (endStream) {
                dispatch(c);
            }
        }

        @Override
        public void onData(int streamId, ByteBuffer data, boolean endStream) {
            Call c = calls.get(streamId);
            int n = data.remaining();
            if (c != null) {
                byte[] b = new byte[n];
                data.duplicate().get(b);
                c.body.write(b, 0, n);
            }
            h2.consumed(streamId, n);
            if (c != null && endStream) {
                dispatch(c);
            }
        }

        @Override
        public void onTrailers(int streamId, HeaderBlock trailers) {
            Call c = calls.get(streamId);
            if (c != null) {
                c.trailers = trailers.toString();
                dispatch(c);
            }
        }

        @Override
        public void onStreamReset(int streamId, int errorCode, H2Exception cause) {
            if (calls.remove(streamId) != null) {
                open--;
            }
        }

        @Override
        public void onStreamWritable(int streamId) {
            notifyAll();
        }

        @Override
        public void onConnectionError(H2Exception error) {
            // the codec queued GOAWAY; the reader ends when the proxy closes
        }

        private void dispatch(Call c) {
            pool.execute(() -> {
                try {
                    handler.handle(c);
                } catch (Exception e) {
                    // the stream or the connection went away under the handler
                } finally {
                    synchronized (this) {
                        if (calls.remove(c.streamId) != null) {
                            open--;
                        }
                    }
                }
            });
        }
    }

    /** Counts PING frames (not acknowledgements) in the raw bytes the proxy sends, after its preface. */
    private final class PingCounter {
        private int preface = 24;
        private final byte[] header = new byte[9];
        private int have;
        private long skip;

        void feed(byte[] b, int n) {
            int i = 0;
            while (i < n) {
                if (preface > 0) {
                    int k = Math.min(preface, n - i);
                    preface -= k;
                    i += k;
                } else if (skip > 0) {
                    int k = (int) Math.min(skip, n - i);
                    skip -= k;
                    i += k;
                } else {
                    header[have++] = b[i++];
                    if (have == 9) {
                        have = 0;
                        skip = ((header[0] & 0xff) << 16) | ((header[1] & 0xff) << 8) | (header[2] & 0xff);
                        if (header[3] == 6 && (header[4] & 1) == 0) {
                            pings.incrementAndGet();
                        }
                    }
                }
            }
        }
    }
}
