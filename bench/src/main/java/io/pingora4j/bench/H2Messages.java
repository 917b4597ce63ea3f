package io.pingora4j.bench;

import io.pingora4j.codec.h2.H2FrameWriter;
import io.pingora4j.codec.h2.H2Frames;
import io.pingora4j.codec.h2.HpackEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** The HTTP/2 wire inputs the H2 benchmarks read, shared so every side sees the same bytes. */
final class H2Messages {

    /**
     * A Chrome navigation: 4 pseudo-headers and 15 fields, cookies included, as a browser sends
     * them on a connection's second request (the first filled the HPACK dynamic table).
     */
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

    static final int CHROME_FIELDS = CHROME.length;

    private H2Messages() {
    }

    /**
     * The list HPACK-encoded twice by one encoder (Huffman where shorter, everything indexed but
     * :path): [0] is the first request's block, which fills the dynamic table, [1] the second's,
     * mostly indexes into it. Decoding [1] again and again leaves the table as it is.
     */
    static byte[][] chromeBlocks() {
        HpackEncoder e = new HpackEncoder(4096);
        byte[][] blocks = new byte[2][];
        for (int round = 0; round < 2; round++) {
            ByteBuffer b = ByteBuffer.allocate(2048);
            e.beginBlock(b);
            for (String[] f : CHROME) {
                byte[] n = f[0].getBytes(StandardCharsets.ISO_8859_1);
                byte[] v = f[1].getBytes(StandardCharsets.ISO_8859_1);
                int mode = f[0].equals(":path") ? HpackEncoder.NO_INDEX : HpackEncoder.INDEX;
                e.encode(n, 0, n.length, v, 0, v.length, mode, b);
            }
            b.flip();
            blocks[round] = new byte[b.remaining()];
            b.get(blocks[round]);
        }
        return blocks;
    }

    /** A HEADERS frame with END_STREAM and END_HEADERS carrying {@code block}. */
    static byte[] headersFrame(int stream, byte[] block) {
        ByteBuffer f = ByteBuffer.allocate(9 + block.length);
        H2FrameWriter.headers(f, stream, true, ByteBuffer.wrap(block), H2Frames.DEFAULT_MAX_FRAME_SIZE);
        return f.array();
    }

    /**
     * A mix of frames as a busy connection carries them: SETTINGS, a WINDOW_UPDATE, a request
     * HEADERS (block [1] above), two 1 KiB DATA frames (one padded), PING, PRIORITY, RST_STREAM,
     * a SETTINGS ACK and a stream WINDOW_UPDATE. 10 frames.
     */
    static byte[] frameMix(byte[] headerBlock) {
        ByteBuffer b = ByteBuffer.allocate(8192);
        H2FrameWriter.settings(b, new int[] {H2Frames.SETTINGS_MAX_CONCURRENT_STREAMS, H2Frames.SETTINGS_INITIAL_WINDOW_SIZE},
                new long[] {100, 1 << 20}, 2);
        H2FrameWriter.windowUpdate(b, 0, 1 << 20);
        H2FrameWriter.headers(b, 3, false, ByteBuffer.wrap(headerBlock), H2Frames.DEFAULT_MAX_FRAME_SIZE);
        H2FrameWriter.frameHeader(b, 1024, H2Frames.DATA, 0, 3);
        b.put(new byte[1024]);
        H2FrameWriter.frameHeader(b, 1 + 1024 + 7, H2Frames.DATA, H2Frames.FLAG_PADDED | H2Frames.FLAG_END_STREAM, 3);
        b.put((byte) 7).put(new byte[1024]).put(new byte[7]);
        H2FrameWriter.ping(b, false, 0x0102030405060708L);
        H2FrameWriter.priority(b, 5, 3, false, 16);
        H2FrameWriter.rstStream(b, 5, 8);
        H2FrameWriter.settingsAck(b);
        H2FrameWriter.windowUpdate(b, 3, 4096);
        b.flip();
        byte[] r = new byte[b.remaining()];
        b.get(r);
        return r;
    }

    static final int MIX_FRAMES = 10;
}
