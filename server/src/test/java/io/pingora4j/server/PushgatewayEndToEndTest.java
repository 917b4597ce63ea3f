package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * Pingap's push mode: a URL as {@code prometheus_metrics} pushes every metric to that Pushgateway
 * every interval, as job NAME, with the URL's credentials; here the gateway is the test's own.
 */
class PushgatewayEndToEndTest {

    record Push(String method, String path, String authorization, String body) {
    }

    @Test
    void theServerPushesItsMetricsToTheGatewayEveryInterval() throws Exception {
        ConcurrentLinkedQueue<Push> pushes = new ConcurrentLinkedQueue<>();
        HttpServer gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        gateway.createContext("/", ex -> {
            try (InputStream in = ex.getRequestBody()) {
                pushes.add(new Push(ex.getRequestMethod(), ex.getRequestURI().getPath(),
                        ex.getRequestHeaders().getFirst("Authorization"),
                        new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        gateway.start();
        try (TestOrigin origin = TestOrigin.start("a");
             RunningProxy proxy = RunningProxy.start(port -> """
                     [basic]
                     name = "edge-1"

                     [upstreams.backend]
                     addrs = ["%1$s"]

                     [locations.api]
                     path = "/api"
                     upstream = "backend"

                     [servers.http]
                     addr = "127.0.0.1:%2$d"
                     locations = ["api"]
                     prometheus_metrics = "http://ops:s3cret@127.0.0.1:%3$d/job/pingora4j?interval=200ms"
                     """.formatted(origin.addr(), port, gateway.getAddress().getPort()))) {
            HttpClient client = HttpClient.newHttpClient();
            for (int i = 0; i < 4; i++) {
                assertEquals(200, client.send(HttpRequest.newBuilder(URI.create(proxy.base() + "/api/p")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode());
            }

            Await.until("a push that counts the 4 requests", () -> pushes.stream().anyMatch(p -> Exposition.parse(p.body())
                    .valueOr0("pingora4j_http_requests_total{location=\"api\"}") == 4));
            Push p = pushes.peek();
            assertEquals("PUT", p.method());
            assertEquals("/metrics/job/pingora4j/instance/edge-1", p.path());
            assertEquals("Basic " + Base64.getEncoder().encodeToString("ops:s3cret".getBytes(StandardCharsets.UTF_8)),
                    p.authorization());
            assertTrue(p.body().contains("# TYPE pingora4j_http_requests_total counter"), p.body());
        } finally {
            gateway.stop(0);
        }
    }
}
