package io.pingora4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.spi.HttpPeer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the client sees when the origin or the client misbehaves. */
class ProxyFailureTest {

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

    private SimpleProxy proxyTo(HttpPeer peer) {
        SimpleProxy p = new SimpleProxy(peer);
        server = Server.builder().threads(1).listen("127.0.0.1:0", p).headerReadTimeout(Duration.ofMillis(500)).start();
        return p;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void originRefusingConnectionsIs502() throws Exception {
        SimpleProxy p = proxyTo(HttpPeer.of("127.0.0.1", freePort()));
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            Clients.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(502, r.status());
            // an upstream failure leaves the client connection usable
            assertEquals(502, c.send("GET /again HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
        }
        Await.until("logging", () -> p.logged.size() == 2);
        assertEquals("GET / 502 CONNECT_REFUSED", p.logged.get(0));
    }

    @Test
    void originNotAnsweringInTimeIs504() throws Exception {
        Origins.Raw silent = new Origins.Raw(s -> {
            try {
                Origins.Raw.readHead(s.getInputStream());
                s.getInputStream().read(); // never answers
            } catch (Exception ignored) {
                // closed by the test
            }
        });
        closeables.add(silent);
        SimpleProxy p = proxyTo(HttpPeer.builder("127.0.0.1", silent.port()).readTimeout(Duration.ofMillis(300)).build());
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            assertEquals(504, c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
        }
        Await.until("logging", () -> p.logged.size() == 1);
        assertEquals("GET / 504 READ_TIMEOUT", p.logged.get(0));
    }

    @Test
    void connectThatNeverCompletesIs504() throws Exception {
        // a listener whose backlog is full drops further SYNs: the connect hangs
        ServerSocket full = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        closeables.add(full);
        List<Socket> fillers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Socket s = new Socket();
            try {
                s.connect(full.getLocalSocketAddress(), 200);
                fillers.add(s);
            } catch (Exception e) {
                s.close();
                break;
            }
        }
        fillers.forEach(s -> closeables.add(s));
        SimpleProxy p = proxyTo(HttpPeer.builder("127.0.0.1", full.getLocalPort()).connectTimeout(Duration.ofMillis(300)).build());
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            assertEquals(504, c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
        }
        Await.until("logging", () -> p.logged.size() == 1);
        assertEquals("GET / 504 CONNECT_TIMEOUT", p.logged.get(0));
    }

    @Test
    void originClosingMidBodyClosesTheClientConnection() throws Exception {
        Origins.Raw cut = new Origins.Raw(s -> {
            try {
                Origins.Raw.readHead(s.getInputStream());
                Origins.Raw.write(s.getOutputStream(), "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part");
            } catch (Exception ignored) {
                // test origin
            }
        });
        closeables.add(cut);
        SimpleProxy p = proxyTo(HttpPeer.of("127.0.0.1", cut.port()));
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            String all = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readToEnd();
            assertTrue(all.startsWith("HTTP/1.1 200"), all);
            assertTrue(all.endsWith("only part"), "the truncated body is not completed: " + all);
        }
        Await.until("logging", () -> p.logged.size() == 1);
        assertEquals("GET / 200 CONNECTION_CLOSED", p.logged.get(0));
    }

    @Test
    void originClosingWithoutAResponseIs502() throws Exception {
        Origins.Raw rude = new Origins.Raw(s -> {
            try {
                Origins.Raw.readHead(s.getInputStream());
            } catch (Exception ignored) {
                // closes at once
            }
        });
        closeables.add(rude);
        proxyTo(HttpPeer.of("127.0.0.1", rude.port()));
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            assertEquals(502, c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
        }
    }

    @Test
    void originWithAmbiguousFramingIs502() throws Exception {
        Origins.Raw smuggler = new Origins.Raw(s -> {
            try {
                Origins.Raw.readHead(s.getInputStream());
                Origins.Raw.write(s.getOutputStream(),
                        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
            } catch (Exception ignored) {
                // test origin
            }
        });
        closeables.add(smuggler);
        proxyTo(HttpPeer.of("127.0.0.1", smuggler.port()));
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            assertEquals(502, c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
        }
    }

    @Test
    void slowlorisGets408() throws Exception {
        proxyTo(HttpPeer.of("127.0.0.1", freePort()));
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            c.send("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ");
            assertEquals(408, c.read().status());
            assertTrue(c.closedByPeer());
        }
    }

    private void assertMalformedGets(String request, int status) throws Exception {
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            Clients.Response r = c.send(request).read();
            assertEquals(status, r.status(), request);
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByPeer(), "connection closed after " + status);
        }
    }

    @Test
    void eachMalformedRequestClassGetsItsStatusAndTheConnectionClosed() throws Exception {
        proxyTo(HttpPeer.of("127.0.0.1", freePort()));
        assertMalformedGets("GET / HTTP/1.1\nHost: a\r\n\r\n", 400);
        assertMalformedGets("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400);
        assertMalformedGets("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
        assertMalformedGets("GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414);
        assertMalformedGets("GET / HTTP/1.1\r\nHost: a\r\nX: " + "v".repeat(40_000) + "\r\n\r\n", 431);
        assertMalformedGets("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501);
        assertMalformedGets("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505);
        assertMalformedGets("GET / HTTP/1.1\r\n\r\n", 400);
    }

    @Test
    void malformedChunkedBodyMidRequestIs400() throws Exception {
        Origins.Raw sink = new Origins.Raw(s -> {
            try {
                Origins.Raw.readHead(s.getInputStream());
                s.getInputStream().readAllBytes();
            } catch (Exception ignored) {
                // test origin
            }
        });
        closeables.add(sink);
        proxyTo(HttpPeer.of("127.0.0.1", sink.port()));
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            Clients.Response r = c.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a\nhello\r\n0\r\n\r\n").read();
            assertEquals(400, r.status());
            assertTrue(c.closedByPeer());
        }
    }

    @Test
    void clientGoneMidResponseEndsTheRequestAndIsLogged() throws Exception {
        Origins.Raw endless = new Origins.Raw(s -> {
            try {
                Origins.Raw.readHead(s.getInputStream());
                OutputStream out = s.getOutputStream();
                Origins.Raw.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n");
                byte[] b = new byte[16384];
                while (true) {
                    out.write(b);
                }
            } catch (Exception ignored) {
                // the proxy closed us
            }
        });
        closeables.add(endless);
        SimpleProxy p = proxyTo(HttpPeer.of("127.0.0.1", endless.port()));
        Clients.Conn c = new Clients.Conn(server.port());
        c.send("GET /big HTTP/1.1\r\nHost: a\r\n\r\n");
        InputStream in = c.socket.getInputStream();
        in.readNBytes(100_000);
        c.socket.setSoLinger(true, 0);
        c.close(); // reset
        Await.until("logging", () -> p.logged.size() == 1);
        assertTrue(p.logged.get(0).endsWith("CONNECTION_CLOSED"), p.logged.get(0));
        Await.until("origin connection closed by the proxy", () -> server.stats().requests() == 1);
        assertFalse(p.logged.isEmpty());
    }

    /** An origin that answers the first request on a connection, then closes the next one unanswered. */
    private Origins.Raw closingAfterOneResponse(java.util.concurrent.atomic.AtomicInteger requestsSeen) throws Exception {
        return new Origins.Raw(s -> {
            try {
                InputStream in = s.getInputStream();
                if (Origins.Raw.readHead(in) == null) {
                    return;
                }
                requestsSeen.incrementAndGet();
                Origins.Raw.write(s.getOutputStream(), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                if (Origins.Raw.readHead(in) != null) {
                    requestsSeen.incrementAndGet(); // seen, and dropped without an answer
                }
            } catch (Exception ignored) {
                // closed
            }
        });
    }

    @Test
    void anIdempotentRequestFailingOnAReusedConnectionIsReplayedOnANewOne() throws Exception {
        java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
        Origins.Raw o = closingAfterOneResponse(seen);
        closeables.add(o);
        proxyTo(HttpPeer.of("127.0.0.1", o.port()));
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            assertEquals(200, c.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
            assertEquals(200, c.send("GET /2 HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
        }
        assertEquals(1, server.stats().retries());
    }

    @Test
    void aPostThatReachedTheOriginIsNeverSentTwice() throws Exception {
        java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
        Origins.Raw o = closingAfterOneResponse(seen);
        closeables.add(o);
        proxyTo(HttpPeer.of("127.0.0.1", o.port()));
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            assertEquals(200, c.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
            assertEquals(502, c.send("POST /charge HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").read().status());
        }
        assertEquals(0, server.stats().retries());
        assertEquals(2, seen.get(), "the origin saw the POST once");
    }

    @Test
    void anIdempotentRequestWithABodyIsReplayedWholeFromTheReplayBuffer() throws Exception {
        String body = "x".repeat(20_000);
        java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
        Origins.Raw o = new Origins.Raw(s -> {
            try {
                InputStream in = s.getInputStream();
                int n = connections.incrementAndGet();
                if (n == 1) {
                    Origins.Raw.readHead(in);
                    Origins.Raw.write(s.getOutputStream(), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                    Origins.Raw.readHead(in);
                    in.readNBytes(body.length()); // takes the PUT, then drops the connection unanswered
                    return;
                }
                Origins.Raw.readHead(in);
                byte[] got = in.readNBytes(body.length());
                Origins.Raw.write(s.getOutputStream(), "HTTP/1.1 200 OK\r\nContent-Length: " + String.valueOf(got.length).length()
                        + "\r\n\r\n" + got.length);
            } catch (Exception ignored) {
                // closed
            }
        });
        closeables.add(o);
        proxyTo(HttpPeer.of("127.0.0.1", o.port()));
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            assertEquals(200, c.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
            Clients.Response r = c.send("PUT /doc HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).read();
            assertEquals(200, r.status());
            assertEquals(Integer.toString(body.length()), r.body(), "the new connection got the whole body again");
        }
        assertEquals(1, server.stats().retries());
    }

    @Test
    void anIdempotentRequestWithABodyOverTheReplayBufferIsNotReplayed() throws Exception {
        String body = "y".repeat(70_000);
        Origins.Raw o = new Origins.Raw(s -> {
            try {
                InputStream in = s.getInputStream();
                Origins.Raw.readHead(in);
                Origins.Raw.write(s.getOutputStream(), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                Origins.Raw.readHead(in);
                in.readNBytes(body.length());
            } catch (Exception ignored) {
                // drops the PUT unanswered
            }
        });
        closeables.add(o);
        proxyTo(HttpPeer.of("127.0.0.1", o.port()));
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            assertEquals(200, c.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
            assertEquals(502, c.send("PUT /big HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).read().status());
        }
        assertEquals(0, server.stats().retries());
    }
}
