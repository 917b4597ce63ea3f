package io.pingora4j.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ValueParsingTest {

    private static final PathMatch API_PREFIX = new PathMatch(PathMatch.Kind.PREFIX, "/api", null);

    @Test
    void seedShortRewriteReplacesTheMatchedPrefix() {
        RewriteRule r = RewriteRule.compile("/", API_PREFIX, List.of());
        assertTrue(r.prefixForm());
        assertEquals("/users", r.apply("/api/users", RewriteRule.Captures.NONE));
        assertEquals("/", r.apply("/api", RewriteRule.Captures.NONE));
        assertEquals("/", r.apply("/api/", RewriteRule.Captures.NONE));
        assertNull(r.apply("/other", RewriteRule.Captures.NONE));
        assertEquals("/v2/users", RewriteRule.compile("/v2", API_PREFIX, List.of()).apply("/api/users", null));
    }

    @Test
    void pingapRewriteSupportsNumberedAndNamedReferences() {
        RewriteRule named = RewriteRule.compile("^/api/(?<rest>.+)$ /$rest", API_PREFIX, List.of());
        assertEquals("/a/b", named.apply("/api/a/b", null));
        assertEquals("/x/a", RewriteRule.compile("^/api/(?<rest>.+)$ /x/${rest}", API_PREFIX, List.of()).apply("/api/a", null));
        assertEquals("/a-v1", RewriteRule.compile("^/api/(.+)/(v\\d)$ /$1-$2", API_PREFIX, List.of()).apply("/api/a/v1", null));
        assertEquals("/$cash", RewriteRule.compile("^/api/(.+)$ /$$$1", API_PREFIX, List.of()).apply("/api/cash", null));
    }

    @Test
    void pingapRewriteReplacesOnlyTheFirstMatchAndKeepsTheRest() {
        // Pingap's own test: "^/users/(?<upstream>.*?)/(.*)$ /$2" turns /users/rest/me into /me
        RewriteRule r = RewriteRule.compile("^/users/(?<upstream>.*?)/(.*)$ /$2", PathMatch.ANY, List.of());
        assertEquals("/me", r.apply("/users/rest/me", null));
        assertNull(r.apply("/api/me", null));
        assertEquals("/v2/x/y", RewriteRule.compile("^/v1 /v2", PathMatch.ANY, List.of()).apply("/v1/x/y", null));
    }

    @Test
    void rustNamedGroupSpellingIsAccepted() {
        RewriteRule r = RewriteRule.compile("^/api/(?P<rest>.+)$ /$rest", PathMatch.ANY, List.of());
        assertEquals("/q", r.apply("/api/q", null));
    }

    @Test
    void singleTokenWithDollarUsesRouteCaptures() {
        RewriteRule r = RewriteRule.compile("/tenants/$tenant", PathMatch.ANY, List.of("tenant"));
        assertEquals("/tenants/acme", r.apply("/anything", name -> name.equals("tenant") ? "acme" : null));
    }

    @Test
    void singleRegexTokenRemovesItsMatch() {
        assertEquals("/users", RewriteRule.compile("^/api", PathMatch.ANY, List.of()).apply("/api/users", null));
    }

    @Test
    void rewriteErrorsAreExplained() {
        assertThrows(IllegalArgumentException.class, () -> RewriteRule.compile("^/(a /b", PathMatch.ANY, List.of()));
        assertThrows(IllegalArgumentException.class, () -> RewriteRule.compile("^/a /$name", PathMatch.ANY, List.of()));
        assertThrows(IllegalArgumentException.class, () -> RewriteRule.compile("a b c", PathMatch.ANY, List.of()));
    }

    @Test
    void templatesCompileIntoLiteralAndVariableParts() {
        HeaderTemplate t = HeaderTemplate.compile("for=$remote_addr;host=${host}:$server_port $$ $http_x_request_id$");
        List<HeaderTemplate.Part> p = t.parts();
        assertEquals("for=", p.get(0).text());
        assertEquals(HeaderTemplate.Variable.REMOTE_ADDR, p.get(1).variable());
        assertEquals(HeaderTemplate.Variable.HOST, p.get(3).variable());
        assertEquals(HeaderTemplate.Variable.SERVER_PORT, p.get(5).variable());
        assertEquals(" $ ", p.get(6).text());
        assertEquals(HeaderTemplate.Variable.HTTP_HEADER, p.get(7).variable());
        assertEquals("x-request-id", p.get(7).text());
        assertEquals("$", p.get(8).text());
        assertFalse(t.constant());
        assertTrue(HeaderTemplate.compile("plain").constant());
        assertEquals(HeaderTemplate.Variable.HOSTNAME, HeaderTemplate.compile("$hostname").parts().get(0).variable());
    }

    @Test
    void unknownTemplateVariableIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HeaderTemplate.compile("$remote_ip"));
        assertTrue(e.getMessage().startsWith("unknown variable '$remote_ip'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HeaderTemplate.compile("${host"));
    }

    @Test
    void hostPatterns() {
        assertEquals(new HostPattern(HostPattern.Kind.EXACT, "api.example.com", null), HostPattern.parse(" API.example.com "));
        assertEquals(HostPattern.Kind.WILDCARD, HostPattern.parse("*.example.com").kind());
        assertThrows(IllegalArgumentException.class, () -> HostPattern.parse("a.*.com"));
        assertThrows(IllegalArgumentException.class, () -> HostPattern.parse("~(x"));
    }

    @Test
    void pingapPathNotation() {
        assertEquals(PathMatch.Kind.EXACT, PathMatch.parsePingap("= /a").kind());
        assertEquals("/a", PathMatch.parsePingap("= /a").value());
        assertEquals(PathMatch.Kind.REGEX, PathMatch.parsePingap("~^/a").kind());
        assertEquals(PathMatch.Kind.PREFIX, PathMatch.parsePingap("/a").kind());
        assertEquals(PathMatch.ANY, PathMatch.parsePingap(""));
        assertTrue(PathMatch.parsePingap("~/users").matches("/api/users"), "Pingap's regex is a search, not anchored");
    }

    @Test
    void pingapWeights() {
        // pingap-config LocationConf::get_weight
        assertEquals(1024 + 5, LocationConfig.pingapWeight(PathMatch.parsePingap("=/api"), false));
        assertEquals(512 + 4, LocationConfig.pingapWeight(PathMatch.parsePingap("/api"), false));
        assertEquals(256 + 5, LocationConfig.pingapWeight(PathMatch.parsePingap("~/api"), false));
        assertEquals(0, LocationConfig.pingapWeight(PathMatch.parsePingap("/"), false));
        assertEquals(128, LocationConfig.pingapWeight(PathMatch.ANY, true));
        assertEquals(512 + 64 + 128, LocationConfig.pingapWeight(PathMatch.parsePingap("/" + "a".repeat(100)), true));
    }

    @Test
    void listenAddresses() {
        assertEquals(new ListenAddress("::", 443), ListenAddress.parse("[::]:443"));
        assertEquals("addr '1.2.3.4': missing port (expected host:port)",
                assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse("1.2.3.4")).getMessage());
        assertEquals("addr 'x:0': port out of range",
                assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse("x:0")).getMessage());
    }
}
