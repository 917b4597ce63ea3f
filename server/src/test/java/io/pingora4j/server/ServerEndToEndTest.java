package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.codec.h1.HttpMethod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server end to end: a configuration with the built-in plugins, location rules and upstreams
 * (one live origin, dead addresses), served by the real engine on a loopback port, spoken to over
 * raw sockets. One behaviour per test.
 */
class ServerEndToEndTest {

    private static final int BODY_LIMIT = 1000;

    @TempDir
    Path tmp;

    private TestOrigin origin;
    private RunningProxy proxy;
    private Path accessLog;

    @BeforeEach
    void start() throws IOException {
        origin = TestOrigin.start("a");
        accessLog = tmp.resolve("access.log");
        String dead1 = "127.0.0.1:" + FreePort.pick();
        String dead2 = "127.0.0.1:" + FreePort.pick();
        proxy = RunningProxy.start(port -> """
                [basic]
                threads = 1
                grace_period = "5s"

                [upstreams.live]
                addrs = ["%1$s"]

                [upstreams.mixed]
                addrs = ["%2$s", "%1$s"]
                algorithm = "round_robin"
                connection_timeout = "2s"

                [upstreams.dead]
                addrs = ["%2$s", "%3$s"]
                connection_timeout = "2s"

                [plugins.maintenance]
                category = "mock"
                status = 503
                headers = ["Retry-After: 60"]
                data = "down for maintenance"

                [plugins.late]
                category = "mock"
                delay = "30ms"
                data = "late answer"

                [plugins.ping]
                category = "ping"
                path = "/ping"

                [plugins.reqid]
                category = "request_id"

                [plugins.secure]
                category = "response_headers"
                add_headers = ["X-Added: 1"]
                remove_headers = ["X-Powered-By"]
                set_headers = ["X-Frame-Options: SAMEORIGIN"]

                [locations.ping]
                path = "=/ping"
                plugins = ["ping"]

                [locations.maintenance]
                path = "/maintenance"
                plugins = ["maintenance"]

                [locations.late]
                path = "/late"
                plugins = ["late"]

                [locations.orphan]
                path = "/orphan"

                [locations.traced]
                path = "/traced"
                upstream = "live"
                plugins = ["reqid"]

                [locations.secure]
                path = "/secure"
                upstream = "live"
                plugins = ["secure"]

                [locations.upload]
                path = "/upload"
                upstream = "live"
                client_max_body_size = %4$d

                [locations.users]
                path = "~^/users/(?<id>[0-9]+)/"
                upstream = "live"
                rewrite = "^/users/([0-9]+)/(.*)$ /v2/$2/by/$1"

                [locations.shop]
                path = "~^/shop/(?<sku>[a-z0-9]+)$"
                upstream = "live"
                rewrite = "/items/$sku"

                [locations.mixed]
                path = "/mixed"
                upstream = "mixed"

                [locations.dead]
                path = "/dead"
                upstream = "dead"

                [servers.http]
                addr = "127.0.0.1:%5$d"
                locations = ["ping", "late", "orphan", "maintenance", "traced", "secure", "upload", "users", "shop", "mixed", "dead"]
                access_log = "%6$s {method} {path} {status}"
                """.formatted(origin.addr(), dead1, dead2, BODY_LIMIT, port, accessLog));
    }

    @AfterEach
    void stop() {
        try {
            if (proxy != null) {
                proxy.close();
            }
        } finally {
            origin.close();
        }
    }

    private WireClient.Response get(String path, String... extraHeaders) throws IOException {
        String[] lines = new String[2 + extraHeaders.length];
        lines[0] = "GET " + path + " HTTP/1.1";
        lines[1] = "Host: localhost";
        System.arraycopy(extraHeaders, 0, lines, 2, extraHeaders.length);
        return WireClient.exchange(proxy.port(), lines);
    }

    // ------------------------------------------------------------------ routing

    @Test
    void aPathNoLocationMatchesIs404AndReachesNoOrigin() throws IOException {
        WireClient.Response r = get("/nowhere");

        assertEquals(404, r.status());
        assertTrue(origin.seen().isEmpty());
    }

    @Test
    void aLocationWithoutUpstreamThatNoPluginAnswersIs502() throws IOException {
        assertEquals(502, get("/orphan").status());
    }

    @Test
    void oneConnectionCarriesRequestsAnsweredByPluginsTheRouterAndTheOrigin() throws IOException {
        try (WireClient c = new WireClient(proxy.port())) {
            for (String path : List.of("/nowhere", "/maintenance", "/ping", "/late", "/secure")) {
                c.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
                assertTrue(c.read().status() > 0, path);
            }
        }
        assertEquals(1, origin.seen().size());
    }

    // ------------------------------------------------------------------ built-in plugins

    @Test
    void aMockWithADelayAnswersOnceTheDelayIsOver() throws IOException {
        WireClient.Response r = get("/late");

        assertEquals(200, r.status());
        assertEquals("late answer", r.body());
    }

    @Test
    void thePingPluginAnswersPongItself() throws IOException {
        WireClient.Response r = get("/ping");

        assertEquals(200, r.status());
        assertEquals("pong", r.body());
        assertTrue(origin.seen().isEmpty());
    }

    @Test
    void theMockPluginAnswersWithItsStatusHeadersAndBody() throws IOException {
        WireClient.Response r = get("/maintenance/orders");

        assertAll(
                () -> assertEquals(503, r.status()),
                () -> assertEquals("60", r.header("Retry-After")),
                () -> assertEquals("down for maintenance", r.body()),
                () -> assertTrue(origin.seen().isEmpty()));
    }

    @Test
    void theRequestIdPluginGivesTheClientAndTheOriginOneNewId() throws IOException {
        WireClient.Response r = get("/traced");

        assertEquals(200, r.status());
        String id = r.header("X-Request-Id");
        assertTrue(id != null && id.matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"),
                "a UUIDv7 expected, got " + id);
        assertEquals(id, origin.last().header("X-Request-Id"));
    }

    @Test
    void theRequestIdPluginKeepsTheIdTheClientSent() throws IOException {
        WireClient.Response r = get("/traced", "X-Request-Id: client-chosen-42");

        assertEquals("client-chosen-42", r.header("X-Request-Id"));
        assertEquals("client-chosen-42", origin.last().header("X-Request-Id"));
    }

    @Test
    void theResponseHeadersPluginEditsTheOriginsResponse() throws IOException {
        WireClient.Response r = get("/secure");

        assertAll(
                () -> assertEquals(200, r.status()),
                () -> assertEquals("a", r.body()),
                () -> assertEquals("1", r.header("X-Added")),
                () -> assertEquals("SAMEORIGIN", r.header("X-Frame-Options")),
                () -> assertNull(r.header("X-Powered-By")));
    }

    // ------------------------------------------------------------------ client_max_body_size

    @Test
    void aContentLengthOverClientMaxBodySizeIs413AndNeverReachesTheOrigin() throws IOException {
        int length = BODY_LIMIT + 1;
        WireClient.Response r;
        try (WireClient c = new WireClient(proxy.port())) {
            c.send("POST /upload/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + length + "\r\n\r\n");
            r = c.sendQuietly(new byte[length]).read();
        }

        assertEquals(413, r.status());
        assertTrue(origin.seen().isEmpty());
    }

    @Test
    void aContentLengthAtClientMaxBodySizeIsProxied() throws IOException {
        byte[] body = bytes(BODY_LIMIT, 'x');
        WireClient.Response r;
        try (WireClient c = new WireClient(proxy.port())) {
            c.send("POST /upload/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + body.length + "\r\n\r\n");
            r = c.send(body).read();
        }

        assertEquals(200, r.status());
        assertEquals(BODY_LIMIT, r.body().length());
    }

    @Test
    void aChunkedBodyGoingOverClientMaxBodySizeIs413() throws IOException {
        WireClient.Response r;
        try (WireClient c = new WireClient(proxy.port())) {
            c.send("POST /upload/echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n");
            byte[] chunk = chunk(600);
            c.sendQuietly(chunk).sendQuietly(chunk).sendQuietly(chunk)
                    .sendQuietly("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            r = c.read(HttpMethod.POST);
        }

        assertEquals(413, r.status());
    }

    @Test
    void aChunkedBodyUnderClientMaxBodySizeIsProxiedWhole() throws IOException {
        WireClient.Response r;
        try (WireClient c = new WireClient(proxy.port())) {
            c.send("POST /upload/echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n");
            c.send(chunk(400)).send(chunk(400)).send("0\r\n\r\n");
            r = c.read(HttpMethod.POST);
        }

        assertEquals(200, r.status());
        assertEquals(800, r.body().length());
    }

    @Test
    void theRefusedBodyOfA413IsDiscardedNotReadAsTheNextRequest() throws IOException {
        String hidden = "GET /secure/smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n";
        byte[] body = ("z".repeat(BODY_LIMIT + 1 - hidden.length()) + hidden).getBytes(StandardCharsets.US_ASCII);
        try (WireClient c = new WireClient(proxy.port())) {
            c.send("POST /upload/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + body.length + "\r\n\r\n");
            assertEquals(413, c.read(HttpMethod.POST).status());
            c.sendQuietly(body).sendQuietly("GET /ping HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));

            // either the connection goes on (the body was drained) or it closed; never a smuggled request
            try {
                assertEquals("pong", c.read().body());
            } catch (IOException closed) {
                // closing after a refused body is as good
            }
        }
        assertTrue(origin.seen().isEmpty(), "the origin saw " + origin.seen());
    }

    private static byte[] bytes(int n, char c) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) c);
        return b;
    }

    private static byte[] chunk(int n) {
        String head = Integer.toHexString(n) + "\r\n";
        byte[] out = new byte[head.length() + n + 2];
        System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, out, 0, head.length());
        Arrays.fill(out, head.length(), head.length() + n, (byte) 'y');
        out[out.length - 2] = '\r';
        out[out.length - 1] = '\n';
        return out;
    }

    // ------------------------------------------------------------------ rewrite

    @Test
    void aRewriteWithRegexGroupsReachesTheOriginWithTheQueryKept() throws IOException {
        assertEquals(200, get("/users/42/profile?tab=posts").status());

        assertEquals("/v2/profile/by/42?tab=posts", origin.last().uri());
    }

    @Test
    void aRewriteUsingTheRoutesNamedCaptureReachesTheOrigin() throws IOException {
        assertEquals(200, get("/shop/abc123").status());

        assertEquals("/items/abc123", origin.last().uri());
    }

    // ------------------------------------------------------------------ upstream failures

    @Test
    void aRefusedConnectionIsRetriedOnTheOtherBackendSoEveryGetSucceeds() throws IOException {
        for (int i = 0; i < 8; i++) {
            WireClient.Response r = get("/mixed/" + i);
            assertEquals(200, r.status(), "request " + i);
            assertEquals("a", r.body());
        }
        assertEquals(8, origin.seen().size());
    }

    @Test
    void aPostBodyIsSentWholeToTheBackendARefusedConnectionWasRetriedOn() throws IOException {
        for (int i = 0; i < 4; i++) {
            byte[] body = ("payload-" + i).getBytes(StandardCharsets.US_ASCII);
            WireClient.Response r;
            try (WireClient c = new WireClient(proxy.port())) {
                c.send("POST /mixed/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + body.length + "\r\n\r\n");
                r = c.send(body).read(HttpMethod.POST);
            }
            assertEquals(200, r.status(), "request " + i);
            assertEquals("payload-" + i, r.body());
        }
    }

    @Test
    void anUpstreamWhoseBackendsAreAllDeadAnswers502Or503() throws IOException {
        WireClient.Response r = get("/dead");

        assertTrue(r.status() == 502 || r.status() == 503, "status " + r.status());
    }

    // ------------------------------------------------------------------ access log

    @Test
    void theAccessLogFileGetsOneTemplatedLinePerRequest() throws IOException {
        get("/ping");
        get("/nowhere");
        get("/secure/page");

        Await.until("three lines in " + accessLog, () -> lines(accessLog).size() >= 3);
        assertEquals(List.of("GET /ping 200", "GET /nowhere 404", "GET /secure/page 200"), lines(accessLog));
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
