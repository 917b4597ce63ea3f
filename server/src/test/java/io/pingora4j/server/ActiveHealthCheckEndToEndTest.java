package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An upstream's {@code health_check} (the seed's basic example has one) at work: a backend whose
 * check fails leaves the rotation. Checks run every second and one failure marks a backend down,
 * so the deadline of 5 s leaves room for several rounds.
 */
class ActiveHealthCheckEndToEndTest {

    private TestOrigin a;
    private TestOrigin b;
    private RunningProxy proxy;

    @BeforeEach
    void start() throws IOException {
        a = TestOrigin.start("a");
        b = TestOrigin.start("b");
        proxy = RunningProxy.start(port -> """
                [basic]
                threads = 1

                [upstreams.checked]
                addrs = ["%s", "%s"]
                algorithm = "round_robin"
                health_check = "http://checked/health?check_frequency=1s&failure=1&success=1"

                [locations.all]
                path = "/"
                upstream = "checked"

                [servers.http]
                addr = "127.0.0.1:%d"
                locations = ["all"]
                """.formatted(a.addr(), b.addr(), port));
    }

    @AfterEach
    void stop() {
        try {
            proxy.close();
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void aBackendFailingItsHealthCheckStopsGettingRequests() {
        a.failHealthChecks();

        Deque<String> lastFour = new ArrayDeque<>();
        Await.until("only b answering 4 requests in a row once a fails its checks (the health_check of an"
                + " upstream is parsed but no active checker runs)", Duration.ofSeconds(5), () -> {
            lastFour.addLast(who());
            if (lastFour.size() > 4) {
                lastFour.removeFirst();
            }
            return lastFour.size() == 4 && lastFour.stream().allMatch("b"::equals);
        });
    }

    @Test
    void healthyBackendsBothKeepGettingRequests() {
        // the control: with passing checks round robin still alternates
        String first = who();
        String second = who();
        assertNotEquals(first, second);
    }

    private String who() {
        try {
            WireClient.Response r = WireClient.exchange(proxy.port(), "GET /x HTTP/1.1", "Host: localhost");
            assertEquals(200, r.status());
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
