package com.example.headerstamp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import io.pingora4j.engine.Server;
import io.pingora4j.spi.FilterChainProxy;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.PluginConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The filter in-process, as the server runs it: the engine in front of a test origin, with the JDK's client. */
class HeaderStampFilterTest {

    private HttpServer origin;
    private Server proxy;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        origin.createContext("/", exchange -> {
            byte[] body = "hello".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        origin.start();
        HttpFilter filter = new HeaderStampFactory().create(new PluginConfig("stamp",
                Map.of("category", "header_stamp", "value", "edge-1", "deny_user_agents", List.of("BadBot"))));
        proxy = Server.builder()
                .threads(1)
                .listen("127.0.0.1:0", FilterChainProxy.to(HttpPeer.of("127.0.0.1", origin.getAddress().getPort()), filter))
                .start();
    }

    @AfterEach
    void stop() {
        proxy.close();
        origin.stop(0);
    }

    private HttpResponse<String> get(String userAgent) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/"))
                .header("User-Agent", userAgent).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyResponseIsStamped() throws Exception {
        HttpResponse<String> r = get("curl/8");

        assertEquals(200, r.statusCode());
        assertEquals("hello", r.body());
        assertEquals("edge-1", r.headers().firstValue("X-Stamped-By").orElse(null));
    }

    @Test
    void aDeniedUserAgentGets403AndTheStampToo() throws Exception {
        HttpResponse<String> r = get("Mozilla/5.0 (compatible; badbot/2.1)");

        assertEquals(403, r.statusCode());
        assertEquals("edge-1", r.headers().firstValue("X-Stamped-By").orElse(null));
    }
}
