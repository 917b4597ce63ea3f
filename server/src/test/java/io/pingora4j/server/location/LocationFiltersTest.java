package io.pingora4j.server.location;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.server.config.ConfigLoader;
import io.pingora4j.server.config.LocationConfig;
import io.pingora4j.server.config.ProxyConfig;
import io.pingora4j.server.config.SeedExamples;
import io.pingora4j.server.route.RouteMatch;
import io.pingora4j.server.route.Router;
import io.pingora4j.spi.Action;
import io.pingora4j.server.plugins.FakeSession;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.ProxyError;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocationFiltersTest {

    private static LocationConfig location(String toml, String name) throws Exception {
        return ConfigLoader.parse(toml, "test.toml").location(name);
    }

    private static List<HttpFilter> filters(String toml) throws Exception {
        return LocationFilters.forLocation(location(toml, "l"));
    }

    /** Runs the request phases a proxy runs before sending upstream. */
    /** A request from 192.0.2.7:51000 to our listener at 10.0.0.1:8080. */
    private static FakeSession session(String head) {
        return FakeSession.parse(head).client("192.0.2.7", 51000).server("10.0.0.1", 8080);
    }

    private static void beforeUpstream(List<HttpFilter> filters, FakeSession s) {
        for (HttpFilter f : filters) {
            f.earlyRequestFilter(s);
        }
        for (HttpFilter f : filters) {
            assertSame(Action.CONTINUE, f.requestFilter(s));
        }
        for (HttpFilter f : filters) {
            f.upstreamRequestFilter(s, s.request());
        }
    }

    private static List<String> all(HeaderBlock h, String name) {
        List<String> out = new ArrayList<>();
        for (int i = h.indexOf(name, 0); i >= 0; i = h.indexOf(name, i + 1)) {
            out.add(h.value(i));
        }
        return out;
    }

    // ------------------------------------------------------------------ rewrite

    @Test
    void seedRewriteReplacesThePrefixAndKeepsTheQuery() throws Exception {
        ProxyConfig c = ConfigLoader.parse(SeedExamples.BASIC, "seed");
        List<HttpFilter> f = LocationFilters.forLocation(c.location("api"));
        assertEquals(1, f.size());
        assertInstanceOf(RewriteFilter.class, f.get(0));
        FakeSession s = session("GET /api/users?x=1 HTTP/1.1\nHost: example.com");
        beforeUpstream(f, s);
        assertEquals("/users?x=1", s.request().target());
        assertEquals("/api/users?x=1", s.attribute(TemplateEvaluator.ORIGINAL_TARGET_ATTRIBUTE));
        FakeSession root = session("GET /api HTTP/1.1\nHost: example.com");
        beforeUpstream(f, root);
        assertEquals("/", root.request().target());
    }

    @Test
    void pingapRewriteWithNamedGroup() throws Exception {
        List<HttpFilter> f = filters("""
                [locations.l]
                rewrite = "^/api/(?<rest>.+)$ /v2/${rest}"
                """);
        FakeSession s = session("GET /api/orders/9?expand=1 HTTP/1.1\nHost: h");
        beforeUpstream(f, s);
        assertEquals("/v2/orders/9?expand=1", s.request().target());
    }

    @Test
    void rewriteThatDoesNotApplyLeavesTheTargetAlone() throws Exception {
        List<HttpFilter> f = filters("""
                [locations.l]
                rewrite = "^/api/(.+)$ /$1"
                """);
        FakeSession s = session("GET /other?q HTTP/1.1\nHost: h");
        beforeUpstream(f, s);
        assertEquals("/other?q", s.request().target());
        assertNull(s.attribute(TemplateEvaluator.ORIGINAL_TARGET_ATTRIBUTE));
    }

    @Test
    void rewriteUsesTheRoutesCaptures() throws Exception {
        String toml = """
                [locations.l]
                host = "~^(?<tenant>[a-z]+)\\\\.example\\\\.com$"
                rewrite = "^/(.*)$ /$tenant/$1"
                [servers.s]
                addr = "127.0.0.1:1"
                locations = ["l"]
                """;
        ProxyConfig c = ConfigLoader.parse(toml, "t");
        RouteMatch m = new RouteMatch();
        assertTrue(Router.forServer(c, "s").match("acme.example.com", "/orders", m));
        FakeSession s = session("GET /orders HTTP/1.1\nHost: acme.example.com");
        s.setAttribute(Router.CAPTURES_ATTRIBUTE, m.capturesAsMap());
        beforeUpstream(LocationFilters.forLocation(c.location("l")), s);
        assertEquals("/acme/orders", s.request().target());
    }

    // ------------------------------------------------------------------ upstream request headers

    @Test
    void seedProxySetHeadersReplaceOnTheUpstreamRequest() throws Exception {
        LocationConfig l = ConfigLoader.parse(SeedExamples.HEADER_MANIPULATION + SeedExamples.BACKEND_UPSTREAM, "seed")
                .location("api");
        List<HttpFilter> f = LocationFilters.forLocation(l);
        assertEquals(2, f.size());
        FakeSession s = session("GET /api/x HTTP/1.1\nHost: public.example.com\nX-Real-IP: 6.6.6.6");
        beforeUpstream(f, s);
        HeaderBlock h = s.request().headers();
        assertEquals(List.of("internal.backend.local"), all(h, "Host"));
        assertEquals(List.of("192.0.2.7"), all(h, "X-Real-IP"), "a client cannot spoof it: set replaces");
    }

    @Test
    void templatesReadTheSessionAndTheRequest() throws Exception {
        List<HttpFilter> f = filters("""
                [locations.l]
                rewrite = "^/old/(.*)$ /new/$1"
                proxy_set_headers = [
                  "X-Host: $host",
                  "X-Uri: $uri",
                  "X-Request-Uri: $request_uri",
                  "X-Args: $args",
                  "X-Id: id-$http_x_request_id",
                  "X-Server: $server_addr:$server_port",
                  "X-Client: $remote_addr:$remote_port",
                  "X-Scheme: $scheme",
                  "X-Method: $request_method",
                ]
                """);
        FakeSession s = session("POST /old/a?b=1 HTTP/1.1\nHost: WWW.Example.com:8443\nX-Request-Id: r1\nContent-Length: 0")
                .scheme("https");
        beforeUpstream(f, s);
        HeaderBlock h = s.request().headers();
        assertEquals("www.example.com", h.get("X-Host"));
        assertEquals("/new/a", h.get("X-Uri"));
        assertEquals("/old/a?b=1", h.get("X-Request-Uri"));
        assertEquals("b=1", h.get("X-Args"));
        assertEquals("id-r1", h.get("X-Id"));
        assertEquals("10.0.0.1:8080", h.get("X-Server"));
        assertEquals("192.0.2.7:51000", h.get("X-Client"));
        assertEquals("https", h.get("X-Scheme"));
        assertEquals("POST", h.get("X-Method"));
    }

    @Test
    void variablesReadTheClientsRequestEvenAfterAnEarlierSet() throws Exception {
        List<HttpFilter> f = filters("""
                [locations.l]
                proxy_set_headers = ["Host: internal.local", "X-Original-Host: $host"]
                """);
        FakeSession s = session("GET / HTTP/1.1\nHost: public.example.com");
        beforeUpstream(f, s);
        assertEquals("internal.local", s.request().headers().get("Host"));
        assertEquals("public.example.com", s.request().headers().get("X-Original-Host"));
    }

    @Test
    void addAppendsAndAnEmptyValueIsNotSent() throws Exception {
        List<HttpFilter> f = filters("""
                [locations.l]
                proxy_add_headers = ["X-Via: a", "X-Opt: $http_x_missing"]
                proxy_set_headers = { X-Gone = "$http_x_missing" }
                """);
        FakeSession s = session("GET / HTTP/1.1\nHost: h\nX-Via: z\nX-Gone: old");
        beforeUpstream(f, s);
        HeaderBlock h = s.request().headers();
        assertEquals(List.of("z", "a"), all(h, "X-Via"));
        assertFalse(h.contains("X-Opt"));
        assertFalse(h.contains("X-Gone"), "set to an empty value removes the header");
    }

    @Test
    void reverseProxyHeadersExtendForwardedFor() throws Exception {
        List<HttpFilter> f = filters("""
                [locations.l]
                enable_reverse_proxy_headers = true
                """);
        FakeSession s = session("GET / HTTP/1.1\nHost: shop.example:8080\nX-Forwarded-For: 1.1.1.1\nX-Forwarded-For: 2.2.2.2");
        beforeUpstream(f, s);
        HeaderBlock h = s.request().headers();
        assertEquals(List.of("1.1.1.1, 2.2.2.2, 192.0.2.7"), all(h, "X-Forwarded-For"));
        assertEquals("192.0.2.7", h.get("X-Real-IP"));
        assertEquals("http", h.get("X-Forwarded-Proto"));
        assertEquals("shop.example", h.get("X-Forwarded-Host"));
        assertEquals("8080", h.get("X-Forwarded-Port"));
    }

    // ------------------------------------------------------------------ response headers

    @Test
    void seedResponseHeadersAreRemovedSetAndAdded() throws Exception {
        LocationConfig l = ConfigLoader.parse(SeedExamples.HEADER_MANIPULATION + SeedExamples.BACKEND_UPSTREAM, "seed")
                .location("api");
        FakeSession s = session("GET /api HTTP/1.1\nHost: h");
        ResponseHead response = new ResponseHead();
        response.headers().add("Server", "nginx");
        response.headers().add("X-Powered-By", "PHP");
        response.headers().add("X-Frame-Options", "SAMEORIGIN");
        response.headers().add("Content-Type", "text/html");
        for (HttpFilter f : LocationFilters.forLocation(l)) {
            f.responseFilter(s, response);
        }
        HeaderBlock h = response.headers();
        assertFalse(h.contains("Server"));
        assertFalse(h.contains("X-Powered-By"));
        assertEquals(List.of("DENY"), all(h, "X-Frame-Options"));
        assertEquals("nosniff", h.get("X-Content-Type-Options"));
        assertEquals("https", h.get("X-Forwarded-Proto"));
        assertEquals("value", h.get("X-Custom-Header"));
        assertEquals("text/html", h.get("Content-Type"));
    }

    // ------------------------------------------------------------------ client_max_body_size

    @Test
    void contentLengthOverTheLimitIs413() throws Exception {
        List<HttpFilter> f = filters("""
                [locations.l]
                client_max_body_size = 10
                """);
        ProxyError e = assertThrows(ProxyError.class,
                () -> f.get(0).requestFilter(session("POST / HTTP/1.1\nHost: h\nContent-Length: 11")));
        assertEquals(413, e.status());
        assertSame(Action.CONTINUE, f.get(0).requestFilter(session("POST / HTTP/1.1\nHost: h\nContent-Length: 10")));
        assertSame(Action.CONTINUE, f.get(0).requestFilter(session("GET / HTTP/1.1\nHost: h")));
    }

    @Test
    void chunkedBodyIsCountedAndFailsWhenItGoesOver() throws Exception {
        HttpFilter f = filters("""
                [locations.l]
                client_max_body_size = "1k"
                """).get(0);
        FakeSession s = session("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked");
        assertSame(Action.CONTINUE, f.requestFilter(s));
        ByteBuffer chunk = ByteBuffer.allocate(600);
        assertSame(chunk, f.requestBodyFilter(s, chunk, false));
        ProxyError e = assertThrows(ProxyError.class, () -> f.requestBodyFilter(s, ByteBuffer.allocate(401), true));
        assertEquals(413, e.status());
        FakeSession exact = session("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked");
        f.requestBodyFilter(exact, ByteBuffer.allocate(1000), true);
    }

    @Test
    void aLocationWithoutRulesHasNoFilters() throws Exception {
        assertTrue(filters("[locations.l]\npath = \"/\"\n").isEmpty());
    }
}
