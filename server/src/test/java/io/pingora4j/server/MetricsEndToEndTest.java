package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code prometheus_metrics = "/metrics"} through the real server: the path answers Prometheus's
 * text format with exact request and response counts by location and status, histograms with
 * buckets, sum and count, upstream figures, and the engine's and the process's.
 */
class MetricsEndToEndTest {

    private TestOrigin origin;
    private RunningProxy proxy;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws IOException {
        origin = TestOrigin.start("a");
        proxy = RunningProxy.start(port -> """
                [basic]
                threads = 2

                [upstreams.backend]
                addrs = ["%1$s"]

                [upstreams.down]
                addrs = ["127.0.0.1:%3$d"]

                [locations.api]
                path = "/api"
                upstream = "backend"

                [locations.broken]
                path = "/broken"
                upstream = "down"

                [servers.http]
                addr = "127.0.0.1:%2$d"
                locations = ["api", "broken"]
                prometheus_metrics = "/metrics"
                """.formatted(origin.addr(), port, FreePort.pick()));
    }

    @AfterEach
    void stop() {
        try {
            if (proxy != null) {
                proxy.close();
            }
        } finally {
            if (origin != null) {
                origin.close();
            }
        }
    }

    private int get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(proxy.base() + path)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** A scrape once {@code key} reached {@code expected}: counts are written as each request's last phase ends. */
    private Exposition scrapeWhen(String key, double expected) throws IOException, InterruptedException {
        Exposition[] last = {null};
        Await.until(key + " = " + expected, () -> {
            try {
                last[0] = Exposition.scrape(proxy.port(), "/metrics");
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
            return last[0].valueOr0(key) >= expected;
        });
        return last[0];
    }

    @Test
    void countsEveryRequestByLocationAndStatusExactly() throws Exception {
        for (int i = 0; i < 7; i++) {
            assertEquals(200, get("/api/x" + i));
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(404, get("/nowhere"));
        }
        assertEquals(502, get("/broken"));

        Exposition m = scrapeWhen("pingora4j_http_responses_codes_total{location=\"broken\",status=\"502\"}", 1);

        assertEquals(7.0, m.value("pingora4j_http_requests_total{location=\"api\"}"));
        assertEquals(1.0, m.value("pingora4j_http_requests_total{location=\"broken\"}"));
        assertEquals(7.0, m.value("pingora4j_http_responses_codes_total{location=\"api\",status=\"200\"}"));
        assertEquals(3.0, m.value("pingora4j_http_responses_codes_total{location=\"\",status=\"404\"}"));
        assertEquals(1.0, m.value("pingora4j_http_responses_codes_total{location=\"broken\",status=\"502\"}"));
        assertEquals(7.0, m.value("pingora4j_upstream_requests_total{upstream=\"backend\"}"));
        assertEquals(0.0, m.value("pingora4j_upstream_connections_current{upstream=\"backend\"}"),
                "no request holds an upstream connection once they all ended");
        double open = m.value("pingora4j_upstream_connections{upstream=\"backend\"}");
        assertTrue(open >= 1 && open == m.value("pingora4j_upstream_connections_idle{upstream=\"backend\"}"),
                "the origin's keep-alive connections idle in the pools: " + m.text());
        assertEquals(0.0, m.value("pingora4j_upstream_connections{upstream=\"down\"}"));
    }

    @Test
    void aMalformedRequestTheEngineRefusedIsCountedWithItsStatus() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", proxy.port())) {
            s.getOutputStream().write("GET /api/x HTTP/1.1\r\nHost: a\r\nno colon here\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String head = new String(s.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 400", head);
        }

        Exposition m = scrapeWhen("pingora4j_http_responses_codes_total{location=\"\",status=\"400\"}", 1);

        assertEquals(1.0, m.value("pingora4j_http_responses_codes_total{location=\"\",status=\"400\"}"));
        assertEquals(0.0, m.value("pingora4j_http_requests_total{location=\"api\"}"), "no location saw it");
    }

    @Test
    void theResponseTimeHistogramHasBucketsASumAndACountOfTheRequests() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertEquals(200, get("/api/h"));
        }

        Exposition m = scrapeWhen("pingora4j_http_response_time_count{location=\"api\"}", 5);

        assertEquals(5.0, m.value("pingora4j_http_response_time_count{location=\"api\"}"));
        assertEquals(5.0, m.value("pingora4j_http_response_time_bucket{location=\"api\",le=\"+Inf\"}"));
        assertNotNull(m.value("pingora4j_http_response_time_bucket{location=\"api\",le=\"0.001\"}"));
        assertTrue(m.value("pingora4j_http_response_time_sum{location=\"api\"}") > 0);
        assertTrue(m.text().contains("# TYPE pingora4j_http_response_time histogram"), m.text());
        assertEquals(5.0, m.value("pingora4j_upstream_processing_time_count{upstream=\"backend\"}"));
        assertEquals(5.0, m.value("pingora4j_upstream_response_time_count{upstream=\"backend\"}"));
        assertTrue(m.valueOr0("pingora4j_upstream_tcp_connect_time_count{upstream=\"backend\"}") >= 1,
                "the first request dialled the origin");
    }

    @Test
    void theEngineAndTheProcessAreInTheExpositionToo() throws Exception {
        assertEquals(200, get("/api/e"));
        assertEquals(200, get("/api/e"));

        Exposition m = scrapeWhen("pingora4j_http_requests_total{location=\"api\"}", 2);

        assertTrue(m.valueOr0("pingora4j_downstream_connections_total") >= 1, m.text());
        assertTrue(m.valueOr0("pingora4j_upstream_connects_total") >= 1, m.text());
        assertTrue(m.valueOr0("pingora4j_connection_reuses_total") >= 1, "the JDK client keeps its connection alive");
        assertTrue(m.valueOr0("pingora4j_threads") > 0, m.text());
        assertTrue(m.valueOr0("pingora4j_open_fds") > 0, m.text());
        assertTrue(m.valueOr0("pingora4j_memory") > 0, m.text());
        assertEquals(0.0, m.value("pingora4j_upstream_backend_up{upstream=\"backend\",backend=\"" + origin.addr() + "\"}") - 1);
        assertTrue(m.text().contains("# TYPE pingora4j_http_requests_total counter"), m.text());
    }

    @Test
    void theMetricsPathIsAnsweredWithPrometheusTextOnlyOnItsOwnPath() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(proxy.base() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        assertEquals(404, get("/metrics/more"), "a longer path is routed like any other");
        scrapeWhen("pingora4j_http_responses_codes_total{location=\"\",status=\"200\"}", 1); // the scrape itself ended
        assertTrue(origin.seen().isEmpty(), "the metrics path never reaches an origin");
    }
}
