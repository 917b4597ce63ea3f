package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exposition as Prometheus itself reads it: {@code promtool check metrics} (its own parser and
 * linter) finds nothing to say, and a real Prometheus server (Debian's {@code prometheus}) scraping
 * the proxy answers a query for the request counter with the number of requests sent.
 */
@Tag("interop")
class MetricsInteropTest {

    private static final int SENT = 23;

    @TempDir
    Path dir;

    private TestOrigin origin;
    private RunningProxy proxy;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws IOException {
        origin = TestOrigin.start("a");
        proxy = RunningProxy.start(port -> """
                [upstreams.backend]
                addrs = ["%1$s"]

                [plugins.pageCache]
                category = "cache"

                [plugins.perIp]
                category = "limit"
                max = 1000
                interval = "1m"

                [locations.api]
                path = "/api"
                upstream = "backend"
                plugins = ["perIp", "pageCache"]

                [servers.http]
                addr = "127.0.0.1:%2$d"
                locations = ["api"]
                prometheus_metrics = "/metrics"
                """.formatted(origin.addr(), port));
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

    private void send(int n) throws IOException, InterruptedException {
        for (int i = 0; i < n; i++) {
            assertEquals(200, client.send(HttpRequest.newBuilder(URI.create(proxy.base() + "/api/" + i)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
        }
        Await.until(n + " requests counted", () -> {
            try {
                return Exposition.scrape(proxy.port(), "/metrics")
                        .valueOr0("pingora4j_http_responses_codes_total{location=\"api\",status=\"200\"}") >= n;
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void promtoolFindsTheExpositionValidAndLintFree() throws Exception {
        String promtool = Tools.path("promtool", "prometheus");
        send(3);
        Path scrape = Files.writeString(dir.resolve("scrape.txt"),
                Exposition.scrape(proxy.port(), "/metrics").text());

        Tools.Run r = Tools.run(dir, Duration.ofSeconds(60), "sh", "-c", promtool + " check metrics < " + scrape);

        assertEquals(0, r.exit(), "promtool check metrics:\n" + r.output());
        assertEquals("", r.output().strip(), "promtool has nothing to say about it");
    }

    @Test
    void aRealPrometheusScrapingTheProxyCountsTheRequestsSent() throws Exception {
        String prometheus = Tools.path("prometheus", "prometheus");
        send(SENT);
        int web = FreePort.pick();
        Path config = Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: pingora4j
                    metrics_path: /metrics
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(proxy.port()));
        Process p = new ProcessBuilder(prometheus, "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + web)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try {
            String query = URLEncoder.encode("pingora4j_http_requests_total{location=\"api\",job=\"pingora4j\"}",
                    StandardCharsets.UTF_8);
            URI uri = URI.create("http://127.0.0.1:" + web + "/api/v1/query?query=" + query);
            Pattern value = Pattern.compile("\"value\":\\[[0-9.]+,\"([0-9.]+)\"\\]");
            String[] last = {""};
            Await.until("Prometheus answering the counter (log: " + dir.resolve("prometheus.log") + ")",
                    Duration.ofSeconds(60), () -> {
                        try {
                            last[0] = client.send(HttpRequest.newBuilder(uri).build(),
                                    HttpResponse.BodyHandlers.ofString()).body();
                        } catch (IOException e) {
                            return false; // not listening yet
                        } catch (InterruptedException e) {
                            throw new AssertionError(e);
                        }
                        return value.matcher(last[0]).find();
                    });
            Matcher m = value.matcher(last[0]);
            assertTrue(m.find(), last[0]);
            assertEquals(SENT, Double.parseDouble(m.group(1)), "Prometheus's own figure: " + last[0]);
        } finally {
            p.destroy();
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
