package io.pingora4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Plain connections borrow the loop's pooled buffers only while bytes are in flight: an idle
 * keep-alive connection and the pooled origin connection behind it hold none, nor does a request
 * whose client pauses in the middle of its body (nginx's model; the TLS record buffers have the
 * same tests in TlsListenerTest).
 */
class IdleBuffersTest {

    private final AtomicBoolean uploadStarted = new AtomicBoolean();
    private Origins.Jdk origin;
    private Server server;

    @BeforeEach
    void start() throws Exception {
        origin = new Origins.Jdk()
                .route("/hello", ex -> Origins.Jdk.text(ex, 200, "hello"))
                .route("/upload", ex -> {
                    uploadStarted.set(true);
                    byte[] body = ex.getRequestBody().readAllBytes();
                    Origins.Jdk.text(ex, 200, "got " + body.length + " crc " + crc(body, 0, body.length));
                });
        server = Server.builder().threads(1).listen("127.0.0.1:0", new SimpleProxy(origin.port())).start();
    }

    @AfterEach
    void stop() {
        server.close();
        origin.close();
    }

    private static long crc(byte[] b, int from, int to) {
        java.util.zip.CRC32 c = new java.util.zip.CRC32();
        c.update(b, from, to - from);
        return c.getValue();
    }

    /** Bytes that differ along the body, so a byte from a reused buffer would show in the checksum. */
    private static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + (i >> 8));
        }
        return b;
    }

    @Test
    void anIdleKeepAliveConnectionHoldsNoPooledBuffer() throws Exception {
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            assertEquals(200, c.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
            Await.until("the idle client connection and the pooled origin connection gave their buffers back",
                    () -> server.stats().buffersOutstanding() == 0);

            assertEquals("hello", c.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n").read().body());
        }
    }

    @Test
    void aRequestWhoseClientPausesMidBodyHoldsNoPooledBuffer() throws Exception {
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            byte[] body = pattern(30_000);
            c.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 30000\r\n\r\n")
                    .send(java.util.Arrays.copyOfRange(body, 0, 20_000));
            Await.until("the origin has the request", uploadStarted::get);
            Await.until("the client's input buffer and the origin connection's head buffer are back in the pool",
                    () -> server.stats().buffersOutstanding() == 0);

            c.send(java.util.Arrays.copyOfRange(body, 20_000, 30_000));
            assertEquals("got 30000 crc " + crc(body, 0, body.length), c.read().body());
        }
    }

    @Test
    void aChunkedBodyPausedMidChunkIsCompletedIntact() throws Exception {
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            byte[] body = pattern(20_000);
            c.send("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4e20\r\n")
                    .send(java.util.Arrays.copyOfRange(body, 0, 12_000));
            Await.until("the origin has the request", uploadStarted::get);
            Await.until("nothing unread is held", () -> server.stats().buffersOutstanding() == 0);

            c.send(java.util.Arrays.copyOfRange(body, 12_000, 20_000)).send("\r\n0\r\n\r\n");
            assertEquals("got 20000 crc " + crc(body, 0, body.length), c.read().body());
        }
    }
}
