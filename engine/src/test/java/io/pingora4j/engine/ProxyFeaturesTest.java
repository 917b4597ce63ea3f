package io.pingora4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.Session;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tunnels, 100-continue, local answers, deferral, retries, streaming and shutdown. */
class ProxyFeaturesTest {

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
        server = Server.builder().threads(1).listen("127.0.0.1:0", p).start();
        return server;
    }

    @Test
    void webSocketIsTunnelledBothWaysAfter101() throws Exception {
        Origins.Raw ws = keep(new Origins.Raw(s -> {
            try {
                String head = Origins.Raw.readHead(s.getInputStream());
                if (!head.toLowerCase().contains("upgrade: websocket") || !head.toLowerCase().contains("connection: upgrade")) {
                    Origins.Raw.write(s.getOutputStream(), "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
                    return;
                }
                Origins.Raw.write(s.getOutputStream(), "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n");
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                byte[] b = new byte[1024];
                int n;
                while ((n = in.read(b)) > 0) {
                    out.write(("echo:" + new String(b, 0, n, StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
            } catch (Exception ignored) {
                // closed
            }
        }));
        start(new SimpleProxy(ws.port()));
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            c.send("GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: k\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n");
            Clients.Response r = c.read();
            assertEquals(101, r.status());
            assertEquals("websocket", r.header("Upgrade"));
            InputStream in = c.socket.getInputStream();
            for (String msg : new String[] {"ping-1", "ping-2"}) {
                c.send(msg);
                byte[] expect = ("echo:" + msg).getBytes(StandardCharsets.ISO_8859_1);
                assertEquals("echo:" + msg, new String(in.readNBytes(expect.length), StandardCharsets.ISO_8859_1));
            }
        }
    }

    @Test
    void expectContinueIsAnsweredByTheProxyAndTheBodyForwarded() throws Exception {
        Origins.Jdk origin = keep(new Origins.Jdk().route("/up", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            String expect = ex.getRequestHeaders().getFirst("Expect");
            Origins.Jdk.text(ex, 200, new String(body) + " expect=" + expect);
        }));
        start(new SimpleProxy(origin.port()));
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            c.send("PUT /up HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
            byte[] interim = c.socket.getInputStream().readNBytes("HTTP/1.1 100 Continue\r\n\r\n".length());
            assertEquals("HTTP/1.1 100 Continue\r\n\r\n", new String(interim, StandardCharsets.US_ASCII));
            Clients.Response r = c.send("data").read();
            assertEquals("data expect=null", r.body());
        }
    }

    @Test
    void requestFilterMayAnswerLocallyAndTheBodyIsDrained() throws Exception {
        SimpleProxy p = new SimpleProxy(HttpPeer.of("127.0.0.1", 1)) {
            @Override
            public Action requestFilter(Session s, Object ctx) {
                if (s.request().path().equals("/local")) {
                    s.respond(403, "text/plain", "no".getBytes(StandardCharsets.US_ASCII));
                    return Action.RESPONDED;
                }
                return Action.CONTINUE;
            }
        };
        start(p);
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            Clients.Response r = c.send("POST /local HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello").read();
            assertEquals(403, r.status());
            assertEquals("no", r.body());
            // the body was drained: the connection carries the next request
            assertEquals(403, c.send("GET /local HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
        }
        Await.until("both logged", () -> p.logged.size() == 2);
        assertEquals("POST /local 403", p.logged.get(0));
    }

    @Test
    void aDeferredPhaseThatRespondsOnItsLoopBeforeCompletingEndsTheRequest() throws Exception {
        // Session#executor's documented pattern: the stage answers with respond() on the loop, then
        // completes RESPONDED; the request must end then (logged, the connection free for the next)
        SimpleProxy p = new SimpleProxy(HttpPeer.of("127.0.0.1", 1)) {
            @Override
            public Action requestFilter(Session s, Object ctx) {
                return Action.defer(CompletableFuture.supplyAsync(() -> "later").thenApplyAsync(text -> {
                    s.respond(200, "text/plain", text.getBytes(StandardCharsets.US_ASCII));
                    return Action.RESPONDED;
                }, s.executor()));
            }
        };
        start(p);
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            assertEquals("later", c.send("GET /a HTTP/1.1\r\nHost: a\r\n\r\n").read().body());
            Await.until("the first request logged", () -> p.logged.size() == 1);
            assertEquals("later", c.send("GET /b HTTP/1.1\r\nHost: a\r\n\r\n").read().body(),
                    "the same connection carries the next request");
        }
        Await.until("both logged", () -> p.logged.size() == 2);
    }

    @Test
    void deferredRequestFilterResumesOnItsLoopWithoutBlockingOthers() throws Exception {
        Origins.Jdk origin = keep(new Origins.Jdk().route("/", ex -> Origins.Jdk.text(ex, 200, "origin")));
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger resumedOnLoop = new AtomicInteger();
        SimpleProxy p = new SimpleProxy(origin.port()) {
            @Override
            public Action requestFilter(Session s, Object ctx) {
                if (!s.request().path().equals("/wait")) {
                    return Action.CONTINUE;
                }
                CompletableFuture<Action> f = CompletableFuture.supplyAsync(() -> {
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return Action.CONTINUE;
                });
                return Action.defer(f.thenApplyAsync(a -> {
                    if (Thread.currentThread().getName().startsWith("pingora4j-loop")) {
                        resumedOnLoop.incrementAndGet();
                    }
                    return a;
                }, s.executor()));
            }
        };
        start(p);
        try (Clients.Conn waiting = new Clients.Conn(server.port()); Clients.Conn other = new Clients.Conn(server.port())) {
            waiting.send("GET /wait HTTP/1.1\r\nHost: a\r\n\r\n");
            // the single loop serves another client while the first waits
            assertEquals("origin", other.send("GET /other HTTP/1.1\r\nHost: a\r\n\r\n").read().body());
            release.countDown();
            assertEquals("origin", waiting.read().body());
        }
        assertEquals(1, resumedOnLoop.get());
    }

    @Test
    void filterThrowingAStatusFailsTheRequestWithIt() throws Exception {
        SimpleProxy p = new SimpleProxy(HttpPeer.of("127.0.0.1", 1)) {
            @Override
            public void earlyRequestFilter(Session s, Object ctx) {
                throw ProxyError.status(429, "slow down");
            }
        };
        start(p);
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            assertEquals(429, c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
            assertEquals(429, c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
        }
    }

    @Test
    void aBugInAFilterIs500AndTheLoopSurvives() throws Exception {
        SimpleProxy p = new SimpleProxy(HttpPeer.of("127.0.0.1", 1)) {
            @Override
            public Action requestFilter(Session s, Object ctx) {
                throw new NullPointerException("bug");
            }
        };
        start(p);
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            assertEquals(500, c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
        }
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            assertEquals(500, c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
        }
    }

    @Test
    void retryableConnectFailureAsksForAnotherPeer() throws Exception {
        Origins.Jdk good = keep(new Origins.Jdk().route("/", ex -> Origins.Jdk.text(ex, 200, "second")));
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        HttpPeer down = HttpPeer.of("127.0.0.1", dead);
        HttpPeer up = HttpPeer.of("127.0.0.1", good.port());
        SimpleProxy p = new SimpleProxy(down) {
            @Override
            public HttpPeer upstreamPeer(Session s, Object ctx) {
                return s.attribute("tried") == null ? down : up;
            }

            @Override
            public ProxyError failToConnect(Session s, HttpPeer peer, Object ctx, ProxyError e) {
                s.setAttribute("tried", Boolean.TRUE);
                return e.retryable(true);
            }
        };
        start(p);
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            assertEquals("second", c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().body());
        }
        assertEquals(1, server.stats().retries());
    }

    @Test
    void upstreamRequestFilterEditsWhatTheOriginSees() throws Exception {
        Origins.Jdk origin = keep(new Origins.Jdk().route("/", ex ->
                Origins.Jdk.text(ex, 200, ex.getRequestURI() + " " + ex.getRequestHeaders().getFirst("X-Added")
                        + " " + ex.getRequestHeaders().getFirst("X-Forwarded-For"))));
        SimpleProxy p = new SimpleProxy(origin.port()) {
            @Override
            public void upstreamRequestFilter(Session s, RequestHead up, Object ctx) {
                up.headers().add("X-Added", "yes");
                up.setTarget("/rewritten");
            }
        };
        server = Server.builder().threads(1).listen("127.0.0.1:0", p).forwardedHeaders(true, true, true).start();
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            assertEquals("/rewritten yes 10.0.0.9, 127.0.0.1",
                    c.send("GET /x HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 10.0.0.9\r\n\r\n").read().body());
            // the client's own head was not touched: a second request is proxied the same way
            assertEquals("/rewritten yes 127.0.0.1", c.send("GET /y HTTP/1.1\r\nHost: a\r\n\r\n").read().body());
        }
    }

    @Test
    void absoluteFormIsForwardedAsOriginFormWithItsHost() throws Exception {
        Origins.Jdk origin = keep(new Origins.Jdk().route("/", ex ->
                Origins.Jdk.text(ex, 200, ex.getRequestURI() + " host=" + ex.getRequestHeaders().getFirst("Host"))));
        start(new SimpleProxy(origin.port()));
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            assertEquals("/p?q=1 host=example.com",
                    c.send("GET http://example.com/p?q=1 HTTP/1.1\r\nHost: other\r\n\r\n").read().body());
        }
    }

    @Test
    void hundredMegabytesStreamBothWaysThroughABoundedNumberOfBuffers() throws Exception {
        long size = 100L * 1024 * 1024;
        Origins.Raw sink = keep(new Origins.Raw(s -> {
            try {
                InputStream in = s.getInputStream();
                Origins.Raw.readHead(in);
                long got = 0;
                byte[] b = new byte[65536];
                while (got < size) {
                    int n = in.read(b, 0, (int) Math.min(b.length, size - got));
                    if (n < 0) {
                        break;
                    }
                    got += n;
                }
                OutputStream out = s.getOutputStream();
                Origins.Raw.write(out, "HTTP/1.1 200 OK\r\nContent-Length: " + got + "\r\n\r\n");
                long sent = 0;
                while (sent < got) {
                    int n = (int) Math.min(b.length, got - sent);
                    out.write(b, 0, n);
                    sent += n;
                }
                out.flush();
            } catch (Exception ignored) {
                // closed
            }
        }));
        start(new SimpleProxy(sink.port()));
        try (Socket c = new Socket("127.0.0.1", server.port())) {
            c.setSoTimeout(60_000);
            OutputStream out = c.getOutputStream();
            Thread writer = new Thread(() -> {
                try {
                    out.write(("PUT /big HTTP/1.1\r\nHost: a\r\nContent-Length: " + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    byte[] b = new byte[65536];
                    for (long sent = 0; sent < size; sent += b.length) {
                        out.write(b);
                    }
                    out.flush();
                } catch (Exception ignored) {
                    // the test fails on the read side
                }
            });
            writer.start();
            InputStream in = c.getInputStream();
            String head = Origins.Raw.readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            assertTrue(head.contains("Content-Length: " + size), head);
            long got = 0;
            byte[] b = new byte[65536];
            while (got < size) {
                int n = in.read(b);
                if (n < 0) {
                    break;
                }
                got += n;
            }
            assertEquals(size, got);
            writer.join(10_000);
        }
        // memory is bounded by buffers, not by bytes moved: a handful, never thousands
        assertTrue(server.stats().buffersAllocated() <= 8, server.stats().toString());
    }

    @Test
    void gracefulShutdownFinishesTheRequestInFlightAndRefusesNewOnes() throws Exception {
        CountDownLatch inOrigin = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Origins.Jdk origin = keep(new Origins.Jdk().route("/", ex -> {
            if (ex.getRequestURI().getPath().equals("/slow")) {
                inOrigin.countDown();
                finish.await(10, TimeUnit.SECONDS);
            }
            Origins.Jdk.text(ex, 200, "done " + ex.getRequestURI().getPath());
        }));
        start(new SimpleProxy(origin.port()));
        int port = server.port();
        try (Clients.Conn idle = new Clients.Conn(port); Clients.Conn busy = new Clients.Conn(port)) {
            assertEquals("done /warm", idle.send("GET /warm HTTP/1.1\r\nHost: a\r\n\r\n").read().body());
            busy.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
            assertTrue(inOrigin.await(10, TimeUnit.SECONDS));

            Thread shutdown = new Thread(() -> server.shutdown(Duration.ofSeconds(10)));
            shutdown.start();
            assertTrue(idle.closedByPeer(), "an idle keep-alive connection is closed at once");
            Await.until("the listener is closed", () -> {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    return false;
                } catch (java.io.IOException e) {
                    return true;
                }
            });

            finish.countDown();
            Clients.Response r = busy.read();
            assertEquals("done /slow", r.body(), "the request in flight completes");
            assertEquals("close", r.header("Connection"), "a draining server closes after the response");
            shutdown.join(15_000);
            assertTrue(!shutdown.isAlive(), "shutdown returns once nothing is in flight");
        }
    }
}
