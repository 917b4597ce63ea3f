package io.pingora4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Response trailers go to a client that said it takes them (TE: trailers), with their Trailer field. */
class TrailersTest {

    private Server server;
    private Origins.Raw origin;
    private final List<String> originHeads = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        origin = new Origins.Raw(s -> {
            try {
                InputStream in = s.getInputStream();
                String head;
                while ((head = Origins.Raw.readHead(in)) != null) {
                    originHeads.add(head);
                    Origins.Raw.write(s.getOutputStream(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                            + "Trailer: X-Checksum\r\n\r\n4\r\nbody\r\n0\r\nX-Checksum: abc123\r\n\r\n");
                }
            } catch (Exception ignored) {
                // closed
            }
        });
        server = Server.builder().threads(1).listen("127.0.0.1:0", new SimpleProxy(origin.port())).start();
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown(Duration.ZERO);
        origin.close();
    }

    @Test
    void trailersAndTheirTrailerFieldReachAClientThatSentTeTrailers() throws Exception {
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            c.send("GET / HTTP/1.1\r\nHost: a\r\nTE: trailers\r\nConnection: TE\r\n\r\n");
            String raw = readChunkedResponse(c);
            assertTrue(raw.contains("\r\nTrailer: X-Checksum\r\n"), raw);
            assertTrue(raw.endsWith("\r\n0\r\nX-Checksum: abc123\r\n\r\n"), raw);
        }
        assertTrue(originHeads.get(0).contains("\r\nTE: trailers\r\n"), "the origin learns the client takes trailers: "
                + originHeads.get(0));
    }

    @Test
    void trailersAreNotSentToAClientThatDidNotAskForThem() throws Exception {
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            String raw = readChunkedResponse(c);
            assertFalse(raw.contains("Trailer:"), raw);
            assertFalse(raw.contains("X-Checksum"), raw);
            assertTrue(raw.endsWith("\r\n0\r\n\r\n"), raw);
        }
        assertFalse(originHeads.get(0).toLowerCase().contains("\r\nte:"), originHeads.get(0));
    }

    @Test
    void trailersArriveThroughTheParserAsWell() throws Exception {
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            Clients.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\nTE: trailers\r\n\r\n").read();
            assertEquals("body", r.body());
            assertEquals("X-Checksum", r.header("Trailer"));
            Clients.Response again = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertNull(again.header("Trailer"), "the connection carries on after the trailers");
        }
    }

    /** Reads raw bytes up to the end of a chunked body (the blank line after the last chunk's trailers). */
    private static String readChunkedResponse(Clients.Conn c) throws Exception {
        StringBuilder sb = new StringBuilder();
        InputStream in = c.socket.getInputStream();
        int b;
        while ((b = in.read()) >= 0) {
            sb.append((char) b);
            int zero = sb.indexOf("\r\n0\r\n");
            if (zero >= 0 && sb.length() >= zero + 7 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
                return sb.toString();
            }
        }
        return sb.toString();
    }
}
