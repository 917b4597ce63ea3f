package io.pingora4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy speaks its own HTTP version (RFC 9110 §2.5, §7.6): clients get HTTP/1.1 status lines
 * whatever the origin speaks, and an HTTP/1.0 origin gets requests it can answer.
 */
class Http10OriginTest {

    private Server server;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<String> originHeads = new CopyOnWriteArrayList<>();
    private final List<String> originBodies = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.shutdown(Duration.ZERO);
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    /**
     * An HTTP/1.0 origin like {@code python3 -m http.server}: one request per connection, a body
     * only as long as its Content-Length says, a close-delimited answer.
     */
    private Origins.Raw http10Origin() throws Exception {
        Origins.Raw o = new Origins.Raw(s -> {
            try {
                InputStream in = s.getInputStream();
                String head = Origins.Raw.readHead(in);
                if (head == null) {
                    return;
                }
                originHeads.add(head);
                int length = 0;
                for (String line : head.split("\r\n")) {
                    if (line.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                originBodies.add(new String(in.readNBytes(length), java.nio.charset.StandardCharsets.ISO_8859_1));
                Origins.Raw.write(s.getOutputStream(), "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                        + "answer to " + head.split(" ")[1]);
            } catch (Exception ignored) {
                // the proxy went away
            }
        });
        closeables.add(o);
        return o;
    }

    @Test
    void http11ClientKeepsItsConnectionBehindAnHttp10Origin() throws Exception {
        Origins.Raw origin = http10Origin();
        server = Server.builder().threads(1).listen("127.0.0.1:0", new SimpleProxy(origin.port())).start();
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            for (int i = 1; i <= 3; i++) {
                Clients.Response r = c.send("GET /r" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
                assertTrue(r.head().startsWith("HTTP/1.1 200 OK\r\n"), r.head());
                assertEquals("chunked", r.header("Transfer-Encoding"), r.head());
                assertNull(r.header("Connection"), r.head());
                assertEquals("answer to /r" + i, r.body());
            }
        }
        assertEquals(3, origin.acceptedCount(), "a close-delimited answer ends its origin connection");
    }

    @Test
    void http10ClientGetsAnHttp11StatusLineAndACloseDelimitedBody() throws Exception {
        Origins.Raw origin = http10Origin();
        server = Server.builder().threads(1).listen("127.0.0.1:0", new SimpleProxy(origin.port())).start();
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            String all = c.send("GET /old HTTP/1.0\r\nHost: a\r\n\r\n").readToEnd();
            assertTrue(all.startsWith("HTTP/1.1 200 OK\r\n"), all);
            assertFalse(all.toLowerCase().contains("transfer-encoding"), all);
            assertTrue(all.endsWith("\r\n\r\nanswer to /old"), all);
        }
    }

    @Test
    void chunkedRequestBodyIsSentWithContentLengthToAKnownHttp10Origin() throws Exception {
        Origins.Raw origin = http10Origin();
        server = Server.builder().threads(1).listen("127.0.0.1:0", new SimpleProxy(origin.port())).start();
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            c.send("GET /learn HTTP/1.1\r\nHost: a\r\n\r\n").read(); // the proxy learns the origin's version
            Clients.Response r = c.send("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("answer to /upload", r.body());
        }
        String head = originHeads.get(1);
        assertTrue(head.contains("Content-Length: 11\r\n"), head);
        assertFalse(head.toLowerCase().contains("transfer-encoding"), head);
        assertEquals("hello world", originBodies.get(1));
    }

    @Test
    void chunkedRequestBodyTooLargeToBufferForAnHttp10OriginIs413() throws Exception {
        Origins.Raw origin = http10Origin();
        server = Server.builder().threads(1).listen("127.0.0.1:0", new SimpleProxy(origin.port())).start();
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            c.send("GET /learn HTTP/1.1\r\nHost: a\r\n\r\n").read();
            ByteArrayOutputStream req = new ByteArrayOutputStream();
            req.write("POST /big HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes());
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) 'x');
            int chunks = (BufferedRequestBody.MAX / chunk.length) + 1;
            for (int i = 0; i < chunks; i++) {
                req.write((Integer.toHexString(chunk.length) + "\r\n").getBytes());
                req.write(chunk);
                req.write("\r\n".getBytes());
            }
            req.write("0\r\n\r\n".getBytes());
            Thread writer = new Thread(() -> {
                try {
                    c.send(req.toByteArray());
                } catch (Exception ignored) {
                    // the proxy may close before taking it all
                }
            });
            writer.start();
            Clients.Response r = c.read();
            assertEquals(413, r.status());
            writer.join(10_000);
        }
        assertEquals(1, originHeads.size(), "nothing of the refused request reached the origin");
    }

    @Test
    void http10ClientsStillReuseTheOriginConnection() throws Exception {
        Origins.Raw origin = new Origins.Raw(sock -> {
            try {
                java.io.InputStream in = sock.getInputStream();
                while (Origins.Raw.readHead(in) != null) {
                    Origins.Raw.write(sock.getOutputStream(), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                }
            } catch (Exception ignored) {
                // closed
            }
        });
        closeables.add(origin);
        server = Server.builder().threads(1).listen("127.0.0.1:0", new SimpleProxy(origin.port())).start();
        for (int i = 0; i < 3; i++) {
            try (Clients.Conn c = new Clients.Conn(server.port())) {
                String all = c.send("GET /r HTTP/1.0\r\nHost: a\r\n\r\n").readToEnd();
                assertTrue(all.endsWith("\r\n\r\nok"), all);
            }
        }
        assertEquals(1, origin.acceptedCount(), "one origin connection served the three HTTP/1.0 clients");
    }
}
