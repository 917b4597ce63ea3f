package io.pingora4j.codec.h2;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A hand-driven client for tests: writes whatever frames it is told to (well-formed or not) to a
 * server-role {@link H2Connection}, and reads back what the server sent as transcript lines.
 */
final class RawClient {

    final Peer server;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final HpackEncoder literal = new HpackEncoder(0);
    private final FrameTranscript seen = new FrameTranscript();
    private final H2FrameReader reader = new H2FrameReader(seen, false);
    private int read;

    RawClient(H2Limits limits) {
        server = Peer.server(limits);
        server.conn.start();
        out.writeBytes(H2Frames.preface());
        frame(H2Frames.SETTINGS, 0, 0, new byte[0]);
        frame(H2Frames.SETTINGS, H2Frames.FLAG_ACK, 0, new byte[0]);
        send();
    }

    RawClient() {
        this(H2Limits.DEFAULTS);
    }

    /** A header block of literal fields (never indexed, so any bytes go), "name", "value", ... */
    static byte[] block(String... nameValues) {
        HpackEncoder e = new HpackEncoder(0);
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
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

    static String[] request(String... extra) {
        String[] base = {":method", "GET", ":scheme", "https", ":path", "/", ":authority", "example.com"};
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    RawClient headers(int stream, boolean endStream, String... nameValues) {
        return frame(H2Frames.HEADERS, H2Frames.FLAG_END_HEADERS | (endStream ? H2Frames.FLAG_END_STREAM : 0),
                stream, block(nameValues));
    }

    RawClient data(int stream, String payload, boolean endStream) {
        return frame(H2Frames.DATA, endStream ? H2Frames.FLAG_END_STREAM : 0, stream,
                payload.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawClient rst(int stream, int code) {
        return frame(H2Frames.RST_STREAM, 0, stream, ByteBuffer.allocate(4).putInt(code).array());
    }

    RawClient windowUpdate(int stream, int increment) {
        return frame(H2Frames.WINDOW_UPDATE, 0, stream, ByteBuffer.allocate(4).putInt(increment).array());
    }

    RawClient ping(long data) {
        return frame(H2Frames.PING, 0, 0, ByteBuffer.allocate(8).putLong(data).array());
    }

    RawClient frame(int type, int flags, int stream, byte[] payload) {
        ByteBuffer h = ByteBuffer.allocate(9);
        H2FrameWriter.frameHeader(h, payload.length, type, flags, stream);
        out.writeBytes(h.array());
        out.writeBytes(payload);
        return this;
    }

    /** Sends what was written (whole), with the output drained afterwards; returns what the server answered. */
    List<String> send() {
        return send(true);
    }

    /** @param drain whether the engine reports its output drained after the read (false: a client that never reads) */
    List<String> send(boolean drain) {
        byte[] b = out.toByteArray();
        out.reset();
        server.conn.receive(ByteBuffer.wrap(b), server.clock);
        if (drain) {
            server.conn.outboundDrained();
        }
        byte[] answer = server.takeSent();
        try {
            reader.read(ByteBuffer.wrap(answer));
        } catch (H2Exception e) {
            seen.lines.add("unreadable answer: " + e.error());
        }
        List<String> lines = new ArrayList<>(seen.lines.subList(read, seen.lines.size()));
        read = seen.lines.size();
        return lines;
    }

    /** The server's answer lines that are resets or GOAWAYs, the ones tests look for. */
    List<String> sendAndKeepErrors() {
        List<String> r = new ArrayList<>();
        for (String l : send()) {
            if (l.startsWith("RST_STREAM") || l.startsWith("GOAWAY")) {
                r.add(l);
            }
        }
        return r;
    }
}
