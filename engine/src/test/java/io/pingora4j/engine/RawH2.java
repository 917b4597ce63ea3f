package io.pingora4j.engine;

import io.pingora4j.codec.h2.H2FrameHandler;
import io.pingora4j.codec.h2.H2FrameReader;
import io.pingora4j.codec.h2.H2Frames;
import io.pingora4j.codec.h2.HpackEncoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A hand-driven HTTP/2 client that writes whatever frames a test says (attacks included) and
 * records what the server sent back: GOAWAY, RST_STREAM, and response HEADERS per stream.
 */
final class RawH2 implements AutoCloseable, H2FrameHandler {

    private final Socket socket;
    private final OutputStream out;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private Thread reader;
    private volatile int goAwayCode = -1;
    private volatile boolean closed;
    private volatile int resets;
    private volatile int headersReceived;
    private volatile int lastResetCode = -1;

    RawH2(int port) throws IOException {
        socket = new Socket();
        // a small receive buffer: a client that does not read stops taking bytes soon (the kernel
        // would otherwise absorb megabytes of answers to a flood before the server notices)
        socket.setReceiveBufferSize(16 * 1024);
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(30_000);
        out = socket.getOutputStream();
        pending.writeBytes(H2Frames.preface());
        frame(H2Frames.SETTINGS, 0, 0, new byte[0]);
    }

    /** Starts reading what the server sends (a test of a client that does not read starts it late). */
    RawH2 startReading() {
        InputStream in;
        try {
            in = socket.getInputStream();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        H2FrameReader r = new H2FrameReader(this, false);
        reader = new Thread(() -> {
            byte[] b = new byte[64 * 1024];
            try {
                int n;
                while ((n = in.read(b)) > 0) {
                    r.read(ByteBuffer.wrap(b, 0, n));
                }
            } catch (IOException | RuntimeException e) {
                // reset by the server, or a frame the reader refuses: either way the end
            }
            closed = true;
        }, "raw-h2-reader");
        reader.setDaemon(true);
        reader.start();
        return this;
    }

    RawH2 frame(int type, int flags, int stream, byte[] payload) {
        pending.write(payload.length >>> 16);
        pending.write(payload.length >>> 8);
        pending.write(payload.length);
        pending.write(type);
        pending.write(flags);
        pending.write(stream >>> 24);
        pending.write(stream >>> 16);
        pending.write(stream >>> 8);
        pending.write(stream);
        pending.writeBytes(payload);
        return this;
    }

    /** A header block of literal fields, never indexed: "name", "value", ... */
    static byte[] block(String... nameValues) {
        HpackEncoder e = new HpackEncoder(0);
        ByteBuffer b = ByteBuffer.allocate(1 << 20);
        for (int i = 0; i < nameValues.length; i += 2) {
            byte[] n = nameValues[i].getBytes(StandardCharsets.ISO_8859_1);
            byte[] v = nameValues[i + 1].getBytes(StandardCharsets.ISO_8859_1);
            e.encode(n, 0, n.length, v, 0, v.length, HpackEncoder.NEVER_INDEX, b);
        }
        b.flip();
        byte[] r = new byte[b.remaining()];
        b.get(r);
        return r;
    }

    static byte[] get(String path) {
        return block(":method", "GET", ":scheme", "http", ":path", path, ":authority", "test.local");
    }

    RawH2 headers(int stream, boolean endStream, byte[] block) {
        return frame(H2Frames.HEADERS, H2Frames.FLAG_END_HEADERS | (endStream ? H2Frames.FLAG_END_STREAM : 0),
                stream, block);
    }

    RawH2 rst(int stream, int code) {
        return frame(H2Frames.RST_STREAM, 0, stream, int32(code));
    }

    RawH2 windowUpdate(int stream, int increment) {
        return frame(H2Frames.WINDOW_UPDATE, 0, stream, int32(increment));
    }

    RawH2 ping(long data) {
        byte[] p = new byte[8];
        for (int i = 0; i < 8; i++) {
            p[i] = (byte) (data >>> (56 - 8 * i));
        }
        return frame(H2Frames.PING, 0, 0, p);
    }

    static byte[] int32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    /** Writes what was queued; false if the server closed the connection meanwhile. */
    boolean send() {
        try {
            out.write(pending.toByteArray());
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            pending.reset();
        }
    }

    /** The GOAWAY error code the server sent, once it came (or the connection ended); -1 if none. */
    int awaitGoAway() {
        Await.until("a GOAWAY or the end of the connection", () -> goAwayCode >= 0 || closed);
        return goAwayCode;
    }

    /** Waits until the server has reset streams or sent response heads, {@code n} in all. */
    void awaitAnswers(int n) {
        Await.until(n + " answers (RST_STREAM or HEADERS)", () -> resets + headersReceived >= n || closed);
    }

    boolean closed() {
        return closed;
    }

    int lastResetCode() {
        return lastResetCode;
    }

    int headersReceived() {
        return headersReceived;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    // ------------------------------------------------------------------ H2FrameHandler

    @Override
    public void onDataFrame(int streamId, int frameLength, int dataLength, boolean endStream) {
    }

    @Override
    public void onData(int streamId, ByteBuffer in, int at, int length, boolean last) {
    }

    @Override
    public void onHeaders(int streamId, boolean endStream, boolean endHeaders, int dependency, boolean exclusive,
                          int weight, int fragmentLength) {
        headersReceived++;
    }

    @Override
    public void onContinuation(int streamId, boolean endHeaders, int fragmentLength) {
    }

    @Override
    public void onHeaderFragment(int streamId, ByteBuffer in, int at, int length) {
    }

    @Override
    public void onHeaderFrameEnd(int streamId, boolean endHeaders) {
    }

    @Override
    public void onPriority(int streamId, int dependency, boolean exclusive, int weight) {
    }

    @Override
    public void onRstStream(int streamId, int errorCode) {
        lastResetCode = errorCode;
        resets++;
    }

    @Override
    public void onSetting(int id, long value) {
    }

    @Override
    public void onSettingsEnd(boolean ack) {
    }

    @Override
    public void onPushPromise(int streamId) {
    }

    @Override
    public void onPing(boolean ack, long data) {
    }

    @Override
    public void onGoAway(int lastStreamId, int errorCode, int debugLength) {
        goAwayCode = errorCode;
    }

    @Override
    public void onWindowUpdate(int streamId, int increment) {
    }

    @Override
    public void onStreamError(int streamId, io.pingora4j.codec.h2.H2Error error) {
    }
}
