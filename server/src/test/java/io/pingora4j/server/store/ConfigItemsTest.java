package io.pingora4j.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pingora4j.server.config.ConfigException;
import io.pingora4j.server.config.ConfigLoader;
import io.pingora4j.server.config.ProxyConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A configuration split into one item per key (Pingap's etcd layout) loads back to the same thing. */
class ConfigItemsTest {

    private static final String TOML = """
            [basic]
            name = "edge"
            grace_period = "3s"

            [upstreams.backend]
            addrs = ["127.0.0.1:9000", "127.0.0.1:9001"]

            [plugins."per ip"]
            category = "limit"
            max = 10
            weight = 0.5

            [locations.api]
            path = "/api"
            upstream = "backend"
            plugins = ["per ip"]

            [locations.api.proxy_set_headers]
            X-A = "\\"quoted\\""
            "X.B" = "b"

            [servers.http]
            addr = "127.0.0.1:8080"
            locations = ["api"]
            """;

    @Test
    void eachItemGetsItsOwnKeyInPingapsLayout() {
        assertEquals(List.of("basic.toml", "upstreams/backend.toml", "plugins/per ip.toml", "locations/api.toml",
                "servers/http.toml"), new ArrayList<>(ConfigItems.split(TOML).keySet()));
    }

    @Test
    void theItemsLoadBackToTheSameConfiguration() throws ConfigException {
        ProxyConfig whole = ConfigLoader.parse(TOML, "whole.toml");
        List<ConfigLoader.Document> docs = new ArrayList<>();
        for (Map.Entry<String, String> e : ConfigItems.split(TOML).entrySet()) {
            docs.add(new ConfigLoader.Document(e.getKey(), e.getValue()));
        }
        ProxyConfig items = ConfigLoader.loadDocuments("items", docs);
        assertEquals(whole.basic().name(), items.basic().name());
        assertEquals(whole.basic().gracePeriod(), items.basic().gracePeriod());
        assertEquals(whole.upstreams(), items.upstreams());
        assertEquals(whole.locations(), items.locations());
        assertEquals(whole.servers(), items.servers());
        assertEquals(whole.plugins(), items.plugins());
    }
}
