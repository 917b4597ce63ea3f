package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.lb.BackendSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Backends leaving and rejoining the rotation through the real server: active checks (both ways),
 * passive checks from real traffic (down only: without active checks nothing brings a backend back,
 * since no traffic reaches it), and every backend down answered at once with 503. Checks run every
 * 100 ms so the 10 s deadlines leave room for many rounds.
 */
class BackendHealthEndToEndTest {

    private SwitchableOrigin a;
    private SwitchableOrigin b;
    private RunningProxy proxy;

    @AfterEach
    void stop() {
        try {
            if (proxy != null) {
                proxy.close();
            }
        } finally {
            if (a != null) {
                a.close();
            }
            if (b != null) {
                b.close();
            }
        }
    }

    private void start(String addrA, String addrB, String upstreamKeys) {
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
                """.formatted(addrA, addrB, upstreamKeys, port));
    }

    private BackendSet backends() {
        return proxy.runtime.upstreams.get("u").snapshot().set();
    }

    private WireClient.Response get(String path) {
        try {
            return WireClient.exchange(proxy.port(), "GET " + path + " HTTP/1.1", "Host: localhost");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startBoth(String upstreamKeys) throws IOException {
        a = SwitchableOrigin.start("a");
        b = SwitchableOrigin.start("b");
        start(a.addr(), b.addr(), upstreamKeys);
    }

    @Test
    void aBackendFailingItsActiveCheckGetsNoRequests() throws IOException {
        startBoth("health_check = \"http://u/health?check_frequency=100ms&failure=1&success=1\"");
        a.healthy(false);
        Await.until("a marked down by its failing /health", () -> !backends().health(0).isUp());

        int before = a.requests();
        for (int i = 0; i < 6; i++) {
            assertEquals("b", get("/x").body());
        }
        assertEquals(before, a.requests());
    }

    @Test
    void aBackendPassingItsActiveCheckAgainComesBack() throws IOException {
        startBoth("health_check = \"http://u/health?check_frequency=100ms&failure=1&success=1\"");
        a.healthy(false);
        Await.until("a marked down", () -> !backends().health(0).isUp());

        a.healthy(true);
        Await.until("a answering requests again once its check passes", () -> get("/x").body().equals("a"));
        assertTrue(backends().health(0).isUp());
    }

    @Test
    void connectErrorsFromRealTrafficMarkABackendDownWithoutActiveChecks() throws IOException {
        b = SwitchableOrigin.start("b");
        start("127.0.0.1:" + FreePort.pick(), b.addr(), "passive_failures = 2");
        // each request to the dead backend is retried on b, so the client never sees the failure
        Await.until("the dead backend marked down by connect errors", () -> {
            assertEquals("b", get("/x").body());
            return !backends().health(0).isUp();
        });

        long tries = backends().stats(0).requests();
        for (int i = 0; i < 6; i++) {
            assertEquals("b", get("/x").body());
        }
        assertEquals(tries, backends().stats(0).requests(), "a down backend is not tried");
    }

    @Test
    void serverErrorsFromRealTrafficMarkABackendDown() throws IOException {
        startBoth("passive_failures = 3");
        a.failing(true);
        Await.until("a marked down by its 500s", () -> {
            get("/x");
            return !backends().health(0).isUp();
        });
        int before = a.requests();
        for (int i = 0; i < 6; i++) {
            assertEquals("b", get("/x").body());
        }
        assertEquals(before, a.requests());
    }

    @Test
    void aStatusLeftOutOfBackendFailureStatusCodeIsNotAPassiveFailure() throws IOException {
        startBoth("passive_failures = 1\nbackend_failure_status_code = \"502,503\"");
        a.failing(true); // 500: not in the list
        for (int i = 0; i < 6; i++) {
            get("/x");
        }
        assertTrue(backends().health(0).isUp());
        assertTrue(a.requests() >= 3, "a kept its share of requests");
    }

    @Test
    void aPassivelyDownBackendStaysDownWithoutActiveChecks() throws IOException {
        // documented: only active checks bring a backend back, because traffic no longer reaches it
        startBoth("passive_failures = 1");
        a.failing(true);
        Await.until("a marked down by a 500", () -> {
            get("/x");
            return !backends().health(0).isUp();
        });

        a.failing(false);
        int before = a.requests();
        for (int i = 0; i < 10; i++) {
            assertEquals("b", get("/x").body());
        }
        assertEquals(before, a.requests());
        assertFalse(backends().health(0).isUp());
    }

    @Test
    void aPassivelyDownBackendIsBroughtBackByItsActiveCheck() throws IOException {
        startBoth("passive_failures = 1\nhealth_check = \"http://u/health?check_frequency=100ms&failure=1&success=1\"");
        a.failing(true);
        a.healthy(false); // a real outage fails both; the passive signal usually comes first
        Await.until("a marked down", () -> {
            get("/x");
            return !backends().health(0).isUp();
        });

        a.failing(false);
        a.healthy(true);
        Await.until("a answering again once its check passes", () -> get("/x").body().equals("a"));
    }

    @Test
    void everyBackendDownIsAnswered503AtOnce() {
        start("127.0.0.1:" + FreePort.pick(), "127.0.0.1:" + FreePort.pick(),
                "health_check = \"tcp://u?check_frequency=100ms&failure=1\"");
        Await.until("both dead backends marked down",
                () -> !backends().health(0).isUp() && !backends().health(1).isUp());

        WireClient.Response r = get("/x");
        assertEquals(503, r.status());
        assertEquals(0, backends().stats(0).requests() + backends().stats(1).requests(), "nothing was tried");
    }
}
