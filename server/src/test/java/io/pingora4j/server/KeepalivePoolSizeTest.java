package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Pingap's {@code [basic] upstream_keepalive_pool_size}: idle upstream connections kept per backend per loop. */
class KeepalivePoolSizeTest {

    @Test
    void upstreamKeepalivePoolSizeSetsTheEnginesIdleConnectionsPerBackend() {
        try (RunningProxy proxy = RunningProxy.start(port -> "[basic]\nthreads = 1\nupstream_keepalive_pool_size = 7\n"
                + PingSite.toml("http", "127.0.0.1:" + port, ""))) {
            assertEquals(7, proxy.server.options().maxIdlePerPeer());
        }
    }

    @Test
    void withoutItTheEnginesDefaultStays() {
        try (RunningProxy proxy = RunningProxy.start(port -> "[basic]\nthreads = 1\n" + PingSite.toml("http", "127.0.0.1:" + port, ""))) {
            assertEquals(128, proxy.server.options().maxIdlePerPeer());
        }
    }
}
