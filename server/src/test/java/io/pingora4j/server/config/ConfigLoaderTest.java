package io.pingora4j.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.lb.Algorithm;
import io.pingora4j.lb.Backend;
import io.pingora4j.lb.HealthCheckSpec;
import io.pingora4j.spi.PluginConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

    private static ProxyConfig parse(String toml) throws ConfigException {
        return ConfigLoader.parse(toml, "test.toml");
    }

    private static List<ConfigProblem> problems(String toml) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(toml));
        return e.problems();
    }

    // ------------------------------------------------------------------ seed examples

    @Test
    void seedBasicExampleLoads() throws Exception {
        ProxyConfig c = parse(SeedExamples.BASIC);
        assertEquals("pingap-go", c.basic().name());
        assertEquals(4, c.basic().threads());
        assertEquals(Duration.ofSeconds(30), c.basic().gracePeriod());
        UpstreamConfig u = c.upstreams().get("backend_api");
        assertEquals(List.of(Backend.of("127.0.0.1:8001"), Backend.of("127.0.0.1:8002")), u.backends());
        assertEquals(Algorithm.Kind.ROUND_ROBIN, u.algorithm().kind());
        assertEquals(HealthCheckSpec.Scheme.HTTP, u.healthCheck().scheme());
        assertEquals("127.0.0.1", u.healthCheck().host());
        assertEquals(8001, u.healthCheck().port());
        assertEquals("/health", u.healthCheck().path());
        assertEquals(Duration.ofSeconds(10), u.connectionTimeout());
        LocationConfig api = c.locations().get("api");
        assertEquals("backend_api", api.upstream());
        assertEquals(new PathMatch(PathMatch.Kind.PREFIX, "/api", null), api.path());
        assertTrue(api.rewrite().prefixForm());
        assertEquals("/users", api.rewrite().apply("/api/users", RewriteRule.Captures.NONE));
        ServerConfig http = c.servers().get("http");
        assertEquals(List.of(new ListenAddress("0.0.0.0", 80)), http.addrs());
        assertEquals(List.of("api"), http.locations());
    }

    @Test
    void seedLoadBalancingExampleLoads() throws Exception {
        ProxyConfig c = parse(SeedExamples.LOAD_BALANCING);
        assertEquals(Algorithm.Kind.ROUND_ROBIN, c.upstreams().get("rr").algorithm().kind());
        UpstreamConfig wrr = c.upstreams().get("wrr");
        assertEquals(Algorithm.Kind.WEIGHTED_ROUND_ROBIN, wrr.algorithm().kind());
        assertEquals(List.of(3, 1), wrr.backends().stream().map(Backend::weight).toList());
        assertEquals("server1", wrr.backends().get(0).host());
        assertEquals(Algorithm.Kind.LEAST_CONN, c.upstreams().get("lc").algorithm().kind());
        assertEquals(Algorithm.Kind.IP_HASH, c.upstreams().get("iphash").algorithm().kind());
    }

    @Test
    void seedRoutingRulesExampleLoads() throws Exception {
        ProxyConfig c = parse(SeedExamples.ROUTING_RULES + SeedExamples.BACKEND_UPSTREAM);
        assertEquals(PathMatch.Kind.EXACT, c.locations().get("exact").path().kind());
        assertEquals(100, c.locations().get("exact").weight());
        assertEquals(50, c.locations().get("prefix").weight());
        assertEquals(PathMatch.Kind.REGEX, c.locations().get("regex").path().kind());
        assertEquals(75, c.locations().get("regex").weight());
        LocationConfig host = c.locations().get("host_routing");
        assertEquals(List.of(HostPattern.parse("api.example.com")), host.hosts());
        assertEquals(128, host.weight()); // Pingap: host +128, path "/" adds nothing
        assertFalse(host.explicitWeight());
    }

    @Test
    void seedRoutingRulesAloneReportTheUndefinedUpstream() {
        List<ConfigProblem> p = problems(SeedExamples.ROUTING_RULES);
        assertEquals(4, p.size());
        assertEquals("locations.exact.upstream", p.get(0).key());
        assertTrue(p.get(0).reason().startsWith("unknown upstream 'backend'"), p.get(0).reason());
    }

    @Test
    void seedHeaderManipulationExampleLoads() throws Exception {
        ProxyConfig c = parse(SeedExamples.HEADER_MANIPULATION + SeedExamples.BACKEND_UPSTREAM);
        LocationConfig api = c.locations().get("api");
        assertEquals(List.of("X-Forwarded-Proto: https", "X-Custom-Header: value"),
                api.headersAdd().stream().map(HeaderRule::toString).toList());
        assertEquals(List.of("Server", "X-Powered-By"), api.headersRemove());
        assertEquals(Map.of("X-Frame-Options", "DENY", "X-Content-Type-Options", "nosniff"),
                api.headersSet().stream().collect(Collectors.toMap(HeaderRule::name, h -> h.value().source())));
        Map<String, HeaderTemplate> proxy = api.proxySetHeaders().stream()
                .collect(Collectors.toMap(HeaderRule::name, HeaderRule::value));
        assertTrue(proxy.get("Host").constant());
        assertEquals("internal.backend.local", proxy.get("Host").constantValue());
        assertEquals(HeaderTemplate.Variable.REMOTE_ADDR, proxy.get("X-Real-IP").parts().get(0).variable());
    }

    // ------------------------------------------------------------------ Pingap spellings

    @Test
    void pingapSpellingsLoad() throws Exception {
        ProxyConfig c = parse("""
                [basic]
                threads = 0
                log_level = "INFO"
                user = "nobody"

                [upstreams.charts]
                addrs = ["127.0.0.1:5000 10", "127.0.0.1:5001"]
                algo = "hash:ip"
                health_check = "http://charts/ping?connection_timeout=3s&success=2"
                sni = "charts.internal"
                read_timeout = "1m30s"
                remark = "kept"

                [upstreams.weighted]
                addrs = ["10.0.0.1:80 3", "10.0.0.2 1"]

                [locations.charts]
                upstream = "charts"
                host = "charts.example.com, *.charts.example.com , ~^(?P<tenant>[a-z]+)\\\\.example\\\\.org$"
                path = "~^/api/(?<rest>.+)$"
                rewrite = "^/api/(?<rest>.+)$ /$rest"
                weight = 2000
                proxy_set_headers = ["X-Tenant:$tenant_literal", "X-Real-IP: $remote_addr"]
                proxy_add_headers = ["X-Via:pingora4j"]
                enable_reverse_proxy_headers = true
                client_max_body_size = "1m"
                plugins = ["pingap:requestId", "cors"]
                max_retries = 2
                max_retry_window = "5s"

                [locations.exact]
                path = "=/ping"

                [plugins.cors]
                category = "cors"
                allow_origin = "*"
                max_age = 3600
                nested = { a = 1.5, b = [true, "x"] }

                [servers.web]
                addr = "0.0.0.0:6188,[::]:6189"
                locations = ["charts", "exact"]
                access_log = "combined"
                enabled_h2 = false

                [certificates.example]
                domains = "example.com,www.example.com"
                acme = "lets_encrypt"
                """.replace("$tenant_literal", "tenant"));
        assertEquals(Runtime.getRuntime().availableProcessors(), c.basic().threads());
        assertEquals("nobody", c.basic().extras().get("user"));
        UpstreamConfig charts = c.upstreams().get("charts");
        assertEquals(Algorithm.Kind.CONSISTENT_HASH, charts.algorithm().kind());
        assertEquals(10, charts.backends().get(0).weight());
        assertTrue(charts.tls(), "sni set means TLS, as in Pingap");
        assertEquals(Duration.ofSeconds(90), charts.readTimeout());
        assertEquals(2, charts.healthCheck().successThreshold());
        assertEquals(Algorithm.Kind.WEIGHTED_ROUND_ROBIN, c.upstreams().get("weighted").algorithm().kind(),
                "unequal weights without an algorithm: weighted, as Pingora's round robin");
        assertEquals(80, c.upstreams().get("weighted").backends().get(1).port());

        LocationConfig l = c.locations().get("charts");
        assertEquals(3, l.hosts().size());
        assertEquals(HostPattern.Kind.WILDCARD, l.hosts().get(1).kind());
        assertEquals(".charts.example.com", l.hosts().get(1).value());
        assertEquals(HostPattern.Kind.REGEX, l.hosts().get(2).kind());
        assertEquals(PathMatch.Kind.REGEX, l.path().kind());
        assertEquals(2000, l.weight());
        assertEquals(1_000_000, l.clientMaxBodySize());
        assertEquals(List.of("pingap:requestId", "cors"), l.plugins());
        assertTrue(l.enableReverseProxyHeaders());
        assertEquals("X-Real-IP", l.proxySetHeaders().get(1).name());
        assertEquals("X-Via", l.proxyAddHeaders().get(0).name());
        assertEquals(2, l.maxRetries());
        assertEquals(PathMatch.Kind.EXACT, c.locations().get("exact").path().kind());
        assertEquals(1024 + "=/ping".length(), c.locations().get("exact").weight());

        PluginSpec cors = c.plugins().get("cors");
        assertEquals("cors", cors.category());
        assertEquals(3600L, cors.values().get("max_age"));
        assertEquals(Map.of("a", 1.5, "b", List.of(true, "x")), cors.values().get("nested"));
        PluginConfig pc = cors.toPluginConfig();
        assertEquals("*", pc.string("allow_origin"));
        assertEquals(3600, pc.integer("max_age"));

        ServerConfig web = c.servers().get("web");
        assertEquals(List.of(new ListenAddress("0.0.0.0", 6188), new ListenAddress("::", 6189)), web.addrs());
        assertFalse(web.enabledH2());
        assertEquals(List.of("example.com", "www.example.com"), c.certificates().get("example").domains());
    }

    @Test
    void pingapProxyUpstreamExampleLoads() throws Exception {
        // vicanso/pingap examples/proxy-upstream.toml
        ProxyConfig c = parse("""
                [basic]
                cache_directory = "~/tmp/cache"
                log_level = "INFO"

                [locations.charts]
                enable_reverse_proxy_headers = true
                path = "/"
                plugins = ["pingap:acceptEncodingAdjustment", "chartsCache"]
                upstream = "charts"

                [plugins.chartsCache]
                category = "cache"
                headers = ["Accept-Encoding"]
                max_ttl = "1h"
                namespace = "charts"

                [servers.charts]
                addr = "127.0.0.1:3000"
                locations = ["charts"]

                [upstreams.charts]
                addrs = ["127.0.0.1:5000", "127.0.0.1:5001"]
                health_check = "http://charts/ping"
                """);
        assertEquals("cache", c.plugins().get("chartsCache").category());
        assertEquals(List.of("Accept-Encoding"), c.plugins().get("chartsCache").values().get("headers"));
        assertEquals("charts", c.upstreams().get("charts").healthCheck().host());
        assertEquals(0, c.location("charts").weight(), "path \"/\" and no host: Pingap weight 0");
    }

    @Test
    void proxyHeadersAcceptTheSeedTableAndThePingapArray() throws Exception {
        ProxyConfig c = parse("""
                [locations.a]
                proxy_set_headers = { X-A = "1" }
                [locations.b]
                proxy_set_headers = ["X-A: 1"]
                """);
        assertEquals(c.locations().get("a").proxySetHeaders().toString(), c.locations().get("b").proxySetHeaders().toString());
    }

    @Test
    void clientMaxBodySizeTakesBytesAndUnits() throws Exception {
        ProxyConfig c = parse("""
                [locations.a]
                client_max_body_size = 1024
                [locations.b]
                client_max_body_size = "512k"
                [locations.c]
                client_max_body_size = "1mib"
                """);
        assertEquals(1024, c.locations().get("a").clientMaxBodySize());
        assertEquals(512_000, c.locations().get("b").clientMaxBodySize());
        assertEquals(1 << 20, c.locations().get("c").clientMaxBodySize());
    }

    @Test
    void absentBasicGivesDefaults() throws Exception {
        BasicConfig b = parse("").basic();
        assertEquals(Duration.ofSeconds(30), b.gracePeriod());
        assertEquals("plugins", b.pluginsDir());
        assertEquals(Runtime.getRuntime().availableProcessors(), b.threads());
        assertNull(b.accessLog());
    }
}
