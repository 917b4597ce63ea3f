package io.pingora4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.spi.HttpPeer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A slow side never makes the proxy buffer: a client that reads slowly and an origin that writes
 * slowly both stream through a bounded number of pooled buffers. (The engine's tests run in a 64 MB
 * heap, see the module's pom.) The pauses here make a side slow; they synchronise nothing.
 */
class BackpressureTest {

    private static final int SIZE = 16 * 1024 * 1024;
    private Server server;
    private Origins.Raw origin;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.shutdown(Duration.ZERO);
        }
        if (origin != null) {
            origin.close();
        }
    }

    private static void pause() {
        LockSupport.parkNanos(1_000_000);
    }

    private void originSending(boolean slowly) throws Exception {
        origin = new Origins.Raw(s -> {
            try {
                Origins.Raw.readHead(s.getInputStream());
                OutputStream out = s.getOutputStream();
                Origins.Raw.write(out, "HTTP/1.1 200 OK\r\nContent-Length: " + SIZE + "\r\n\r\n");
                byte[] b = new byte[slowly ? 16384 : 65536];
                for (int sent = 0; sent < SIZE; sent += b.length) {
                    out.write(b);
                    if (slowly) {
                        pause();
                    }
                }
                out.flush();
            } catch (Exception ignored) {
                // the proxy went away
            }
        });
        server = Server.builder().threads(1).listen("127.0.0.1:0", new SimpleProxy(HttpPeer.of("127.0.0.1", origin.port()))).start();
    }

    private long download(boolean slowly) throws Exception {
        try (Socket c = new Socket("127.0.0.1", server.port())) {
            c.setSoTimeout(30_000);
            c.getOutputStream().write("GET /big HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = c.getInputStream();
            String head = Origins.Raw.readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            long got = 0;
            byte[] b = new byte[65536];
            while (got < SIZE) {
                int n = in.read(b);
                if (n < 0) {
                    break;
                }
                got += n;
                if (slowly) {
                    pause();
                }
            }
            return got;
        }
    }

    @Test
    void aSlowClientReadingABigResponseKeepsTheProxyBounded() throws Exception {
        originSending(false);
        assertEquals(SIZE, download(true));
        assertTrue(server.stats().buffersAllocated() <= 8, server.stats().toString());
    }

    @Test
    void aSlowOriginStreamsThroughWithoutBuffering() throws Exception {
        originSending(true);
        assertEquals(SIZE, download(false));
        assertTrue(server.stats().buffersAllocated() <= 8, server.stats().toString());
    }
}
