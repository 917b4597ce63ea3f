package io.pingora4j.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The keys of HTTP/2 upstreams and gRPC-web: alpn, modules, grpc_web. */
class GrpcKeysTest {

    private static ProxyConfig parse(String toml) throws ConfigException {
        return ConfigLoader.parse(toml, "test.toml");
    }

    @Test
    void h2AndH2h1AreAppliedWithoutAWarning() throws ConfigException {
        ProxyConfig c = parse("""
                [upstreams.a]
                addrs = ["127.0.0.1:9000"]
                alpn = "h2"

                [upstreams.b]
                addrs = ["127.0.0.1:9001"]
                alpn = "h2h1"
                sni = "b.example"
                """);
        assertEquals("h2", c.upstreams().get("a").alpn());
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void h2h1OnAPlainUpstreamIsWarned() throws ConfigException {
        ProxyConfig c = parse("""
                [upstreams.a]
                addrs = ["127.0.0.1:9000"]
                alpn = "h2h1"
                """);
        assertEquals(1, c.warnings().size(), c.warnings().toString());
        assertEquals("upstreams.a.alpn", c.warnings().get(0).key());
        assertTrue(c.warnings().get(0).reason().contains("HTTP/1.1 is used"), c.warnings().toString());
    }

    @Test
    void anUnknownAlpnIsRefusedWithTheChoices() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("""
                [upstreams.a]
                addrs = ["127.0.0.1:9000"]
                alpn = "h3"
                """));
        assertTrue(e.getMessage().contains("upstreams.a.alpn: expected one of h1, h2, h2h1"), e.getMessage());
    }

    @Test
    void theGrpcWebModuleAndLocationSwitchLoadWithoutAWarning() throws ConfigException {
        ProxyConfig c = parse("""
                [locations.g]
                grpc_web = true

                [servers.s]
                addr = "127.0.0.1:6188"
                locations = ["g"]
                modules = ["grpc-web"]
                """);
        assertTrue(c.servers().get("s").grpcWeb());
        assertTrue(c.locations().get("g").grpcWeb());
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void anUnknownModuleIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("""
                [servers.s]
                addr = "127.0.0.1:6188"
                modules = ["grpc-web", "brotli"]
                """));
        assertTrue(e.getMessage().contains("servers.s.modules: unknown module \"brotli\" (known: grpc-web)"), e.getMessage());
    }
}
