package io.pingora4j.server.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.config.ConfigLoader;
import io.pingora4j.server.config.HostPattern;
import io.pingora4j.server.config.LocationConfig;
import io.pingora4j.server.config.PathMatch;
import io.pingora4j.server.config.ProxyConfig;
import io.pingora4j.server.config.SeedExamples;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RouterTest {

    /** A router over locations written as TOML tables, listed in the server in file order. */
    private static Router router(String locationsToml, String... order) throws Exception {
        String toml = locationsToml + "\n[servers.s]\naddr = \"127.0.0.1:8080\"\nlocations = ["
                + String.join(", ", java.util.Arrays.stream(order).map(n -> "\"" + n + "\"").toList()) + "]\n";
        return Router.forServer(ConfigLoader.parse(toml, "test.toml"), "s");
    }

    private static String name(Router r, String host, String target) {
        Route route = r.match(host, target);
        return route == null ? null : route.name();
    }

    // ------------------------------------------------------------------ the seed's routing rules

    @Test
    void seedRoutingRules() throws Exception {
        Router r = router(SeedExamples.ROUTING_RULES + SeedExamples.BACKEND_UPSTREAM,
                "exact", "prefix", "regex", "host_routing");
        assertEquals("exact", name(r, "www.example.com", "/api/v1/users"));
        assertEquals("exact", name(r, "www.example.com", "/api/v1/users?page=2"));
        assertEquals("regex", name(r, "www.example.com", "/api/v1/users/7"), "not exact any more: the regex (75)");
        assertEquals("regex", name(r, "www.example.com", "/api/v22/orders"));
        assertEquals("prefix", name(r, "www.example.com", "/static/app.css"));
        assertEquals("prefix", name(r, "www.example.com", "/static"));
        assertNull(name(r, "www.example.com", "/api/latest/"), "v[0-9]+ does not match 'latest'");
        assertEquals("host_routing", name(r, "api.example.com", "/anything"));
        assertEquals("host_routing", name(r, "API.Example.com:8443", "/anything"), "host is case-insensitive, port ignored");
        // Pingap's computed weight for host_routing is 128 (host) > the explicit priorities 100, 75, 50
        assertEquals("host_routing", name(r, "api.example.com", "/api/v1/users"));
        assertNull(name(r, null, "/nothing"));
    }

    // ------------------------------------------------------------------ Pingap's ordering

    @Test
    void pingapWeightOrdersExactOverPrefixOverRegex() throws Exception {
        Router r = router("""
                [locations.regex]
                path = "~^/api"
                [locations.short]
                path = "/api"
                [locations.long]
                path = "/api/users"
                [locations.exact]
                path = "=/api/users"
                [locations.root]
                path = "/"
                """, "regex", "short", "long", "exact", "root");
        assertEquals("exact", name(r, "h", "/api/users"));
        assertEquals("long", name(r, "h", "/api/users/1"));
        assertEquals("short", name(r, "h", "/api/orders"));
        assertEquals("short", name(r, "h", "/apixyz"), "Pingap's prefix is a plain starts_with");
        assertEquals("root", name(r, "h", "/other"));
        assertEquals("root", name(r, "h", "/"));
    }

    @Test
    void hostAddsWeightOverTheSamePath() throws Exception {
        Router r = router("""
                [locations.any]
                path = "/api"
                [locations.hosted]
                host = "a.com"
                path = "/api"
                """, "any", "hosted");
        assertEquals("hosted", name(r, "a.com", "/api"));
        assertEquals("any", name(r, "b.com", "/api"));
    }

    @Test
    void explicitPriorityOverridesTheComputedWeight() throws Exception {
        Router r = router("""
                [locations.exact]
                path = "=/api/users"
                [locations.catchall]
                path = "/"
                priority = 5000
                """, "exact", "catchall");
        assertEquals("catchall", name(r, "h", "/api/users"));
    }

    @Test
    void priorityTiesGoToTheLocationListedFirst() throws Exception {
        String toml = """
                [locations.a]
                path = "/x"
                priority = 10
                [locations.b]
                path = "/"
                priority = 10
                """;
        assertEquals("a", name(router(toml, "a", "b"), "h", "/x/1"));
        assertEquals("b", name(router(toml, "b", "a"), "h", "/x/1"));
    }

    // ------------------------------------------------------------------ hosts

    @Test
    void exactHostBeatsWildcardBeatsRegexBeatsNoHostAtEqualWeight() throws Exception {
        String toml = """
                [locations.none]
                path = "/"
                priority = 1
                [locations.regex]
                host = "~example"
                path = "/"
                priority = 1
                [locations.wild]
                host = "*.example.com"
                path = "/"
                priority = 1
                [locations.exact]
                host = "www.example.com"
                path = "/"
                priority = 1
                """;
        Router r = router(toml, "none", "regex", "wild", "exact");
        assertEquals("exact", name(r, "www.example.com", "/"));
        assertEquals("wild", name(r, "api.example.com", "/"));
        assertEquals("regex", name(r, "example.org", "/"));
        assertEquals("none", name(r, "other.org", "/"));
    }

    @Test
    void wildcardMatchesAnyDepthButNotTheApexAndTheLongerSuffixWins() throws Exception {
        Router r = router("""
                [locations.wide]
                host = "*.example.com"
                [locations.narrow]
                host = "*.eu.example.com"
                """, "wide", "narrow");
        assertEquals("wide", name(r, "a.example.com", "/"));
        assertEquals("narrow", name(r, "a.eu.example.com", "/"));
        assertEquals("narrow", name(r, "x.y.eu.example.com", "/"));
        assertEquals("wide", name(r, "eu.example.com", "/"));
        assertNull(name(r, "example.com", "/"));
    }

    @Test
    void severalCommaSeparatedHosts() throws Exception {
        Router r = router("""
                [locations.multi]
                host = "a.com, *.b.com,~^c\\\\d\\\\.org$"
                path = "/"
                """, "multi");
        assertEquals("multi", name(r, "a.com", "/"));
        assertEquals("multi", name(r, "x.b.com", "/"));
        assertEquals("multi", name(r, "c7.org", "/"));
        assertNull(name(r, "d.com", "/"));
        assertNull(name(r, null, "/"), "a location with hosts needs a host");
    }

    @Test
    void ipv6HostAndTrailingDot() throws Exception {
        Router r = router("""
                [locations.v6]
                host = "[::1]"
                [locations.named]
                host = "example.com"
                """, "v6", "named");
        assertEquals("v6", name(r, "[::1]:8080", "/"));
        assertEquals("named", name(r, "example.com.", "/"));
    }

    // ------------------------------------------------------------------ captures

    @Test
    void regexCapturesFromHostAndPath() throws Exception {
        Router r = router("""
                [locations.lo]
                host = "~(?<name>.+)\\\\.npmtrend\\\\.com"
                path = "~/(?<route>.+)/(.*)"
                """, "lo");
        RouteMatch m = new RouteMatch();
        assertTrue(r.match("charts.npmtrend.com", "/users/123?x=1", m));
        assertEquals("lo", m.route().name());
        assertEquals("charts", m.get("name"));
        assertEquals("users", m.get("route"));
        assertEquals("users", m.get("1"));
        assertEquals("123", m.get("2"), "the query is not part of the path");
        assertEquals(Map.of("1", "users", "2", "123", "route", "users", "name", "charts"), m.capturesAsMap());
    }

    @Test
    void aReusedResultIsCleared() throws Exception {
        Router r = router("""
                [locations.re]
                path = "~^/u/(?<id>\\\\d+)$"
                [locations.rest]
                path = "/"
                """, "re", "rest");
        RouteMatch m = new RouteMatch();
        assertTrue(r.match("h", "/u/42", m));
        assertEquals("42", m.get("id"));
        assertTrue(r.match("h", "/v", m));
        assertEquals("rest", m.route().name());
        assertEquals(0, m.captureCount());
        assertSame(Map.of(), m.capturesAsMap());
        Router empty = Router.of(List.of());
        assertFalse(empty.match("h", "/", m));
        assertNull(m.route());
    }

    // ------------------------------------------------------------------ scale and equivalence

    @Test
    void aThousandHostAndPrefixLocationsStillPickTheRightOne() {
        List<LocationConfig> locations = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            locations.add(location("l" + i, i % 2 == 0 ? List.of("h" + (i % 50) + ".example.com") : List.of(),
                    PathMatch.parsePingap("/svc" + i), null));
        }
        Router r = Router.of(locations);
        assertEquals("l998", r.match("h48.example.com", "/svc998/x").name());
        assertEquals("l999", r.match("anything", "/svc999").name());
        assertEquals("l10", r.match("h10.example.com", "/svc10/").name());
        assertEquals("l100", r.match("h0.example.com", "/svc100/").name(), "the longer prefix (more weight) wins");
        assertEquals("l1", r.match("h11.example.com", "/svc12").name(), "l12 wants host h12; /svc1 (any host) is next");
        assertNull(r.match("h11.example.com", "/nope"));
    }

    /**
     * The indexed router against the definition: sort every (location, matching host) pair by
     * weight, host specificity and list order, take the first whose path matches.
     */
    @Test
    void indexedMatchingEqualsTheLinearDefinition() {
        Random random = new Random(42);
        String[] hosts = {"a.com", "b.a.com", "c.b.a.com", "x.org", "A.COM"};
        String[] hostSpecs = {"a.com", "*.a.com", "*.b.a.com", "x.org", "~^[bc]\\.", "~org$"};
        String[] paths = {"/", "/a", "/a/b", "/a/bc", "/b", "/a/b/c", "/ab"};
        String[] pathSpecs = {"", "/", "/a", "/a/b", "=/a", "=/a/b", "~^/a/", "~b$", "/ab", "~c"};
        for (int round = 0; round < 300; round++) {
            List<LocationConfig> locations = new ArrayList<>();
            int n = 1 + random.nextInt(8);
            for (int i = 0; i < n; i++) {
                List<String> hs = new ArrayList<>();
                int hostCount = random.nextInt(3);
                for (int k = 0; k < hostCount; k++) {
                    hs.add(hostSpecs[random.nextInt(hostSpecs.length)]);
                }
                Integer priority = random.nextInt(4) == 0 ? random.nextInt(3) * 300 : null;
                locations.add(location("l" + i, hs, PathMatch.parsePingap(pathSpecs[random.nextInt(pathSpecs.length)]),
                        priority));
            }
            Router router = Router.of(locations);
            RouteMatch m = new RouteMatch();
            for (String host : hosts) {
                for (String path : paths) {
                    String expected = linear(locations, host, path);
                    router.match(host, path, m);
                    assertEquals(expected, m.route() == null ? null : m.route().name(),
                            "round " + round + " " + host + path + " " + locations.stream()
                                    .map(l -> l.name() + l.hosts() + l.path() + "/" + l.weight()).toList());
                }
            }
        }
    }

    private static String linear(List<LocationConfig> locations, String host, String path) {
        String bestName = null;
        long bestKey = Long.MIN_VALUE;
        for (int i = 0; i < locations.size(); i++) {
            LocationConfig l = locations.get(i);
            if (!l.path().matches(path)) {
                continue;
            }
            int spec = -1;
            if (l.hosts().isEmpty()) {
                spec = 0;
            }
            String h = host.toLowerCase();
            for (HostPattern p : l.hosts()) {
                int s = switch (p.kind()) {
                    case EXACT -> p.value().equals(h) ? 1_000_000 : -1;
                    case WILDCARD -> h.endsWith(p.value()) ? p.value().length() : -1;
                    case REGEX -> p.pattern().matcher(host).find() ? 1 : -1;
                };
                spec = Math.max(spec, s);
            }
            if (spec < 0) {
                continue;
            }
            long key = ((long) l.weight() << 40) + ((long) spec << 12) + (4095 - i);
            if (key > bestKey) {
                bestKey = key;
                bestName = l.name();
            }
        }
        return bestName;
    }

    private static LocationConfig location(String name, List<String> hosts, PathMatch path, Integer priority) {
        List<HostPattern> hs = hosts.stream().map(HostPattern::parse).toList();
        int weight = priority != null ? priority : LocationConfig.pingapWeight(path, !hs.isEmpty());
        return new LocationConfig(name, null, hs, path, weight, priority != null, null, List.of(), List.of(), false,
                List.of(), List.of(), List.of(), 0, List.of(), null, null, 0, false, Map.of());
    }

    @Test
    void routerFromALoadedConfigKeepsTheServersOrder() throws Exception {
        ProxyConfig c = ConfigLoader.parse(SeedExamples.BASIC, "seed");
        Router r = Router.forServer(c, "http");
        assertEquals(1, r.routes().size());
        assertEquals(0, r.routes().get(0).index());
        assertEquals("api", r.match("localhost", "/api/users?x=1").name());
        assertNull(r.match("localhost", "/other"));
    }
}
