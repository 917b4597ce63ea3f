package io.pingora4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.codec.h1.HttpMethod;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The happy path through real sockets: JDK client → proxy → JDK HTTP server. */
class ProxyBasicsTest {

    private Origins.Jdk origin;
    private SimpleProxy proxy;
    private Server server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        origin = new Origins.Jdk()
                .route("/hello", ex -> Origins.Jdk.text(ex, 200, "hello " + ex.getRequestURI().getQuery()))
                .route("/echo", ex -> {
                    byte[] body = ex.getRequestBody().readAllBytes();
                    ex.getResponseHeaders().add("X-Seen-Length", Integer.toString(body.length));
                    ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
                    ex.getResponseBody().write(body);
                })
                .route("/chunked", ex -> {
                    ex.sendResponseHeaders(200, 0); // 0 = chunked in the JDK server
                    for (int i = 0; i < 5; i++) {
                        ex.getResponseBody().write(("part" + i + ";").getBytes());
                        ex.getResponseBody().flush();
                    }
                })
                .route("/headers", ex -> {
                    StringBuilder sb = new StringBuilder();
                    ex.getRequestHeaders().forEach((k, v) -> sb.append(k.toLowerCase()).append('=').append(v).append('\n'));
                    Origins.Jdk.text(ex, 200, sb.toString());
                });
        proxy = new SimpleProxy(origin.port());
        server = Server.builder().threads(2).listen("127.0.0.1:0", proxy).start();
    }

    @AfterEach
    void stop() {
        server.close();
        origin.close();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    @Test
    void getIsProxiedToTheOrigin() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/hello?x=1")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("hello x=1", r.body());
        assertEquals("text/plain", r.headers().firstValue("content-type").orElse(""));
    }

    @Test
    void postBodyReachesTheOrigin() throws Exception {
        String body = "a".repeat(100_000);
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/echo")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals(body, r.body());
    }

    @Test
    void chunkedResponseIsRelayedChunked() throws Exception {
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            Clients.Response r = c.send("GET /chunked HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("chunked", r.header("Transfer-Encoding"));
            assertEquals("part0;part1;part2;part3;part4;", r.body());
        }
    }

    @Test
    void chunkedRequestBodyIsRelayedChunked() throws Exception {
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            Clients.Response r = c.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("hello world", r.body());
            assertEquals("11", r.header("X-Seen-Length"));
        }
    }

    @Test
    void keepAliveCarriesManyRequestsAndReusesUpstreamConnections() throws Exception {
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            for (int i = 0; i < 20; i++) {
                Clients.Response r = c.send("GET /hello?n=" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
                assertEquals("hello n=" + i, r.body());
            }
        }
        Server.Stats s = server.stats();
        assertEquals(20, s.requests());
        assertEquals(1, s.upstreamConnects(), "one upstream connection, reused: " + s);
        assertEquals(19, s.upstreamReused());
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            c.send("GET /hello?p=1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /hello?p=3 HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("hello p=1", c.read().body());
            assertEquals("abc", c.read().body());
            assertEquals("hello p=3", c.read().body());
        }
    }

    @Test
    void headRequestGetsNoBody() throws Exception {
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            Clients.Response r = c.send("HEAD /hello?x=1 HTTP/1.1\r\nHost: a\r\n\r\n").read(HttpMethod.HEAD);
            assertEquals(200, r.status());
            assertEquals("", r.body());
            Clients.Response next = c.send("GET /hello?x=2 HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals("hello x=2", next.body());
        }
    }

    @Test
    void http10ClientGetsTheConnectionClosed() throws Exception {
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            String all = c.send("GET /chunked HTTP/1.0\r\n\r\n").readToEnd();
            assertTrue(all.startsWith("HTTP/1.1 200"), all);
            assertTrue(!all.toLowerCase().contains("transfer-encoding"), all);
            assertTrue(all.endsWith("part0;part1;part2;part3;part4;"), all);
        }
    }

    @Test
    void hopByHopHeadersAreNotForwarded() throws Exception {
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            Clients.Response r = c.send("GET /headers HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Secret\r\n"
                    + "X-Secret: 1\r\nKeep-Alive: timeout=5\r\nProxy-Connection: x\r\nUpgrade: h2c\r\nHTTP2-Settings: AAA\r\n"
                    + "X-Kept: yes\r\n\r\n").read();
            String seen = r.body();
            assertTrue(seen.contains("x-kept=[yes]"), seen);
            for (String gone : new String[] {"x-secret", "keep-alive", "proxy-connection", "upgrade", "http2-settings"}) {
                assertTrue(!seen.contains(gone + "="), gone + " was forwarded: " + seen);
            }
        }
    }

    @Test
    void loggingRunsOncePerRequest() throws Exception {
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            c.send("GET /hello?a HTTP/1.1\r\nHost: a\r\n\r\n").read();
            c.send("GET /hello?b HTTP/1.1\r\nHost: a\r\n\r\n").read();
        }
        Await.until("two log calls", () -> proxy.logged.size() >= 2);
        assertEquals(java.util.List.of("GET /hello?a 200", "GET /hello?b 200"), proxy.logged);
    }
}
