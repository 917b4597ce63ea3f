package io.pingora4j.codec.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pingora4j.codec.h1.HttpMethod;
import io.pingora4j.codec.h1.RequestHead;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Generated HTTP/2 input, from fixed seeds (so a failure replays) and a few fresh ones each run
 * (printed on failure): sequences of frames of every type, well-formed and not, with HPACK blocks
 * of random fields, random flags, lengths and stream ids, then bytes flipped; fed to a server-role
 * and a client-role connection whole and in random pieces.
 *
 * <p>The connection may only ever refuse with its own {@link H2Exception} (reported as a stream
 * reset or a connection error), never throw anything else or spin, and must report the same
 * events and bodies however the input is split. Bounded to a few seconds; scale up with
 * -Dpingora4j.fuzz.scale=100.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class H2FuzzTest {

    private static final int SCALE = Integer.getInteger("pingora4j.fuzz.scale", 1);
    private static final int FIXED_SEEDS = 400 * SCALE;
    private static final int FRESH_SEEDS = 100 * SCALE;

    private static final H2Limits LIMITS = H2Limits.DEFAULTS.withMaxConcurrentStreams(4).withWindows(300, 65_535)
            .withMaxHeaderListSize(2048).withMaxContinuationFrames(4).withResetBudget(20, 1L << 40)
            .withMaxQueuedControlFrames(30).withMaxConsecutiveEmptyFrames(3);

    private static final String[] NAMES = {"accept", "user-agent", "cookie", "content-length", "te", "host",
        "x-custom", "X-Upper", "connection", "", ":path", ":method", ":status", ":authority", ":scheme", "trailer"};
    private static final String[] VALUES = {"*/*", "trailers", "0", "3", "12", "a=1", "/", "/x?y", "GET", "POST",
        "CONNECT", "https", "example.com", "200", " lead", "a\r\nb", "\u00e9", ""};

    @Test
    void fixedSeedsOnlyEverEndInH2Errors() {
        for (int seed = 0; seed < FIXED_SEEDS; seed++) {
            runSeed(seed);
        }
    }

    @Test
    void freshSeedsOnlyEverEndInH2Errors() {
        long base = System.nanoTime();
        for (int i = 0; i < FRESH_SEEDS; i++) {
            runSeed(base + i);
        }
    }

    private static void runSeed(long seed) {
        for (H2Connection.Role role : H2Connection.Role.values()) {
            byte[] input = generate(new Random(seed), role);
            try {
                Random splits = new Random(seed * 31 + role.ordinal());
                List<String> whole = run(role, input, null);
                List<String> pieces = run(role, input, splits);
                assertEquals(whole, pieces, "whole vs pieces");
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + " role " + role + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " role " + role + ": threw " + e, e);
            }
        }
    }

    /** Feeds the input; returns the events and bodies the listener saw, the way they are compared. */
    private static List<String> run(H2Connection.Role role, byte[] input, Random splits) {
        Peer p = new Peer(role, LIMITS);
        p.conn.start();
        if (role == H2Connection.Role.CLIENT) {
            for (int i = 0; i < 3; i++) {
                RequestHead h = new RequestHead();
                h.setMethod(i == 1 ? HttpMethod.HEAD : HttpMethod.GET);
                h.headers().add("host", "example.com");
                p.conn.openStream(h, "https", i != 2);
            }
        }
        int at = 0;
        while (at < input.length) {
            int n = splits == null ? input.length - at : 1 + splits.nextInt(Math.min(64, input.length - at));
            ByteBuffer b = ByteBuffer.allocate(n + 2);
            b.position(1);
            b.put(input, at, n);
            b.flip().position(1);
            p.conn.receive(b, 0);
            if (b.hasRemaining()) {
                throw new AssertionError("receive left bytes");
            }
            if (!p.conn.failed()) {
                assertEquals(LIMITS.connectionWindow(), p.conn.connectionWindowAccounted(),
                        "connection window books after " + (at + n) + " bytes");
            }
            p.takeSent();
            p.conn.outboundDrained();
            at += n;
        }
        List<String> seen = new ArrayList<>(p.events);
        for (int id = 0; id < 40; id++) {
            if (p.bodyLength(id) > 0) {
                seen.add("body " + id + " " + p.body(id));
            }
        }
        return seen;
    }

    // ------------------------------------------------------------------ generation

    static byte[] generate(Random rnd, H2Connection.Role target) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (target == H2Connection.Role.SERVER) {
            out.writeBytes(H2Frames.preface());
        }
        frame(out, H2Frames.SETTINGS, 0, 0, settings(rnd));
        HpackEncoder encoder = new HpackEncoder(4096);
        int frames = 1 + rnd.nextInt(30);
        int highest = target == H2Connection.Role.CLIENT ? 5 : 0;
        for (int i = 0; i < frames; i++) {
            int stream = streamId(rnd, highest);
            boolean opening = i == 0 && target == H2Connection.Role.SERVER && rnd.nextInt(5) != 0;
            switch (opening ? 0 : rnd.nextInt(12)) {
                case 0, 1, 2 -> {
                    if (target == H2Connection.Role.SERVER && (opening || rnd.nextInt(3) != 0)) {
                        stream = highest + (highest == 0 ? 1 : 2); // a new stream, as a client opens them
                        highest = stream;
                    }
                    headers(out, rnd, encoder, stream, target);
                }
                case 3, 4 -> frame(out, H2Frames.DATA, rnd.nextInt(2) | (rnd.nextInt(6) == 0 ? 8 : 0), stream,
                        padded(rnd, bytes(rnd, rnd.nextInt(80))));
                case 5 -> frame(out, H2Frames.RST_STREAM, 0, stream, ByteBuffer.allocate(4).putInt(rnd.nextInt(14)).array());
                case 6 -> frame(out, H2Frames.WINDOW_UPDATE, 0, rnd.nextInt(4) == 0 ? 0 : stream,
                        ByteBuffer.allocate(4).putInt(rnd.nextInt(4) == 0 ? rnd.nextInt() : rnd.nextInt(1000)).array());
                case 7 -> frame(out, H2Frames.PING, rnd.nextInt(2), 0, bytes(rnd, 8));
                case 8 -> frame(out, H2Frames.SETTINGS, rnd.nextInt(8) == 0 ? 1 : 0, 0, settings(rnd));
                case 9 -> frame(out, H2Frames.PRIORITY, 0, stream,
                        ByteBuffer.allocate(5).putInt(rnd.nextInt(3) == 0 ? stream : rnd.nextInt(8)).put((byte) 15).array());
                case 10 -> frame(out, rnd.nextInt(256), rnd.nextInt(256), stream, bytes(rnd, rnd.nextInt(20)));
                default -> frame(out, H2Frames.GOAWAY, 0, 0, ByteBuffer.allocate(8 + rnd.nextInt(4))
                        .putInt(rnd.nextInt(10)).putInt(rnd.nextInt(14)).array());
            }
        }
        byte[] b = out.toByteArray();
        int flips = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(4) : 0;
        for (int i = 0; i < flips; i++) {
            int at = rnd.nextInt(b.length);
            b[at] = (byte) (rnd.nextInt(3) == 0 ? rnd.nextInt(256) : b[at] ^ (1 << rnd.nextInt(8)));
        }
        return b;
    }

    /** Mostly the streams the generated traffic opened (or the client-role peer's 1, 3, 5), sometimes any. */
    private static int streamId(Random rnd, int highest) {
        int r = rnd.nextInt(20);
        if (r == 0) {
            return 0;
        }
        if (r == 1) {
            return 2 * rnd.nextInt(5); // even
        }
        if (r == 2) {
            return 1 + 2 * rnd.nextInt(8);
        }
        return 1 + 2 * rnd.nextInt(Math.max(1, (highest + 1) / 2));
    }

    private static void headers(ByteArrayOutputStream out, Random rnd, HpackEncoder encoder, int stream,
                                H2Connection.Role target) {
        ByteBuffer block = ByteBuffer.allocate(4096);
        encoder.beginBlock(block);
        List<String[]> fields = new ArrayList<>();
        if (rnd.nextInt(4) != 0) {
            if (target == H2Connection.Role.SERVER) {
                fields.add(new String[] {":method", rnd.nextInt(5) == 0 ? "POST" : "GET"});
                fields.add(new String[] {":scheme", "https"});
                fields.add(new String[] {":path", "/p" + rnd.nextInt(10)});
                fields.add(new String[] {":authority", "example.com"});
            } else {
                fields.add(new String[] {":status", rnd.nextInt(5) == 0 ? "100" : "200"});
            }
        }
        int extra = rnd.nextInt(5);
        for (int i = 0; i < extra; i++) {
            fields.add(new String[] {NAMES[rnd.nextInt(NAMES.length)], VALUES[rnd.nextInt(VALUES.length)]});
        }
        for (String[] f : fields) {
            byte[] n = f[0].getBytes(StandardCharsets.ISO_8859_1);
            byte[] v = f[1].getBytes(StandardCharsets.ISO_8859_1);
            encoder.encode(n, 0, n.length, v, 0, v.length, rnd.nextInt(3), block);
        }
        if (rnd.nextInt(10) == 0) {
            block.put(bytes(rnd, 1 + rnd.nextInt(6))); // garbage HPACK
        }
        block.flip();
        byte[] b = new byte[block.remaining()];
        block.get(b);
        int endStream = rnd.nextInt(2);
        int pieces = rnd.nextInt(6) == 0 ? 2 + rnd.nextInt(3) : 1;
        int per = Math.max(1, b.length / pieces);
        int at = 0;
        for (int i = 0; i < pieces; i++) {
            int end = i == pieces - 1 ? b.length : Math.min(b.length, at + per);
            byte[] piece = java.util.Arrays.copyOfRange(b, at, end);
            boolean last = i == pieces - 1;
            int endHeaders = last ? (rnd.nextInt(15) == 0 ? 0 : 4) : 0;
            if (i == 0) {
                int flags = endStream | endHeaders;
                byte[] payload = piece;
                if (rnd.nextInt(6) == 0) {
                    flags |= 0x20;
                    payload = concat(ByteBuffer.allocate(5).putInt(rnd.nextInt(3) == 0 ? stream : 0).put((byte) 7).array(),
                            piece);
                }
                if (rnd.nextInt(6) == 0) {
                    flags |= 0x8;
                    payload = padded(rnd, payload);
                }
                frame(out, H2Frames.HEADERS, flags, stream, payload);
            } else {
                frame(out, H2Frames.CONTINUATION, endHeaders, stream, piece);
            }
            at = end;
        }
    }

    private static byte[] padded(Random rnd, byte[] payload) {
        int pad = rnd.nextInt(5);
        byte[] p = new byte[1 + payload.length + pad];
        p[0] = (byte) (rnd.nextInt(10) == 0 ? 255 : pad);
        System.arraycopy(payload, 0, p, 1, payload.length);
        return p;
    }

    private static byte[] settings(Random rnd) {
        int n = rnd.nextInt(4);
        ByteBuffer b = ByteBuffer.allocate(6 * n);
        for (int i = 0; i < n; i++) {
            if (rnd.nextInt(12) == 0) {
                b.putShort((short) (1 + rnd.nextInt(7)));
                b.putInt(rnd.nextInt());
                continue;
            }
            switch (rnd.nextInt(5)) {
                case 0 -> b.putShort((short) 1).putInt(rnd.nextInt(5000));
                case 1 -> b.putShort((short) 3).putInt(rnd.nextInt(200));
                case 2 -> b.putShort((short) 4).putInt(rnd.nextInt(100_000));
                case 3 -> b.putShort((short) 5).putInt(16_384 + rnd.nextInt(100_000));
                default -> b.putShort((short) 6).putInt(rnd.nextInt(100_000));
            }
        }
        return b.array();
    }

    private static byte[] bytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static void frame(ByteArrayOutputStream out, int type, int flags, int stream, byte[] payload) {
        ByteBuffer h = ByteBuffer.allocate(9);
        H2FrameWriter.frameHeader(h, payload.length, type, flags, stream);
        out.writeBytes(h.array());
        out.writeBytes(payload);
    }
}
