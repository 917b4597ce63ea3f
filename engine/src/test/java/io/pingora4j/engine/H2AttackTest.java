package io.pingora4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.codec.h2.H2ErrorCode;
import io.pingora4j.codec.h2.H2Frames;
import io.pingora4j.codec.h2.H2Limits;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The published HTTP/2 attacks, through the whole proxy: each ends the attacking connection with
 * the right GOAWAY (or bounds what it can cost), and a second connection is served as usual.
 */
class H2AttackTest {

    private Origins.Raw origin;
    private Server server;
    private final AtomicLong originWritten = new AtomicLong();
    private final AtomicBoolean originDone = new AtomicBoolean();

    @BeforeEach
    void start() throws Exception {
        origin = new Origins.Raw(s -> {
            try {
                String head;
                while ((head = Origins.Raw.readHead(s.getInputStream())) != null) {
                    OutputStream out = s.getOutputStream();
                    if (head.startsWith("GET /huge")) {
                        long total = 64L << 20;
                        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + total + "\r\n\r\n").getBytes());
                        byte[] block = new byte[64 * 1024];
                        for (long sent = 0; sent < total; sent += block.length) {
                            out.write(block);
                            originWritten.addAndGet(block.length);
                        }
                        out.flush();
                        originDone.set(true);
                    } else {
                        Origins.Raw.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                    }
                }
            } catch (Exception ignored) {
                // closed
            }
        });
        H2Limits limits = H2Limits.DEFAULTS.withMaxQueuedControlFrames(1000);
        server = Server.builder().threads(1).listen("127.0.0.1:0", new SimpleProxy(origin.port()), limits).start();
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown(Duration.ZERO);
        origin.close();
    }

    /** A second, well-behaved client is served after the attack. */
    private void anotherConnectionIsServed() throws Exception {
        try (H2Client c = H2Client.h2c(server.port())) {
            H2Client.Exchange e = c.await(c.get("/after"));
            assertEquals(200, e.status, e.toString());
            assertEquals("ok", e.body());
        }
    }

    @Test
    void rapidResetCve2023_44487_endsTheConnectionWithEnhanceYourCalm() throws Exception {
        try (RawH2 a = new RawH2(server.port()).startReading()) {
            for (int i = 0; i < 400; i++) {
                int id = 1 + 2 * i;
                a.headers(id, true, RawH2.get("/r" + i)).rst(id, H2ErrorCode.CANCEL);
            }
            a.send();
            assertEquals(H2ErrorCode.ENHANCE_YOUR_CALM, a.awaitGoAway());
        }
        anotherConnectionIsServed();
        assertEquals(1, server.stats().h2GoAways(), "the refusal is counted");
    }

    @Test
    void madeYouResetCve2025_8671_serverResetsCountAgainstTheSameBudget() throws Exception {
        try (RawH2 a = new RawH2(server.port()).startReading()) {
            for (int i = 0; i < 400; i++) {
                int id = 1 + 2 * i;
                // a zero WINDOW_UPDATE is a stream error: the server resets the stream it provoked
                a.headers(id, false, RawH2.get("/m" + i)).windowUpdate(id, 0);
            }
            a.send();
            assertEquals(H2ErrorCode.ENHANCE_YOUR_CALM, a.awaitGoAway());
        }
        anotherConnectionIsServed();
    }

    @Test
    void continuationFlood2024_isRefusedBeforeTheBlockIsBuffered() throws Exception {
        try (RawH2 a = new RawH2(server.port()).startReading()) {
            a.frame(H2Frames.HEADERS, 0, 1, RawH2.get("/c"));
            byte[] one = RawH2.block("x-pad", "y");
            for (int i = 0; i < 200 && !a.closed(); i++) {
                a.frame(H2Frames.CONTINUATION, 0, 1, one);
            }
            a.send();
            assertEquals(H2ErrorCode.ENHANCE_YOUR_CALM, a.awaitGoAway());
        }
        anotherConnectionIsServed();
    }

    @Test
    void hpackBombIsMeasuredWhileDecoding() throws Exception {
        // one 4 KiB field put in the table, then referenced a thousand times: 4 MB decoded from 5 KB
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        byte[] name = "x-bomb".getBytes(StandardCharsets.ISO_8859_1);
        byte[] value = new byte[4000];
        java.util.Arrays.fill(value, (byte) 'a');
        b.put(RawH2.get("/bomb"));
        b.put((byte) 0x40); // a literal with incremental indexing, new name, no Huffman
        hpackInt7(b, name.length);
        b.put(name);
        hpackInt7(b, value.length);
        b.put(value);
        for (int i = 0; i < 1000; i++) {
            b.put((byte) 0xbe); // indexed field 62: the first dynamic entry
        }
        b.flip();
        byte[] block = new byte[b.remaining()];
        b.get(block);
        try (RawH2 a = new RawH2(server.port()).startReading()) {
            a.headers(1, true, block).send();
            assertEquals(H2ErrorCode.ENHANCE_YOUR_CALM, a.awaitGoAway());
        }
        anotherConnectionIsServed();
    }

    /** An HPACK integer with a 7-bit prefix (RFC 7541 §5.1), no Huffman flag. */
    private static void hpackInt7(ByteBuffer b, int v) {
        if (v < 127) {
            b.put((byte) v);
            return;
        }
        b.put((byte) 127);
        v -= 127;
        while (v >= 128) {
            b.put((byte) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        b.put((byte) v);
    }

    @Test
    void pingFloodCve2019_9512_fromAClientThatDoesNotRead() throws Exception {
        try (RawH2 a = new RawH2(server.port())) {
            // a million PINGs: their ACKs (17 MB) outgrow what the kernel's socket buffers absorb
            for (int round = 0; round < 1000; round++) {
                for (int i = 0; i < 1000; i++) {
                    a.ping(i);
                }
                if (!a.send()) {
                    break; // the server gave up on us
                }
            }
            a.startReading();
            assertEquals(H2ErrorCode.ENHANCE_YOUR_CALM, a.awaitGoAway());
        }
        anotherConnectionIsServed();
    }

    @Test
    void settingsFloodCve2019_9515_fromAClientThatDoesNotRead() throws Exception {
        try (RawH2 a = new RawH2(server.port())) {
            for (int round = 0; round < 2000; round++) {
                for (int i = 0; i < 1000; i++) {
                    a.frame(H2Frames.SETTINGS, 0, 0, new byte[0]);
                }
                if (!a.send()) {
                    break;
                }
            }
            a.startReading();
            assertEquals(H2ErrorCode.ENHANCE_YOUR_CALM, a.awaitGoAway());
        }
        anotherConnectionIsServed();
    }

    @Test
    void emptyFramesFloodCve2019_9518_endsTheConnection() throws Exception {
        try (RawH2 a = new RawH2(server.port()).startReading()) {
            a.headers(1, false, RawH2.get("/e"));
            for (int i = 0; i < 100; i++) {
                a.frame(H2Frames.DATA, 0, 1, new byte[0]);
            }
            a.send();
            assertEquals(H2ErrorCode.ENHANCE_YOUR_CALM, a.awaitGoAway());
        }
        anotherConnectionIsServed();
    }

    @Test
    void zeroLengthHeaderNameCve2019_9516_costsOnlyItsStream() throws Exception {
        try (RawH2 a = new RawH2(server.port()).startReading()) {
            byte[] bad = RawH2.block(":method", "GET", ":scheme", "http", ":path", "/z", ":authority", "t", "", "v");
            a.headers(1, true, bad).headers(3, true, RawH2.get("/fine")).send();
            a.awaitAnswers(2);
            assertEquals(H2ErrorCode.PROTOCOL_ERROR, a.lastResetCode());
            assertEquals(1, a.headersReceived(), "the neighbour stream was answered");
            assertFalse(a.closed());
        }
        anotherConnectionIsServed();
    }

    @Test
    void slowReadCve2019_9511_9517_buffersStayBoundedAndTheOriginIsBackPressured() throws Exception {
        try (H2Client c = H2Client.h2c(server.port())) {
            c.autoConsume(false); // the client never gives window back: it takes 256 KiB and stops
            int id = c.get("/huge");
            Await.until("the origin sends", () -> originWritten.get() >= 1L << 20);
            Server.Stats s = server.stats();
            assertTrue(s.buffersAllocated() <= 16, "pooled buffers stay few: " + s);
            assertFalse(originDone.get(), "the proxy did not read 64 MiB for a client that reads nothing");
            c.reset(id, H2ErrorCode.CANCEL);
        }
        anotherConnectionIsServed();
    }
}
