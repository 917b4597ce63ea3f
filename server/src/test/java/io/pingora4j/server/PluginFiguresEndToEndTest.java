package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.ScriptedOrigin.Reply;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What plugins do shows in the figures: the cache's hits and misses and the limit's refusals in
 * the Prometheus exposition, by plugin; and the {@code stats} plugin's JSON counts requests exactly.
 */
class PluginFiguresEndToEndTest {

    private ScriptedOrigin origin;
    private RunningProxy proxy;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws IOException {
        origin = ScriptedOrigin.start(r -> Reply.of(200, "page", "Cache-Control", "max-age=60"));
        proxy = RunningProxy.start(port -> """
                [basic]
                threads = 1

                [upstreams.backend]
                addrs = ["%1$s"]

                [plugins.pageCache]
                category = "cache"

                [plugins.perIp]
                category = "limit"
                max = 2
                interval = "1m"

                [plugins.figures]
                category = "stats"
                path = "/stats"

                [locations.cached]
                path = "/cached"
                upstream = "backend"
                plugins = ["pageCache"]

                [locations.limited]
                path = "/limited"
                upstream = "backend"
                plugins = ["perIp"]

                [locations.admin]
                path = "/stats"
                plugins = ["figures"]

                [servers.http]
                addr = "127.0.0.1:%2$d"
                locations = ["cached", "limited", "admin"]
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

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(proxy.base() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Exposition scrapeWhen(String key, double expected) {
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
    void cacheHitsAndMissesAndLimitRefusalsAreCountedByPlugin() throws Exception {
        assertEquals("MISS", get("/cached/a").headers().firstValue("X-Cache").orElse(""));
        assertEquals("HIT", get("/cached/a").headers().firstValue("X-Cache").orElse(""));
        assertEquals("HIT", get("/cached/a").headers().firstValue("X-Cache").orElse(""));
        for (int i = 0; i < 5; i++) {
            get("/limited/x");
        }

        Exposition m = scrapeWhen("pingora4j_limit_refusals_total{plugin=\"perIp\"}", 3);

        assertEquals(3.0, m.value("pingora4j_limit_refusals_total{plugin=\"perIp\"}"), "two admitted, three refused");
        assertEquals(1.0, m.value("pingora4j_cache_lookups_total{plugin=\"pageCache\",result=\"miss\"}"));
        assertEquals(2.0, m.value("pingora4j_cache_lookups_total{plugin=\"pageCache\",result=\"hit\"}"));
        assertEquals(0.0, m.value("pingora4j_cache_lookups_total{plugin=\"pageCache\",result=\"stale\"}"));
        assertEquals(3.0, m.value("pingora4j_http_responses_codes_total{location=\"limited\",status=\"429\"}"));
    }

    @Test
    void theStatsPluginCountsEveryRequestAndShowsTheProcess() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertEquals(200, get("/cached/s" + i).statusCode());
        }
        int statsCalls = 0;
        String json;
        do { // until only the stats request itself is in flight: the three have ended and are counted
            HttpResponse<String> r = get("/stats");
            statsCalls++;
            assertEquals(200, r.statusCode());
            assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
            json = r.body();
        } while (number(json, "processing") != 1 && statsCalls < 500);

        assertEquals(1, number(json, "processing"), json);
        assertEquals(3 + statsCalls, number(json, "accepted"), json);
        assertEquals(statsCalls, number(json, "location_accepted"), "the admin location's own requests: " + json);
        assertEquals(1, number(json, "location_processing"), json);
        assertTrue(number(json, "threads") > 0, json);
        assertTrue(number(json, "memory_mb") > 0, json);
        assertTrue(json.contains("\"uptime\":\""), json);
        assertTrue(json.contains("\"2xx\":"), json);
    }

    private static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(-?\\d+)").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no " + field + " in " + json);
        }
        return Long.parseLong(m.group(1));
    }
}
