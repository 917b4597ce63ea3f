package io.pingora4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.codec.h2.H2ErrorCode;
import io.pingora4j.codec.h2.H2Limits;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.Session;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * gRPC through the proxy: a call the proxy itself fails is answered as gRPC does (HTTP 200,
 * trailers-only, grpc-status and grpc-message), never with an HTML error page; grpc-timeout is the
 * call's deadline; filters see the service and method.
 */
class GrpcProxyTest {

    private static final String[] GRPC = {"content-type", "application/grpc", "te", "trailers"};
    /** One empty gRPC message: flag 0, length 0. */
    private static final byte[] EMPTY_MESSAGE = new byte[5];

    private Server server;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final CountDownLatch loggedOnce = new CountDownLatch(1);

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.shutdown(Duration.ZERO);
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    /** A proxy whose requestFilter is {@code filter} (null: none); it records what sessions said about gRPC. */
    private void start(HttpPeer peer, Function<Session, Action> filter) {
        SimpleProxy p = new SimpleProxy(peer) {
            @Override
            public Action requestFilter(Session session, Object ctx) {
                return filter == null ? Action.CONTINUE : filter.apply(session);
            }

            @Override
            public void logging(Session session, ProxyError error, Object ctx) {
                seen.add(session.grpc() + " " + session.grpcService() + " " + session.grpcMethod());
                loggedOnce.countDown();
            }
        };
        server = Server.builder().threads(1).listen("127.0.0.1:0", p, H2Limits.DEFAULTS).start();
    }

    private static HttpPeer h2c(int port) {
        return HttpPeer.builder("127.0.0.1", port).alpn(HttpPeer.Alpn.H2).build();
    }

    private static int closedPort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private H2Client.Exchange call(String path, String... extra) throws Exception {
        H2Client c = H2Client.h2c(server.port());
        closeables.add(c);
        String[] fields = new String[GRPC.length + extra.length];
        System.arraycopy(GRPC, 0, fields, 0, GRPC.length);
        System.arraycopy(extra, 0, fields, GRPC.length, extra.length);
        return c.await(c.request("POST", path, EMPTY_MESSAGE, fields));
    }

    private static void assertTrailersOnly(H2Client.Exchange e, String status) {
        assertEquals(200, e.status, e.toString());
        assertTrue(e.headEndedStream, "one HEADERS frame that ends the stream: " + e);
        assertEquals("application/grpc", e.header("content-type"));
        assertEquals(status, e.header("grpc-status"), e.head);
        assertEquals(0, e.body.size());
    }

    @Test
    void anOriginThatIsDownIsUnavailable() throws Exception {
        start(h2c(closedPort()), null);
        H2Client.Exchange e = call("/pkg.Svc/Get");
        assertTrailersOnly(e, "14");
        assertEquals("502 Bad Gateway", e.header("grpc-message"));
    }

    @Test
    void theCallsDeadlinePassingIsDeadlineExceeded() throws Exception {
        H2Origin origin = new H2Origin(call -> {
            // never answers
        });
        closeables.add(origin);
        start(h2c(origin.port()), null);
        H2Client.Exchange e = call("/pkg.Svc/Slow", "grpc-timeout", "300m");
        assertTrailersOnly(e, "4");
    }

    @Test
    void theDeadlinePassingMidResponseEndsTheCallWithItsStatus() throws Exception {
        H2Origin origin = new H2Origin(call -> {
            call.conn.write(() -> {
                io.pingora4j.codec.h1.ResponseHead h = new io.pingora4j.codec.h1.ResponseHead();
                h.headers().add("content-type", "application/grpc");
                return call.conn.h2.writeHeaders(call.streamId, h, false);
            });
            call.conn.writeData(call.streamId, new byte[] {0, 0, 0, 0, 1, 42}, false); // one message, then nothing
        });
        closeables.add(origin);
        start(h2c(origin.port()), null);
        H2Client.Exchange e = call("/pkg.Svc/Stream", "grpc-timeout", "400m");
        assertEquals(200, e.status);
        assertEquals(6, e.body.size(), "the message that came first");
        assertNotNull(e.trailers, "ended with trailers, not a reset: " + e);
        assertTrue(e.trailers.contains("grpc-status: 4"), e.trailers);
    }

    @Test
    void anOriginResettingMidResponseEndsTheCallUnavailable() throws Exception {
        H2Origin origin = new H2Origin(call -> {
            call.conn.write(() -> {
                io.pingora4j.codec.h1.ResponseHead h = new io.pingora4j.codec.h1.ResponseHead();
                h.headers().add("content-type", "application/grpc");
                return call.conn.h2.writeHeaders(call.streamId, h, false);
            });
            call.conn.writeData(call.streamId, new byte[] {0, 0, 0, 0, 1, 7}, false);
            call.reset(H2ErrorCode.INTERNAL_ERROR);
        });
        closeables.add(origin);
        start(h2c(origin.port()), null);
        H2Client.Exchange e = call("/pkg.Svc/Broken");
        assertNotNull(e.trailers, e.toString());
        assertTrue(e.trailers.contains("grpc-status: 14"), e.trailers);
    }

    @Test
    void aLimitRefusingTheCallIsResourceExhausted() throws Exception {
        start(h2c(closedPort()), s -> {
            throw ProxyError.status(429, "too many calls");
        });
        assertTrailersOnly(call("/pkg.Svc/Get"), "8");
    }

    @Test
    void anAuthFilterRefusingTheCallIsUnauthenticatedWithItsMessage() throws Exception {
        start(h2c(closedPort()), s -> {
            s.respond(401, "text/plain", "bad token é".getBytes(StandardCharsets.UTF_8));
            return Action.RESPONDED;
        });
        H2Client.Exchange e = call("/pkg.Svc/Get");
        assertTrailersOnly(e, "16");
        assertEquals("bad token %C3%A9", e.header("grpc-message"), "percent-encoded UTF-8");
    }

    @Test
    void anHttp1ClientGetsTheTrailersOnlyAnswerWithALength() throws Exception {
        start(h2c(closedPort()), null);
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            Clients.Response r = c.send("POST /pkg.Svc/Get HTTP/1.1\r\nHost: a\r\nContent-Type: application/grpc-web+proto\r\n"
                    + "Content-Length: 5\r\n\r\n\0\0\0\0\0").read();
            assertEquals(200, r.status());
            assertEquals("14", r.header("grpc-status"));
            assertEquals("0", r.header("Content-Length"));
            assertEquals("application/grpc-web+proto", r.header("Content-Type"), "the call's own content type");
        }
    }

    @Test
    void aPlainRequestStillGetsAnHttpError() throws Exception {
        start(h2c(closedPort()), null);
        H2Client c = H2Client.h2c(server.port());
        closeables.add(c);
        H2Client.Exchange e = c.await(c.get("/page"));
        assertEquals(502, e.status);
        assertNull(e.header("grpc-status"));
    }

    @Test
    void filtersSeeTheServiceAndMethod() throws Exception {
        start(h2c(closedPort()), null);
        call("/helloworld.Greeter/SayHello");
        assertTrue(loggedOnce.await(10, TimeUnit.SECONDS));
        assertEquals("true helloworld.Greeter SayHello", seen.get(0));
    }

    @Test
    void aPathThatIsNotServiceSlashMethodHasNeither() throws Exception {
        start(h2c(closedPort()), null);
        call("/just-one-segment");
        assertTrue(loggedOnce.await(10, TimeUnit.SECONDS));
        assertEquals("true null null", seen.get(0));
    }
}
