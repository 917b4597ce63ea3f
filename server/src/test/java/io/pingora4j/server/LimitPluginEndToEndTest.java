package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The built-in {@code limit} plugin through the real server: found by its category in the
 * services file, built from TOML, and refusing the third request of one client within a minute.
 * The interval is a minute so the test cannot cross a boundary while it runs.
 */
class LimitPluginEndToEndTest {

    private TestOrigin origin;
    private RunningProxy proxy;

    @BeforeEach
    void start() throws IOException {
        origin = TestOrigin.start("a");
        proxy = RunningProxy.start(port -> """
                [basic]
                threads = 1

                [upstreams.backend]
                addrs = ["%1$s"]

                [plugins.perIp]
                category = "limit"
                type = "rate"
                tag = "ip"
                max = 2
                interval = "1m"

                [locations.api]
                path = "/api"
                upstream = "backend"
                plugins = ["perIp"]

                [servers.http]
                addr = "127.0.0.1:%2$d"
                locations = ["api"]
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

    @Test
    void aRateLimitOfTwoPerMinuteAnswersTheThirdRequest429WithRetryAfter() throws IOException {
        WireClient.Response first = WireClient.exchange(proxy.port(), "GET /api/x HTTP/1.1", "Host: localhost");
        WireClient.Response second = WireClient.exchange(proxy.port(), "GET /api/x HTTP/1.1", "Host: localhost");
        WireClient.Response third = WireClient.exchange(proxy.port(), "GET /api/x HTTP/1.1", "Host: localhost");

        assertEquals(200, first.status());
        assertEquals(200, second.status());
        assertEquals(429, third.status());
        String retryAfter = third.header("Retry-After");
        assertNotNull(retryAfter, "a rate limit's 429 says when to retry");
        long seconds = Long.parseLong(retryAfter);
        assertTrue(seconds >= 1 && seconds <= 60, retryAfter);
        assertEquals(2, origin.seen().size(), "the refused request never went upstream");
    }
}
