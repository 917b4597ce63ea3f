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
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/2 client for engine tests (h2c with prior knowledge, or over a TLS socket that
 * negotiated "h2"), built on the codec's client role. Every call is synchronised on the client; a
 * reader thread feeds the codec. Responses are collected per stream and awaited with a deadline.
 */
final class H2Client implements AutoCloseable, H2Listener, H2FrameSink {

    /** What a stream got back. */
    static final class Exchange {
        final List<String> interim = new ArrayList<>();
        int status;
        String head;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        /** For large bodies: only their length and CRC-32 are kept. */
        boolean digestOnly;
        final java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        long count;
        String trailers;
        boolean ended;
        int resetCode = -1;

        String body() {
            return body.toString(StandardCharsets.ISO_8859_1);
        }

        String header(String name) {
            if (head == null) {
                return null;
            }
            for (String line : head.split("\r\n")) {
                int c = line.indexOf(':');
                if (c > 0 && line.substring(0, c).equalsIgnoreCase(name)) {
                    return line.substring(c + 1).trim();
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return status + " " + head + " body=" + body.size() + "B ended=" + ended + " reset=" + resetCode;
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final H2Connection conn;
    private final Map<Integer, Exchange> exchanges = new HashMap<>();
    private final ByteBuffer pending = ByteBuffer.allocate(4 << 20);
    private final Thread reader;
    /** Consume received body bytes at once (true), or leave the window closed until {@link #consume}. */
    private volatile boolean autoConsume = true;
    volatile int goAwayCode = -1;
    volatile int goAwayLastStream = -1;
    volatile boolean closedByPeer;
    volatile H2Exception connectionError;

    H2Client(Socket socket, H2Limits limits) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.conn = new H2Connection(H2Connection.Role.CLIENT, limits, this, this);
        synchronized (this) {
            conn.start();
            send();
        }
        InputStream in = socket.getInputStream();
        reader = new Thread(() -> readLoop(in), "h2-test-client");
        reader.setDaemon(true);
        reader.start();
    }

    static H2Client h2c(int port) throws IOException {
        return new H2Client(new Socket("127.0.0.1", port), H2Limits.DEFAULTS);
    }

    static H2Client h2c(int port, H2Limits limits) throws IOException {
        return new H2Client(new Socket("127.0.0.1", port), limits);
    }

    private void readLoop(InputStream in) {
        byte[] b = new byte[64 * 1024];
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        try {
            int n;
            while ((n = in.read(b)) > 0) {
                synchronized (this) {
                    buf.put(b, 0, n).flip();
                    conn.receive(buf, System.nanoTime());
                    buf.compact();
                    send();
                    notifyAll();
                }
            }
        } catch (IOException | RuntimeException e) {
            // the socket closed under us
        }
        synchronized (this) {
            closedByPeer = true;
            notifyAll();
        }
    }

    // ------------------------------------------------------------------ requests

    /** Opens a stream; {@code nameValues} are extra fields. Returns the stream id. */
    synchronized int request(String method, String path, byte[] body, String... nameValues) throws IOException {
        RequestHead h = new RequestHead();
        h.setMethod(method);
        h.setTarget(path);
        h.headers().add("Host", "test.local");
        for (int i = 0; i < nameValues.length; i += 2) {
            h.headers().add(nameValues[i], nameValues[i + 1]);
        }
        boolean noBody = body == null;
        if (!noBody) {
            h.setContentLength(body.length);
        }
        int id = conn.openStream(h, "http", noBody);
        exchanges.put(id, new Exchange());
        send();
        if (!noBody) {
            sendBody(id, body, true);
        }
        return id;
    }

    /**
     * A request whose body is {@code length} bytes of {@link #generated} data, sent in pieces as
     * the server's windows allow; the response body is kept as a length and CRC-32 only.
     */
    int requestGenerated(String method, String path, long length, long seed) throws IOException {
        int id;
        synchronized (this) {
            RequestHead h = new RequestHead();
            h.setMethod(method);
            h.setTarget(path);
            h.headers().add("Host", "test.local");
            h.setContentLength(length);
            id = conn.openStream(h, "http", false);
            Exchange e = new Exchange();
            e.digestOnly = true;
            exchanges.put(id, e);
            send();
        }
        java.util.Random r = new java.util.Random(seed);
        byte[] piece = new byte[64 * 1024];
        long left = length;
        while (left > 0) {
            int n = (int) Math.min(piece.length, left);
            r.nextBytes(piece);
            left -= n;
            sendBody(id, java.util.Arrays.copyOf(piece, n), left == 0);
        }
        return id;
    }

    /** The CRC-32 of {@code length} bytes made as {@link #requestGenerated} makes them. */
    static long generatedCrc(long length, long seed) {
        java.util.Random r = new java.util.Random(seed);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        byte[] piece = new byte[64 * 1024];
        long left = length;
        while (left > 0) {
            int n = (int) Math.min(piece.length, left);
            r.nextBytes(piece);
            crc.update(piece, 0, n);
            left -= n;
        }
        return crc.getValue();
    }

    /** A CONNECT request for {@code authority} (host:port), without a body (RFC 9113 §8.5). */
    synchronized int connect(String authority) throws IOException {
        io.pingora4j.codec.h1.RequestParser p = new io.pingora4j.codec.h1.RequestParser();
        p.next(ByteBuffer.wrap(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII)));
        RequestHead h = p.head();
        h.detach();
        int id = conn.openStream(h, "http", true);
        exchanges.put(id, new Exchange());
        send();
        return id;
    }

    synchronized int get(String path, String... nameValues) throws IOException {
        return request("GET", path, null, nameValues);
    }

    /** Sends body bytes, waiting for the server's window as needed. */
    void sendBody(int id, byte[] body, boolean end) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(body);
        synchronized (this) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (b.hasRemaining() || end) {
                int n = conn.writeData(id, b, end);
                send();
                if (n < 0) {
                    throw new IOException("stream " + id + " is gone");
                }
                if (!b.hasRemaining() && (n >= 0)) {
                    if (end) {
                        return;
                    }
                }
                if (b.hasRemaining()) {
                    waitFor(deadline, "window for stream " + id);
                } else {
                    return;
                }
            }
        }
    }

    synchronized void reset(int id, int code) throws IOException {
        conn.resetStream(id, code);
        send();
    }

    /** Sends raw bytes (well-formed or not) straight to the socket. */
    synchronized void raw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void autoConsume(boolean on) {
        autoConsume = on;
    }

    synchronized void consume(int id, int bytes) throws IOException {
        conn.consumed(id, bytes);
        send();
    }

    /** Waits for the stream to end (or be reset). */
    synchronized Exchange await(int id) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Exchange e = exchanges.get(id);
        while (!e.ended && e.resetCode < 0) {
            if (closedByPeer) {
                throw new IOException("connection closed before stream " + id + " ended: " + e);
            }
            waitFor(deadline, "stream " + id + " (" + e + ")");
        }
        return e;
    }

    /** Waits for the server to close the connection. */
    synchronized void awaitClosed() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!closedByPeer) {
            waitFor(deadline, "the server closing the connection");
        }
    }

    synchronized Exchange exchange(int id) {
        return exchanges.get(id);
    }

    private void waitFor(long deadline, String what) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new IOException("timed out waiting for " + what);
        }
        try {
            TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, 100_000_000L));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    private void send() throws IOException {
        if (pending.position() > 0) {
            out.write(pending.array(), 0, pending.position());
            out.flush();
            pending.clear();
        }
    }

    // ------------------------------------------------------------------ H2FrameSink

    @Override
    public ByteBuffer reserve(int bytes) {
        return pending;
    }

    @Override
    public void payload(ByteBuffer data) {
        pending.put(data.duplicate());
    }

    // ------------------------------------------------------------------ H2Listener

    @Override
    public void onResponseHeaders(int streamId, ResponseHead head, boolean endStream) {
        Exchange e = exchanges.get(streamId);
        if (head.interim()) {
            e.interim.add(head.toString());
            return;
        }
        e.status = head.status();
        e.head = head.toString();
        e.ended = endStream;
    }

    @Override
    public void onTrailers(int streamId, HeaderBlock trailers) {
        Exchange e = exchanges.get(streamId);
        e.trailers = trailers.toString();
        e.ended = true;
    }

    @Override
    public void onData(int streamId, ByteBuffer data, boolean endStream) {
        Exchange e = exchanges.get(streamId);
        int n = data.remaining();
        if (e.digestOnly) {
            e.crc.update(data.duplicate());
            e.count += n;
        } else {
            byte[] b = new byte[n];
            data.duplicate().get(b);
            e.body.write(b, 0, n);
        }
        if (endStream) {
            e.ended = true;
        }
        if (autoConsume) {
            conn.consumed(streamId, n);
        }
    }

    @Override
    public void onStreamReset(int streamId, int errorCode, H2Exception cause) {
        Exchange e = exchanges.get(streamId);
        if (e != null) {
            e.resetCode = errorCode;
        }
    }

    @Override
    public void onGoAway(int lastStreamId, int errorCode) {
        goAwayCode = errorCode;
        goAwayLastStream = lastStreamId;
    }

    @Override
    public void onConnectionError(H2Exception error) {
        connectionError = error;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
