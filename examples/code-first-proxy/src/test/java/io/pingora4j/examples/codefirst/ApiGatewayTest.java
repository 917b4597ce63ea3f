package io.pingora4j.examples.codefirst;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import io.pingora4j.engine.Server;
import io.pingora4j.spi.HttpPeer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How to test a ProxyHttp: run it in-process on an ephemeral port in front of test origins. */
class ApiGatewayTest {

    private HttpServer apiOrigin;
    private HttpServer webOrigin;
    private Server gateway;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static HttpServer origin(String name) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        s.createContext("/", ex -> {
            byte[] b = (name + " saw " + ex.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        s.start();
        return s;
    }

    @BeforeEach
    void start() throws Exception {
        apiOrigin = origin("api");
        webOrigin = origin("web");
        gateway = Server.builder()
                .threads(1)
                .listen("127.0.0.1:0", new ApiGateway(
                        HttpPeer.of("127.0.0.1", apiOrigin.getAddress().getPort()),
                        HttpPeer.of("127.0.0.1", webOrigin.getAddress().getPort())))
                .start();
    }

    @AfterEach
    void stop() {
        gateway.close();
        apiOrigin.stop(0);
        webOrigin.stop(0);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void apiRequestsLoseTheirPrefixOnTheWayToTheApiOrigin() throws Exception {
        HttpResponse<String> r = get("/api/users?id=7");
        assertEquals("api saw /users?id=7", r.body());
        assertEquals("code-first", r.headers().firstValue("X-Gateway").orElse(""));
    }

    @Test
    void otherRequestsGoToTheWebOrigin() throws Exception {
        assertEquals("web saw /index.html", get("/index.html").body());
    }

    @Test
    void healthIsAnsweredByTheGatewayItself() throws Exception {
        HttpResponse<String> r = get("/healthz");
        assertEquals(200, r.statusCode());
        assertEquals("ok\n", r.body());
        assertEquals("code-first", r.headers().firstValue("X-Gateway").orElse(""));
    }
}
