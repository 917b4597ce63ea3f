package io.pingora4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.codec.h2.H2Limits;
import io.pingora4j.spi.HttpPeer;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 to origins (h2c with prior knowledge): every combination of client and origin protocol
 * with trailers both ways, many streams on one multiplexed connection, the origin's stream limit,
 * its GOAWAY, per-stream back-pressure, and idle connections kept alive with PING then closed.
 */
class H2OriginTest {

    /** The proxy takes this many streams per client connection. */
    private static final H2Limits LISTENER = H2Limits.DEFAULTS.withMaxConcurrentStreams(256);

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

    private static HttpPeer.Builder h2c(int port) {
        return HttpPeer.builder("127.0.0.1", port).alpn(HttpPeer.Alpn.H2);
    }

    private SimpleProxy start(HttpPeer peer) {
        SimpleProxy p = new SimpleProxy(peer);
        server = Server.builder().threads(1).listen("127.0.0.1:0", p, LISTENER).start();
        return p;
    }

    private H2Client client() throws Exception {
        return keep(H2Client.h2c(server.port()));
    }

    /** Answers with what it got: method, path, body, the te field and the request's trailers; then a trailer. */
    private H2Origin echoOrigin() throws Exception {
        return keep(new H2Origin(H2Limits.DEFAULTS.withMaxConcurrentStreams(1000), null, call -> call.respond(200,
                new String[] {"content-type", "text/plain"},
                (call.head.methodName() + " " + call.head.target() + " [" + call.body() + "] te=" + call.header("te")
                        + " trailers=" + (call.trailers == null ? "" : call.trailers.strip()))
                        .getBytes(StandardCharsets.ISO_8859_1),
                "x-checksum", "c0ffee")));
    }

    // ------------------------------------------------------------------ protocols and trailers

    @Test
    void anHttp1ClientReachesAnH2OriginAndGetsItsTrailers() throws Exception {
        H2Origin origin = echoOrigin();
        start(h2c(origin.port()).build());
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            c.send("POST /up HTTP/1.1\r\nHost: a\r\nTE: trailers\r\nConnection: TE\r\nContent-Length: 5\r\n\r\nhello");
            String raw = readChunked(c);
            assertTrue(raw.startsWith("HTTP/1.1 200 "), raw);
            assertTrue(raw.contains("POST /up [hello] te=trailers"), raw);
            assertTrue(raw.endsWith("\r\n0\r\nx-checksum: c0ffee\r\n\r\n"), raw);
        }
        assertEquals(1, origin.connections.get());
    }

    @Test
    void anHttp1ClientThatTakesNoTrailersGetsTheBodyWithout() throws Exception {
        H2Origin origin = echoOrigin();
        start(h2c(origin.port()).build());
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            Clients.Response r = c.send("GET /plain HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("GET /plain [] te=null trailers=", r.body());
            Clients.Response again = c.send("GET /again HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals("GET /again [] te=null trailers=", again.body(), "the client connection carries on");
        }
    }

    @Test
    void anH2ClientReachesAnH2OriginWithTrailersBothWays() throws Exception {
        H2Origin origin = echoOrigin();
        start(h2c(origin.port()).build());
        H2Client c = client();
        int id = c.open("POST", "/pkg.Svc/Call", "content-type", "application/grpc", "te", "trailers");
        c.sendBody(id, "abc".getBytes(StandardCharsets.ISO_8859_1), false);
        c.trailers(id, "x-client-trailer", "42");
        H2Client.Exchange e = c.await(id);
        assertEquals(200, e.status, e.toString());
        assertTrue(e.body().startsWith("POST /pkg.Svc/Call [abc] te=trailers trailers="), e.body());
        assertTrue(e.body().contains("x-client-trailer: 42"), e.body());
        assertNotNull(e.trailers, "the origin's trailers reach the client");
        assertTrue(e.trailers.contains("x-checksum: c0ffee"), e.trailers);
    }

    @Test
    void anH2ClientReachesAnHttp1OriginWithTrailersBothWays() throws Exception {
        StringBuilder seen = new StringBuilder();
        CountDownLatch got = new CountDownLatch(1);
        Origins.Raw origin = keep(new Origins.Raw(s -> {
            try {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                StringBuilder sb = new StringBuilder(Origins.Raw.readHead(in));
                StringBuilder body = new StringBuilder();
                int b;
                while ((b = in.read()) >= 0) { // the chunked body, to the blank line after its trailers
                    body.append((char) b);
                    if (body.indexOf("\r\n0\r\n") >= 0 && body.toString().endsWith("\r\n\r\n")) {
                        break;
                    }
                }
                sb.append(body);
                synchronized (seen) {
                    seen.append(sb);
                }
                got.countDown();
                Origins.Raw.write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\nX-Checksum: 1\r\n\r\n");
                in.read();
            } catch (Exception ignored) {
                // closed
            }
        }));
        start(HttpPeer.of("127.0.0.1", origin.port()));
        H2Client c = client();
        int id = c.open("POST", "/h1", "content-type", "application/octet-stream");
        c.sendBody(id, "abc".getBytes(StandardCharsets.ISO_8859_1), false);
        c.trailers(id, "x-client-trailer", "42");
        H2Client.Exchange e = c.await(id);
        assertTrue(got.await(10, TimeUnit.SECONDS));
        String request;
        synchronized (seen) {
            request = seen.toString();
        }
        assertTrue(request.contains("Transfer-Encoding: chunked"), request);
        assertTrue(request.endsWith("\r\n0\r\nx-client-trailer: 42\r\n\r\n"), request);
        assertEquals(200, e.status);
        assertEquals("xyz", e.body());
        assertNotNull(e.trailers, e.toString());
        assertTrue(e.trailers.toLowerCase().contains("x-checksum: 1"), e.trailers);
    }

    @Test
    void aTrailersOnlyResponseReachesAnH2ClientAsOneHeadersFrame() throws Exception {
        H2Origin origin = keep(new H2Origin(call -> call.respond(200,
                new String[] {"content-type", "application/grpc", "grpc-status", "5", "grpc-message", "not found"}, null)));
        start(h2c(origin.port()).build());
        H2Client c = client();
        int id = c.request("POST", "/pkg.Svc/Missing", new byte[0], "content-type", "application/grpc", "te", "trailers");
        H2Client.Exchange e = c.await(id);
        assertEquals(200, e.status);
        assertTrue(e.headEndedStream, "HEADERS with END_STREAM: " + e);
        assertEquals("5", e.header("grpc-status"));
        assertEquals("not found", e.header("grpc-message"));
    }

    // ------------------------------------------------------------------ multiplexing and the pool

    @Test
    void twoHundredConcurrentStreamsShareOneUpstreamConnection() throws Exception {
        int n = 200;
        CountDownLatch all = new CountDownLatch(n);
        H2Origin origin = keep(new H2Origin(H2Limits.DEFAULTS.withMaxConcurrentStreams(1000), null, call -> {
            if (call.head.target().startsWith("/warm")) {
                call.text(200, "warm");
                return;
            }
            all.countDown();
            all.await(20, TimeUnit.SECONDS); // every stream is open at once before any is answered
            call.text(200, "stream " + call.head.target());
        }));
        start(h2c(origin.port()).build());
        H2Client c = client();
        assertEquals(200, c.await(c.get("/warm")).status);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = c.get("/s" + i);
        }
        for (int i = 0; i < n; i++) {
            H2Client.Exchange e = c.await(ids[i]);
            assertEquals(200, e.status, e.toString());
            assertEquals("stream /s" + i, e.body());
        }
        assertEquals(1, origin.connections.get(), "one multiplexed connection");
        assertEquals(n, origin.maxConcurrent.get(), "all streams open on it at once");
    }

    @Test
    void anOriginAllowingTenStreamsGetsASecondConnectionForTheEleventh() throws Exception {
        int n = 20;
        CountDownLatch all = new CountDownLatch(n);
        H2Origin origin = keep(new H2Origin(H2Limits.DEFAULTS.withMaxConcurrentStreams(10), null, call -> {
            all.countDown();
            all.await(20, TimeUnit.SECONDS);
            call.text(200, "ok " + call.conn.number);
        }));
        start(h2c(origin.port()).build());
        H2Client c = client();
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = c.get("/s" + i);
        }
        for (int id : ids) {
            assertEquals(200, c.await(id).status);
        }
        assertEquals(2, origin.connections.get(), "ten streams each on two connections");
        assertEquals(10, origin.maxConcurrent.get(), "never more than the origin allowed");
    }

    @Test
    void anOriginGoingAwayMidLoadFailsNoIdempotentRequest() throws Exception {
        int n = 20;
        AtomicInteger onFirst = new AtomicInteger();
        H2Origin origin = keep(new H2Origin(H2Limits.DEFAULTS.withMaxConcurrentStreams(1000), null, call -> {
            if (call.conn.number == 1) {
                if (onFirst.incrementAndGet() == 5) {
                    call.conn.goAway(5); // streams 1, 3 and 5 are served; the rest were refused
                }
                if (call.streamId > 5) {
                    return; // never answered: the GOAWAY refused it
                }
            }
            call.text(200, "served " + call.head.target());
        }));
        start(h2c(origin.port()).build());
        H2Client c = client();
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = c.get("/r" + i);
        }
        for (int i = 0; i < n; i++) {
            H2Client.Exchange e = c.await(ids[i]);
            assertEquals(200, e.status, "request " + i + ": " + e);
            assertEquals("served /r" + i, e.body());
        }
        assertTrue(origin.connections.get() >= 2, "the refused requests went on a new connection");
    }

    @Test
    void aSlowClientHoldsBackItsOwnStreamAndNoOther() throws Exception {
        int bigLength = 4 << 20;
        AtomicBoolean bigWritten = new AtomicBoolean();
        H2Origin origin = keep(new H2Origin(H2Limits.DEFAULTS.withMaxConcurrentStreams(1000), null, call -> {
            if (call.head.target().equals("/big")) {
                byte[] b = new byte[bigLength];
                new java.util.Random(7).nextBytes(b);
                call.respond(200, new String[] {"content-type", "application/octet-stream"}, b);
                bigWritten.set(true);
            } else {
                call.text(200, "small " + call.head.target());
            }
        }));
        start(h2c(origin.port()).build());
        H2Client slow = client();
        slow.autoConsume(false); // takes nothing: its windows stay shut
        int big = slow.get("/big");
        Await.until("the slow stream's head", () -> slow.exchange(big).status == 200);
        H2Client quick = client();
        for (int i = 0; i < 5; i++) {
            H2Client.Exchange e = quick.await(quick.get("/q" + i));
            assertEquals("small /q" + i, e.body(), "another client's stream is not held up");
        }
        assertEquals(1, origin.connections.get(), "both on the one upstream connection");
        assertFalse(bigWritten.get(), "the origin is held back: the proxy did not buffer the 4 MiB response");
        slow.autoConsume(true);
        slow.consume(big, slow.exchange(big).body.size());
        H2Client.Exchange done = slow.await(big);
        byte[] expected = new byte[bigLength];
        new java.util.Random(7).nextBytes(expected);
        assertEquals(bigLength, done.body.size());
        assertTrue(java.util.Arrays.equals(expected, done.body.toByteArray()), "the whole body, in order");
    }

    @Test
    void anIdleConnectionIsPingedThenClosedAtTheIdleTimeout() throws Exception {
        H2Origin origin = echoOrigin();
        start(h2c(origin.port()).idleTimeout(Duration.ofMillis(600)).build());
        H2Client c = client();
        assertEquals(200, c.await(c.get("/once")).status);
        Await.until("a PING on the idle connection", () -> origin.pings.get() >= 1);
        Await.until("the idle connection closed", () -> origin.closed.get() == 1);
        assertEquals(200, c.await(c.get("/twice")).status, "the next request dials again");
        assertEquals(2, origin.connections.get());
    }

    @Test
    void aGetIsSentWithEndStreamOnItsHeaders() throws Exception {
        AtomicInteger emptyBodies = new AtomicInteger();
        H2Origin origin = keep(new H2Origin(call -> {
            if (call.body.size() == 0) {
                emptyBodies.incrementAndGet();
            }
            call.text(200, "ok");
        }));
        start(h2c(origin.port()).build());
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            assertEquals("ok", c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().body());
        }
        assertEquals(1, emptyBodies.get());
    }

    @Test
    void anOriginThatIsDownIs502() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        SimpleProxy p = start(h2c(port).build());
        H2Client c = client();
        assertEquals(502, c.await(c.get("/down")).status);
        Await.until("logged", () -> !p.logged.isEmpty());
        assertEquals("GET /down 502 CONNECT_REFUSED", p.logged.get(0));
    }

    /** Reads raw bytes up to the end of a chunked body (the blank line after the last chunk's trailers). */
    static String readChunked(Clients.Conn c) throws Exception {
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
