package io.pingora4j.server.plugins.trafficsplitting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.PluginServer;
import io.pingora4j.server.RawHttp;
import io.pingora4j.server.RecordingOrigin;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code traffic_splitting} through the real server: a location on upstream v1 whose splitter sends
 * the selected requests to upstream v2, each upstream a recording origin.
 */
class TrafficSplittingEndToEndTest {

    @TempDir
    Path tmp;
    private RecordingOrigin v1;
    private RecordingOrigin v2;
    private PluginServer proxy;

    @BeforeEach
    void origins() throws IOException {
        v1 = RecordingOrigin.start();
        v2 = RecordingOrigin.start();
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        v1.close();
        v2.close();
    }

    private static String config(String v1Addr, String v2Addr, int port, String splitter) {
        return """
                [upstreams.app-v1]
                addrs = ["%s"]

                [upstreams.app-v2]
                addrs = ["%s"]

                [plugins.canary]
                category = "traffic_splitting"
                %s

                [locations.app]
                upstream = "app-v1"
                path = "/"
                plugins = ["canary"]

                [servers.http]
                addr = "127.0.0.1:%d"
                locations = ["app"]
                """.formatted(v1Addr, v2Addr, splitter, port);
    }

    private void start(String splitter) {
        proxy = PluginServer.start(port -> config(v1.addr(), v2.addr(), port, splitter));
    }

    @Test
    void weight100SendsEveryRequestToTheOtherUpstream() throws IOException {
        start("upstream = \"app-v2\"\nweight = 100");

        for (int i = 0; i < 5; i++) {
            assertEquals(200, RawHttp.get(proxy.port(), "/r" + i).status());
        }

        assertEquals(5, v2.seen().size());
        assertTrue(v1.seen().isEmpty());
    }

    @Test
    void weight0LeavesEveryRequestOnTheLocationsUpstream() throws IOException {
        start("upstream = \"app-v2\"\nweight = 0");

        for (int i = 0; i < 5; i++) {
            assertEquals(200, RawHttp.get(proxy.port(), "/r" + i).status());
        }

        assertEquals(5, v1.seen().size());
        assertTrue(v2.seen().isEmpty());
    }

    @Test
    void aMatchingStickyHeaderGoesToTheOtherUpstreamAndTheRestStay() throws IOException {
        start("""
                upstream = "app-v2"
                weight = 100
                stickiness = true
                sticky_header = "X-User-Group"
                matcher = "^(beta|internal)$"
                """);

        RawHttp.get(proxy.port(), "/beta", "X-User-Group: beta");
        RawHttp.get(proxy.port(), "/public", "X-User-Group: public");
        RawHttp.get(proxy.port(), "/none");

        assertEquals(1, v2.seen().size());
        assertEquals("/beta", v2.last().uri());
        assertEquals(2, v1.seen().size());
    }

    @Test
    void aRandomSplitSendsSomeRequestsEachWay() throws IOException {
        start("upstream = \"app-v2\"\nweight = 50");

        for (int i = 0; i < 60; i++) {
            assertEquals(200, RawHttp.get(proxy.port(), "/r" + i).status());
        }

        // 60 fair coin tosses all landing one way: about 1e-18
        assertEquals(60, v1.seen().size() + v2.seen().size());
        assertTrue(!v1.seen().isEmpty() && !v2.seen().isEmpty(), v1.seen().size() + " / " + v2.seen().size());
    }

    @Test
    void aSplitUpstreamThatCannotBeReachedIsAnswered502() throws IOException {
        proxy = PluginServer.start(port -> config(v1.addr(), "127.0.0.1:1", port, "upstream = \"app-v2\"\nweight = 100"));

        RawHttp.Response r = RawHttp.get(proxy.port(), "/");

        assertEquals(502, r.status());
        assertTrue(v1.seen().isEmpty());
    }

    @Test
    void checkRefusesAnUnknownUpstream() {
        PluginServer.Check c = PluginServer.check(tmp, config("127.0.0.1:1", "127.0.0.1:2", 1,
                "upstream = \"app-v3\"\nweight = 10"));

        assertEquals(1, c.code());
        assertTrue(c.err().contains("plugins.canary.upstream: unknown upstream 'app-v3' (defined: app-v1, app-v2)"), c.err());
    }

    @Test
    void checkRefusesAWeightAbove100() {
        PluginServer.Check c = PluginServer.check(tmp, config("127.0.0.1:1", "127.0.0.1:2", 1,
                "upstream = \"app-v2\"\nweight = 101"));

        assertEquals(1, c.code());
        assertTrue(c.err().contains("plugins.canary.weight: must be 0-100 (percent), got 101"), c.err());
    }
}
