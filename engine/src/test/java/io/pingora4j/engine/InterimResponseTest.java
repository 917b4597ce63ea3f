package io.pingora4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.Session;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Interim (1xx) responses from an origin: forwarded in order to HTTP/1.1 clients, never to
 * HTTP/1.0 ones, and never mistaken for the end of the exchange (which would return the origin
 * connection to the pool with the final response unread: response queue poisoning).
 */
class InterimResponseTest {

    private static final String HINTS = "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n";

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

    /** An origin that serves every request of a keep-alive connection with {@code answer(target)}. */
    private interface Answer {
        void write(String target, OutputStream out) throws Exception;
    }

    private Origins.Raw keepAliveOrigin(Answer answer) throws Exception {
        return keep(new Origins.Raw(s -> {
            try {
                InputStream in = s.getInputStream();
                String head;
                while ((head = Origins.Raw.readHead(in)) != null) {
                    answer.write(head.split(" ")[1], s.getOutputStream());
                }
            } catch (Exception ignored) {
                // the proxy closed the connection
            }
        }));
    }

    private static void write(OutputStream out, String s) throws Exception {
        Origins.Raw.write(out, s);
    }

    @Test
    void earlyHintsThenFinalResponseReachTheClientInOrderWithTheBody() throws Exception {
        Origins.Raw origin = keepAliveOrigin((target, out) -> {
            write(out, HINTS);
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        });
        SimpleProxy proxy = new SimpleProxy(origin.port());
        start(proxy);
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            Clients.Response r = c.send("GET /hints HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(1, r.interim().size(), r.toString());
            assertTrue(r.interim().get(0).startsWith("HTTP/1.1 103 "), r.interim().get(0));
            assertTrue(r.interim().get(0).contains("Link: </style.css>; rel=preload"), r.interim().get(0));
            assertEquals(200, r.status());
            assertEquals("hello", r.body());
        }
        Await.until("the exchange is logged once, with the final status",
                () -> proxy.logged.equals(List.of("GET /hints 200")));
    }

    @Test
    void earlyHintsAreForwardedBeforeTheFinalResponseExists() throws Exception {
        CountDownLatch clientSawHints = new CountDownLatch(1);
        Origins.Raw origin = keepAliveOrigin((target, out) -> {
            write(out, HINTS);
            // the final answer is written only once the client has read the 103
            clientSawHints.await(10, TimeUnit.SECONDS);
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        });
        start(new SimpleProxy(origin.port()));
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes());
            String first = Origins.Raw.readHead(s.getInputStream());
            assertTrue(first.startsWith("HTTP/1.1 103 Early Hints\r\n"), first);
            clientSawHints.countDown();
            String fin = Origins.Raw.readHead(s.getInputStream());
            assertTrue(fin.startsWith("HTTP/1.1 200 OK\r\n"), fin);
        }
    }

    @Test
    void twoEarlyHintsThenFinalResponseArriveInOrder() throws Exception {
        Origins.Raw origin = keepAliveOrigin((target, out) -> write(out,
                "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                        + "HTTP/1.1 103 Early Hints\r\nLink: </b.js>; rel=preload\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody"));
        start(new SimpleProxy(origin.port()));
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            Clients.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(2, r.interim().size(), r.toString());
            assertTrue(r.interim().get(0).contains("</a.css>"), r.interim().get(0));
            assertTrue(r.interim().get(1).contains("</b.js>"), r.interim().get(1));
            assertEquals(200, r.status());
            assertEquals("body", r.body());
        }
    }

    @Test
    void processingAndOtherInterimStatusesAreForwardedToo() throws Exception {
        Origins.Raw origin = keepAliveOrigin((target, out) -> write(out,
                "HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 199 Whatever\r\nX-A: 1\r\n\r\n"
                        + "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"));
        start(new SimpleProxy(origin.port()));
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            Clients.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(2, r.interim().size(), r.toString());
            assertTrue(r.interim().get(0).startsWith("HTTP/1.1 102 "), r.interim().get(0));
            assertTrue(r.interim().get(1).startsWith("HTTP/1.1 199 "), r.interim().get(1));
            assertEquals(201, r.status());
        }
    }

    @Test
    void readTimeoutStillAppliesAfterAnEarlyHint() throws Exception {
        Origins.Raw origin = keepAliveOrigin((target, out) -> write(out, HINTS)); // and never a final answer
        SimpleProxy proxy = new SimpleProxy(HttpPeer.builder("127.0.0.1", origin.port())
                .readTimeout(Duration.ofMillis(300)).build());
        start(proxy);
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            Clients.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(1, r.interim().size(), r.toString());
            assertEquals(504, r.status());
        }
        Await.until("logged as a read timeout", () -> proxy.logged.equals(List.of("GET / 504 READ_TIMEOUT")));
    }

    @Test
    void responseQueuePoisoningAfterEarlyHintsIsImpossible() throws Exception {
        // One origin connection serves both clients (one loop, one pooled connection). Before the
        // fix the interim END returned the connection to the pool with the 200 unread, and the
        // second client received the first client's response.
        Origins.Raw origin = keepAliveOrigin((target, out) -> {
            if (target.equals("/hints")) {
                write(out, HINTS);
                write(out, "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nfor-alice!!");
            } else {
                String body = "for-bob:" + target;
                write(out, "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            }
        });
        start(new SimpleProxy(origin.port()));
        try (Clients.Conn alice = new Clients.Conn(server.port())) {
            Clients.Response r = alice.send("GET /hints HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals("for-alice!!", r.body());
        }
        try (Clients.Conn bob = new Clients.Conn(server.port())) {
            Clients.Response r = bob.send("GET /bob HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals("for-bob:/bob", r.body());
            assertTrue(r.interim().isEmpty(), r.toString());
        }
        assertEquals(1, origin.acceptedCount(), "the origin connection was reused after the complete exchange");
        assertEquals(1, server.stats().upstreamReused());
    }

    @Test
    void http10ClientGetsOnlyTheFinalResponse() throws Exception {
        Origins.Raw origin = keepAliveOrigin((target, out) -> {
            write(out, HINTS);
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        });
        start(new SimpleProxy(origin.port()));
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            String all = c.send("GET / HTTP/1.0\r\nHost: a\r\n\r\n").readToEnd();
            assertTrue(all.startsWith("HTTP/1.1 200 OK\r\n"), all);
            assertFalse(all.contains("103"), all);
            assertTrue(all.endsWith("\r\n\r\nhello"), all);
        }
    }

    @Test
    void filtersSeeInterimHeadsInResponseFilter() throws Exception {
        Origins.Raw origin = keepAliveOrigin((target, out) -> {
            write(out, HINTS);
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        });
        List<Integer> seen = new ArrayList<>();
        start(new SimpleProxy(origin.port()) {
            @Override
            public void responseFilter(Session session, ResponseHead response, Object ctx) {
                seen.add(response.status());
                response.headers().add("X-Seen", Integer.toString(response.status()));
            }
        });
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            Clients.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertTrue(r.interim().get(0).contains("X-Seen: 103"), r.interim().get(0));
            assertEquals("200", r.header("X-Seen"));
        }
        assertEquals(List.of(103, 200), seen);
    }

    @Test
    void aFilterMayDropAnInterimHead() throws Exception {
        Origins.Raw origin = keepAliveOrigin((target, out) -> {
            write(out, HINTS);
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        });
        start(new SimpleProxy(origin.port()) {
            @Override
            public void responseFilter(Session session, ResponseHead response, Object ctx) {
                if (response.interim()) {
                    session.dropInterimResponse();
                }
            }
        });
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            Clients.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertTrue(r.interim().isEmpty(), r.toString());
            assertEquals("ok", r.body());
        }
    }

    @Test
    void pooledConnectionWithUnsolicitedBytesIsDiscardedNeverReadAsAResponse() throws Exception {
        CountDownLatch poisoned = new CountDownLatch(1);
        Origins.Raw origin = keepAliveOrigin((target, out) -> {
            if (target.equals("/first")) {
                write(out, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst");
                // then, between exchanges, a response nobody asked for
                write(out, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\npoison");
                poisoned.countDown();
            } else {
                write(out, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond");
            }
        });
        start(new SimpleProxy(origin.port()));
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            assertEquals("first", c.send("GET /first HTTP/1.1\r\nHost: a\r\n\r\n").read().body());
            assertTrue(poisoned.await(10, TimeUnit.SECONDS));
            assertEquals("second", c.send("GET /second HTTP/1.1\r\nHost: a\r\n\r\n").read().body());
        }
        assertEquals(2, origin.acceptedCount(), "the poisoned connection was not used again");
        Await.until("the discard is counted", () -> server.stats().upstreamDiscarded() == 1);
    }
}
