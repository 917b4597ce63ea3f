package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Pingap's {@code [basic] upstream_keepalive_pool_size}: idle upstream connections kept per backend per loop. */
class KeepalivePoolSizeTest {

    private static final String SITE = """
            [plugins.ok]
            category = "ping"
            [locations.all]
            path = "/"
            plugins = ["ok"]
            [servers.http]
            addr = "127.0.0.1:%d"
            locations = ["all"]
            """;

    @Test
    void upstreamKeepalivePoolSizeSetsTheEnginesIdleConnectionsPerBackend() {
        try (RunningProxy proxy = RunningProxy.start(port -> "[basic]\nthreads = 1\nupstream_keepalive_pool_size = 7\n"
                + SITE.formatted(port))) {
            assertEquals(7, proxy.server.options().maxIdlePerPeer());
        }
    }

    @Test
    void withoutItTheEnginesDefaultStays() {
        try (RunningProxy proxy = RunningProxy.start(port -> "[basic]\nthreads = 1\n" + SITE.formatted(port))) {
            assertEquals(128, proxy.server.options().maxIdlePerPeer());
        }
    }
}
