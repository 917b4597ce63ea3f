package io.pingora4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.codec.h2.H2ErrorCode;
import io.pingora4j.codec.h2.H2Limits;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.Session;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** HTTP/2 from clients (h2c with prior knowledge) through the proxy to HTTP/1.1 origins. */
class H2ProxyTest {

    private Server server;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.shutdown(Duration.ZERO);
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T keep(T c) {
        closeables.add(c);
        return c;
    }

    private Server start(SimpleProxy p) {
        return start(p, H2Limits.DEFAULTS);
    }

    private Server start(SimpleProxy p, H2Limits limits) {
        server = Server.builder().threads(1).listen("127.0.0.1:0", p, limits).start();
        return server;
    }

    /** An origin answering every request with its method, target and body, echoed. */
    private Origins.Raw echoOrigin() throws Exception {
        return keep(new Origins.Raw(s -> {
            try {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                String head;
                while ((head = Origins.Raw.readHead(in)) != null) {
                    byte[] body = readBody(in, head);
                    String line = head.substring(0, head.indexOf("\r\n"));
                    byte[] prefix = (line + "\n").getBytes(StandardCharsets.ISO_8859_1);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + (prefix.length + body.length)
                            + "\r\nX-Origin: echo\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.write(prefix);
                    out.write(body);
                    out.flush();
                }
            } catch (Exception ignored) {
                // closed
            }
        }));
    }

    /** Reads a Content-Length or chunked body off {@code in}. */
    static byte[] readBody(InputStream in, String head) throws Exception {
        String lower = head.toLowerCase();
        int cl = lower.indexOf("\r\ncontent-length:");
        if (cl >= 0) {
            int end = lower.indexOf("\r\n", cl + 2);
            return in.readNBytes(Integer.parseInt(head.substring(cl + 17, end).trim()));
        }
        if (lower.contains("\r\ntransfer-encoding: chunked")) {
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
            while (true) {
                StringBuilder size = new StringBuilder();
                int c;
                while ((c = in.read()) != '\n') {
                    size.append((char) c);
                }
                int n = Integer.parseInt(size.toString().trim(), 16);
                if (n == 0) {
                    in.readNBytes(2);
                    return b.toByteArray();
                }
                b.write(in.readNBytes(n));
                in.readNBytes(2);
            }
        }
        return new byte[0];
    }

    @Test
    void h2cGetIsProxiedToAnHttp11Origin() throws Exception {
        Origins.Raw origin = echoOrigin();
        SimpleProxy proxy = new SimpleProxy(origin.port());
        start(proxy);
        try (H2Client c = keep(H2Client.h2c(server.port()))) {
            H2Client.Exchange e = c.await(c.get("/hello?x=1"));
            assertEquals(200, e.status, e.toString());
            assertEquals("GET /hello?x=1 HTTP/1.1\n", e.body());
            assertEquals("echo", e.header("x-origin"));
        }
        Await.until("logged", () -> proxy.logged.equals(List.of("GET /hello?x=1 200")));
    }

    @Test
    void http11AndH2cClientsShareOnePort() throws Exception {
        Origins.Raw origin = echoOrigin();
        start(new SimpleProxy(origin.port()));
        try (Clients.Conn h1 = new Clients.Conn(server.port()); H2Client h2 = keep(H2Client.h2c(server.port()))) {
            assertEquals("GET /one HTTP/1.1\n", h1.send("GET /one HTTP/1.1\r\nHost: a\r\n\r\n").read().body());
            assertEquals("GET /two HTTP/1.1\n", h2.await(h2.get("/two")).body());
            assertEquals("GET /three HTTP/1.1\n", h1.send("GET /three HTTP/1.1\r\nHost: a\r\n\r\n").read().body());
        }
    }

    @Test
    void filtersSeeTheProtocolAndStreamId() throws Exception {
        Origins.Raw origin = echoOrigin();
        List<String> seen = new CopyOnWriteArrayList<>();
        start(new SimpleProxy(origin.port()) {
            @Override
            public void logging(Session session, ProxyError error, Object ctx) {
                seen.add(session.protocol() + " " + session.streamId() + " " + session.request().authority());
            }
        });
        try (H2Client c = keep(H2Client.h2c(server.port()))) {
            c.await(c.get("/a"));
            c.await(c.get("/b"));
        }
        Await.until("two requests logged", () -> seen.size() == 2);
        assertEquals(List.of("HTTP/2.0 1 test.local", "HTTP/2.0 3 test.local"), seen);
    }

    @Test
    void hundredConcurrentStreamsOnOneConnection() throws Exception {
        Origins.Raw origin = echoOrigin();
        start(new SimpleProxy(origin.port()));
        try (H2Client c = keep(H2Client.h2c(server.port()))) {
            int[] ids = new int[100];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = c.get("/s" + i);
            }
            for (int i = 0; i < ids.length; i++) {
                H2Client.Exchange e = c.await(ids[i]);
                assertEquals(200, e.status, e.toString());
                assertEquals("GET /s" + i + " HTTP/1.1\n", e.body());
            }
        }
    }

    @Test
    void requestBodyIsSentUpstreamAndEchoed() throws Exception {
        Origins.Raw origin = echoOrigin();
        start(new SimpleProxy(origin.port()));
        byte[] body = new byte[300_000];
        new Random(7).nextBytes(body);
        try (H2Client c = keep(H2Client.h2c(server.port()))) {
            H2Client.Exchange e = c.await(c.request("POST", "/up", body));
            assertEquals(200, e.status, e.toString());
            byte[] got = e.body.toByteArray();
            byte[] prefix = "POST /up HTTP/1.1\n".getBytes(StandardCharsets.ISO_8859_1);
            assertEquals(prefix.length + body.length, got.length);
            assertArrayEquals(body, java.util.Arrays.copyOfRange(got, prefix.length, got.length));
        }
    }

    @Test
    void largeBodiesUpAndDownOneStreamWithSmallWindows() throws Exception {
        // an origin that streams the body back as it arrives (no copy of it held anywhere)
        Origins.Raw origin = keep(new Origins.Raw(s -> {
            try {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                String head = Origins.Raw.readHead(in);
                String lower = head.toLowerCase();
                int cl = lower.indexOf("\r\ncontent-length:");
                long length = Long.parseLong(head.substring(cl + 17, lower.indexOf("\r\n", cl + 2)).trim());
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + length + "\r\n\r\n").getBytes());
                byte[] b = new byte[64 * 1024];
                long left = length;
                while (left > 0) {
                    int n = in.read(b, 0, (int) Math.min(b.length, left));
                    if (n < 0) {
                        return;
                    }
                    out.write(b, 0, n);
                    left -= n;
                }
                out.flush();
            } catch (Exception ignored) {
                // closed
            }
        }));
        H2Limits small = H2Limits.DEFAULTS.withWindows(65_535, 65_535);
        start(new SimpleProxy(origin.port()), small);
        long length = 100L * 1024 * 1024;
        try (H2Client c = keep(H2Client.h2c(server.port(), small))) {
            H2Client.Exchange e = c.await(c.requestGenerated("PUT", "/big", length, 11));
            assertEquals(200, e.status, e.toString());
            assertEquals(length, e.count);
            assertEquals(H2Client.generatedCrc(length, 11), e.crc.getValue(), "the body came back intact");
        }
    }

    @Test
    void aStreamResetMidBodyDoesNotDisturbItsNeighbours() throws Exception {
        CountDownLatch slowStarted = new CountDownLatch(1);
        Origins.Raw origin = keep(new Origins.Raw(s -> {
            try {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                String head;
                while ((head = Origins.Raw.readHead(in)) != null) {
                    if (head.startsWith("GET /slow")) {
                        // a long body, sent slowly: the client resets the stream in the middle
                        out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n".getBytes());
                        out.write(new byte[1000]);
                        out.flush();
                        slowStarted.countDown();
                        for (int i = 0; i < 999; i++) {
                            out.write(new byte[1000]);
                            out.flush();
                            Thread.sleep(2); // an origin that dribbles: pacing, not synchronisation
                        }
                    } else {
                        byte[] b = ("fine:" + head.split(" ")[1]).getBytes();
                        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + b.length + "\r\n\r\n").getBytes());
                        out.write(b);
                        out.flush();
                    }
                }
            } catch (Exception ignored) {
                // the proxy closed the slow one
            }
        }));
        SimpleProxy proxy = new SimpleProxy(origin.port());
        start(proxy);
        try (H2Client c = keep(H2Client.h2c(server.port()))) {
            int slow = c.get("/slow");
            int a = c.get("/a");
            assertTrue(slowStarted.await(10, TimeUnit.SECONDS));
            c.reset(slow, H2ErrorCode.CANCEL);
            int b = c.get("/b");
            assertEquals("fine:/a", c.await(a).body());
            assertEquals("fine:/b", c.await(b).body());
        }
        Await.until("the reset stream is logged as the client's doing",
                () -> proxy.logged.contains("GET /slow 200 CONNECTION_CLOSED"));
    }

    @Test
    void gracefulShutdownLetsOpenStreamsFinish() throws Exception {
        CountDownLatch requested = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Origins.Raw origin = keep(new Origins.Raw(s -> {
            try {
                Origins.Raw.readHead(s.getInputStream());
                requested.countDown();
                release.await(10, TimeUnit.SECONDS);
                Origins.Raw.write(s.getOutputStream(), "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone");
            } catch (Exception ignored) {
                // closed
            }
        }));
        start(new SimpleProxy(origin.port()));
        try (H2Client c = keep(H2Client.h2c(server.port()))) {
            int id = c.get("/slow");
            assertTrue(requested.await(10, TimeUnit.SECONDS));
            Thread stopper = new Thread(() -> server.shutdown(Duration.ofSeconds(10)));
            stopper.start();
            Await.until("GOAWAY sent", () -> c.goAwayCode == H2ErrorCode.NO_ERROR);
            release.countDown();
            H2Client.Exchange e = c.await(id);
            assertEquals("done", e.body());
            c.awaitClosed();
            stopper.join(10_000);
        }
        server = null;
    }

    @Test
    void trailersReachAnH2ClientThatAskedForThem() throws Exception {
        Origins.Raw origin = keep(new Origins.Raw(s -> {
            try {
                InputStream in = s.getInputStream();
                while (Origins.Raw.readHead(in) != null) {
                    Origins.Raw.write(s.getOutputStream(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                            + "Trailer: grpc-status\r\n\r\n4\r\nbody\r\n0\r\ngrpc-status: 0\r\n\r\n");
                }
            } catch (Exception ignored) {
                // closed
            }
        }));
        start(new SimpleProxy(origin.port()));
        try (H2Client c = keep(H2Client.h2c(server.port()))) {
            H2Client.Exchange e = c.await(c.get("/t", "te", "trailers"));
            assertEquals("body", e.body());
            assertNotNull(e.trailers, e.toString());
            assertTrue(e.trailers.contains("grpc-status: 0"), e.trailers);
        }
    }

    @Test
    void earlyHintsReachAnH2Client() throws Exception {
        Origins.Raw origin = keep(new Origins.Raw(s -> {
            try {
                InputStream in = s.getInputStream();
                while (Origins.Raw.readHead(in) != null) {
                    Origins.Raw.write(s.getOutputStream(), "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                            + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                }
            } catch (Exception ignored) {
                // closed
            }
        }));
        start(new SimpleProxy(origin.port()));
        try (H2Client c = keep(H2Client.h2c(server.port()))) {
            H2Client.Exchange e = c.await(c.get("/"));
            assertEquals(1, e.interim.size(), e.toString());
            assertTrue(e.interim.get(0).startsWith("HTTP/1.1 103"), e.interim.get(0));
            assertEquals("ok", e.body());
        }
    }

    @Test
    void anOriginFailureIsA502OnThatStreamOnly() throws Exception {
        Origins.Raw origin = echoOrigin();
        start(new SimpleProxy(origin.port()) {
            @Override
            public io.pingora4j.spi.HttpPeer upstreamPeer(Session session, Object ctx) {
                return session.request().path().equals("/down")
                        ? io.pingora4j.spi.HttpPeer.of("127.0.0.1", 1) : peer;
            }
        });
        try (H2Client c = keep(H2Client.h2c(server.port()))) {
            int down = c.get("/down");
            int up = c.get("/up");
            assertEquals(502, c.await(down).status);
            assertEquals(200, c.await(up).status);
            assertEquals(200, c.await(c.get("/again")).status);
        }
    }

    @Test
    void connectOverAStreamIsRefusedWith405AndTheConnectionServesOn() throws Exception {
        Origins.Raw origin = echoOrigin();
        start(new SimpleProxy(origin.port()));
        try (H2Client c = keep(H2Client.h2c(server.port()))) {
            H2Client.Exchange e = c.await(c.connect("example.com:443"));
            assertEquals(405, e.status, e.toString());
            assertEquals(200, c.await(c.get("/after")).status);
        }
        assertEquals(1, origin.acceptedCount(), "only /after reached the origin, not the CONNECT");
    }
}
