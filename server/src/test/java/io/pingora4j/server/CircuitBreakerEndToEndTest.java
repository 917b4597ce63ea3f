package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.lb.BackendSet;
import io.pingora4j.lb.CircuitBreaker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pingap's per-backend circuit breaker ({@code circuit_break_*}) through the real server: failures
 * open it and traffic goes to the other backend; after {@code circuit_break_open_duration} a
 * half-open probe that succeeds closes it.
 */
class CircuitBreakerEndToEndTest {

    private SwitchableOrigin a;
    private SwitchableOrigin b;
    private RunningProxy proxy;

    @BeforeEach
    void origins() throws IOException {
        a = SwitchableOrigin.start("a");
        b = SwitchableOrigin.start("b");
    }

    @AfterEach
    void stop() {
        try {
            if (proxy != null) {
                proxy.close();
            }
        } finally {
            a.close();
            b.close();
        }
    }

    private void start(String breakerKeys) {
        proxy = RunningProxy.start(port -> """
                [basic]
                threads = 1

                [upstreams.u]
                addrs = ["%s", "%s"]
                algorithm = "round_robin"
                %s

                [locations.all]
                path = "/"
                upstream = "u"

                [servers.http]
                addr = "127.0.0.1:%d"
                locations = ["all"]
                """.formatted(a.addr(), b.addr(), breakerKeys, port));
    }

    private CircuitBreaker breakerOf(int backend) {
        BackendSet set = proxy.runtime.upstreams.get("u").snapshot().set();
        return set.breaker(backend);
    }

    private WireClient.Response get() {
        try {
            return WireClient.exchange(proxy.port(), "GET /x HTTP/1.1", "Host: localhost");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void consecutiveFailuresOpenTheBreakerAndTrafficGoesToTheOtherBackend() {
        start("circuit_break_max_consecutive_failures = 2\ncircuit_break_open_duration = \"1h\"");
        a.failing(true);
        Await.until("a's breaker open after its 500s", () -> {
            get();
            return breakerOf(0).state() == CircuitBreaker.State.OPEN;
        });

        int before = a.requests();
        for (int i = 0; i < 6; i++) {
            WireClient.Response r = get();
            assertEquals(200, r.status());
            assertEquals("b", r.body());
        }
        assertEquals(before, a.requests());
    }

    @Test
    void perBackendCountersAreReadableForMetrics() {
        start("circuit_break_max_consecutive_failures = 2\ncircuit_break_open_duration = \"1h\"");
        a.failing(true);
        Await.until("a's breaker open", () -> {
            get();
            return breakerOf(0).state() == CircuitBreaker.State.OPEN;
        });

        List<UpstreamGroup.BackendStatus> status = proxy.runtime.upstreams.get("u").status();
        UpstreamGroup.BackendStatus sa = status.get(0);
        assertEquals(a.addr(), sa.address());
        assertEquals("OPEN", sa.breaker());
        assertEquals(1, sa.timesOpened());
        assertTrue(sa.failures() >= 2, "failures " + sa.failures());
        assertEquals(sa.requests(), sa.failures(), "every request to a failed");
        assertEquals(a.requests(), sa.requests());
        assertEquals("CLOSED", status.get(1).breaker());
        assertEquals(0, status.get(1).failures());
    }

    @Test
    void aSuccessfulHalfOpenProbeClosesTheBreaker() {
        start("""
                circuit_break_max_consecutive_failures = 2
                circuit_break_open_duration = "200ms"
                circuit_break_half_open_consecutive_success_threshold = 1
                """);
        a.failing(true);
        Await.until("a's breaker open", () -> {
            get();
            return breakerOf(0).state() == CircuitBreaker.State.OPEN;
        });

        a.failing(false);
        Await.until("a answering again through a half-open probe", () -> get().body().equals("a"));
        Await.until("a's breaker closed", () -> breakerOf(0).state() == CircuitBreaker.State.CLOSED);
    }

    @Test
    void everyBreakerOpenIsAnswered503() {
        start("circuit_break_max_consecutive_failures = 1\ncircuit_break_open_duration = \"1h\"");
        a.failing(true);
        b.failing(true);
        Await.until("both breakers open", () -> {
            get();
            return breakerOf(0).state() == CircuitBreaker.State.OPEN && breakerOf(1).state() == CircuitBreaker.State.OPEN;
        });

        int before = a.requests() + b.requests();
        assertEquals(503, get().status());
        assertEquals(before, a.requests() + b.requests());
    }
}
