package io.pingora4j.codec.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Steady state allocates nothing: HPACK decoding of a browser's request (known names from the
 * static table, the rest from a warmed dynamic table), and a whole server-side stream (request
 * HEADERS in, downgraded head out, response head and body written, stream closed and pooled).
 * Measured with the thread allocation counter, as the h1 {@code AllocationTest} does: fewer
 * bytes than rounds means no round allocates an object.
 */
class H2AllocationTest {

    private static final int ROUNDS = 10_000;

    /** A Chrome navigation after the first one: what a browser sends on its second request. */
    static final String[][] CHROME = {
        {":method", "GET"}, {":authority", "www.example.com"}, {":scheme", "https"},
        {":path", "/static/app.js?v=12"},
        {"sec-ch-ua", "\"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\""}, {"sec-ch-ua-mobile", "?0"},
        {"sec-ch-ua-platform", "\"Linux\""}, {"upgrade-insecure-requests", "1"},
        {"user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"},
        {"accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"},
        {"sec-fetch-site", "same-origin"}, {"sec-fetch-mode", "navigate"}, {"sec-fetch-user", "?1"},
        {"sec-fetch-dest", "document"}, {"referer", "https://www.example.com/"},
        {"accept-encoding", "gzip, deflate, br, zstd"}, {"accept-language", "en-US,en;q=0.9"},
        {"cookie", "session=8f3a9c2e7b1d4f60; _ga=GA1.2.1234567890.1700000000; theme=dark"},
        {"priority", "u=0, i"},
    };

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static void assertFewerBytesThanRounds(long bytes) {
        assertTrue(bytes < ROUNDS, bytes + " bytes over " + ROUNDS + " rounds: something allocates per round");
    }

    /** Encodes the header list twice on one encoder: the second block is what a warmed decoder sees. */
    static ByteBuffer[] chromeBlocks() {
        HpackEncoder e = new HpackEncoder(4096);
        ByteBuffer[] blocks = new ByteBuffer[2];
        for (int round = 0; round < 2; round++) {
            ByteBuffer b = ByteBuffer.allocate(2048);
            e.beginBlock(b);
            for (String[] f : CHROME) {
                byte[] n = f[0].getBytes(StandardCharsets.ISO_8859_1);
                byte[] v = f[1].getBytes(StandardCharsets.ISO_8859_1);
                int mode = f[0].equals(":path") ? HpackEncoder.NO_INDEX : HpackEncoder.INDEX;
                e.encode(n, 0, n.length, v, 0, v.length, mode, b);
            }
            blocks[round] = b.flip();
        }
        return blocks;
    }

    private static final class Sum implements HpackDecoder.FieldSink {
        long sum;

        @Override
        public void onField(byte[] name, int nameAt, int nameLength, byte[] value, int valueAt, int valueLength,
                            boolean neverIndexed) {
            sum += nameLength + valueLength + name[nameAt];
        }
    }

    @Test
    void hpackDecodingOfAWarmedBrowserRequestAllocatesNothing() {
        ByteBuffer[] blocks = chromeBlocks();
        HpackDecoder d = new HpackDecoder(4096, 1 << 16);
        Sum sink = new Sum();
        d.decodeBlock(blocks[0], sink);
        ByteBuffer second = blocks[1];
        assertTrue(second.remaining() < 40, "the second block is mostly indexes: " + second.remaining() + " bytes");
        for (int i = 0; i < 20_000; i++) {
            d.decodeBlock(second, sink);
        }
        long before = allocatedBytes();
        for (int i = 0; i < ROUNDS; i++) {
            d.decodeBlock(second, sink);
        }
        assertFewerBytesThanRounds(allocatedBytes() - before);
        assertTrue(sink.sum > 0);
    }

    /** A server engine in miniature: answers every request with a head and a small body. */
    private static final class Server implements H2Listener, H2FrameSink {
        final ByteBuffer out = ByteBuffer.allocate(1 << 16);
        final ResponseHead response = new ResponseHead();
        final ByteBuffer body = ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII));
        H2Connection conn;
        int requests;

        Server() {
            response.headers().add("content-type", "text/plain");
            response.setContentLength(5);
        }

        @Override
        public ByteBuffer reserve(int bytes) {
            if (out.remaining() < bytes) {
                out.clear();
            }
            return out;
        }

        @Override
        public void payload(ByteBuffer data) {
            if (out.remaining() < data.remaining()) {
                out.clear();
            }
            out.put(out.position(), data, data.position(), data.remaining());
            out.position(out.position() + data.remaining());
        }

        @Override
        public void onRequestHeaders(int streamId, RequestHead head, boolean endStream) {
            requests += head.headers().size();
            conn.writeHeaders(streamId, response, false);
            body.position(0);
            conn.writeData(streamId, body, true);
        }

        @Override
        public void onData(int streamId, ByteBuffer data, boolean endStream) {
        }

        @Override
        public void onRefusedStream(int streamId, H2Exception cause) {
            throw new AssertionError("stream " + streamId + " refused", cause);
        }

        @Override
        public void onStreamReset(int streamId, int errorCode, H2Exception cause) {
            throw new AssertionError("stream " + streamId + " reset", cause);
        }

        @Override
        public void onConnectionError(H2Exception error) {
            throw new AssertionError(error);
        }
    }

    @Test
    void aWholeServerStreamAllocatesNothing() {
        ByteBuffer[] blocks = chromeBlocks();
        Server s = new Server();
        H2Connection conn = new H2Connection(H2Connection.Role.SERVER, H2Limits.DEFAULTS, s, s);
        s.conn = conn;
        conn.start();
        ByteBuffer in = ByteBuffer.allocate(4096);
        in.put(H2Frames.PREFACE_BYTES);
        H2FrameWriter.settings(in, new int[0], new long[0], 0);
        H2FrameWriter.settingsAck(in);
        in.put(headersFrame(1, blocks[0]));
        conn.receive(in.flip(), 0);
        assertEquals(1, conn.lastPeerStreamId());
        // each round: a request, and the client's WINDOW_UPDATE for the 5 body bytes it received
        byte[] frame = headersFrame(3, blocks[1]);
        ByteBuffer next = ByteBuffer.allocate(frame.length + 13);
        next.put(frame);
        H2FrameWriter.windowUpdate(next, 0, 5);
        next.flip();
        int[] id = {3};
        Runnable round = () -> {
            next.putInt(5, id[0]); // the stream id of the frame header
            next.position(0);
            conn.receive(next, 0);
            conn.outboundDrained();
            id[0] += 2;
        };
        for (int i = 0; i < 20_000; i++) {
            round.run();
        }
        long before = allocatedBytes();
        for (int i = 0; i < ROUNDS; i++) {
            round.run();
        }
        assertFewerBytesThanRounds(allocatedBytes() - before);
        assertEquals(0, conn.activeStreams());
        assertTrue(s.requests > 0);
    }

    private static byte[] headersFrame(int stream, ByteBuffer block) {
        ByteBuffer f = ByteBuffer.allocate(9 + block.remaining());
        H2FrameWriter.headers(f, stream, true, block.duplicate(), 16_384);
        return f.array();
    }
}
