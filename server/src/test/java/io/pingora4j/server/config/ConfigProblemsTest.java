package io.pingora4j.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bad configuration is refused with every problem named by file, key and reason. */
class ConfigProblemsTest {

    private static ProxyConfig parse(String toml) throws ConfigException {
        return ConfigLoader.parse(toml, "test.toml");
    }

    private static List<ConfigProblem> problems(String toml) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(toml));
        return e.problems();
    }

    private static ConfigProblem only(String toml) {
        List<ConfigProblem> p = problems(toml);
        assertEquals(1, p.size(), p.toString());
        return p.get(0);
    }

    @Test
    void unknownUpstreamIsNamed() {
        ConfigProblem p = only("""
                [upstreams.real]
                addrs = ["127.0.0.1:1"]
                [locations.api]
                upstream = "x"
                """);
        assertEquals("test.toml", p.file());
        assertEquals("locations.api.upstream", p.key());
        assertEquals("unknown upstream 'x' (defined: real)", p.reason());
    }

    @Test
    void wrongTypeSaysWhatWasExpectedAndWhatCame() {
        ConfigProblem p = only("""
                [locations.api]
                upstream = 5
                """);
        assertEquals("locations.api.upstream", p.key());
        assertEquals("expected a string, got integer 5", p.reason());
    }

    @Test
    void invalidRegexIsReported() {
        ConfigProblem p = only("""
                [locations.api]
                path = "~^/api/(unclosed"
                """);
        assertEquals("locations.api.path", p.key());
        assertTrue(p.reason().startsWith("invalid regex '^/api/(unclosed'"), p.reason());
    }

    @Test
    void listenPortOutOfRange() {
        ConfigProblem p = only("""
                [servers.http]
                addr = "1.2.3.4:99999"
                """);
        assertEquals("servers.http.addr", p.key());
        assertEquals("addr '1.2.3.4:99999': port out of range", p.reason());
    }

    @Test
    void serverListingAnUnknownLocation() {
        ConfigProblem p = only("""
                [locations.api]
                path = "/api"
                [servers.http]
                addr = "0.0.0.0:80"
                locations = ["api", "foo"]
                """);
        assertEquals("servers.http.locations", p.key());
        assertEquals("server 'http' lists unknown location 'foo' (defined: api)", p.reason());
    }

    @Test
    void typoIsAnUnknownKeyWithASuggestion() {
        ConfigProblem p = only("""
                [locations.api]
                upstraem = "x"
                """);
        assertEquals("locations.api.upstraem", p.key());
        assertEquals("unknown key 'upstraem' (did you mean 'upstream'?)", p.reason());
    }

    @Test
    void unknownSectionIsReported() {
        ConfigProblem p = only("[location.api]\npath = \"/\"\n");
        assertEquals("location", p.key());
    }

    @Test
    void syntaxErrorHasLineAndColumn() {
        ConfigProblem p = only("""
                [basic]
                name = "x"
                threads = = 4
                """);
        assertEquals("", p.key());
        assertTrue(p.reason().startsWith("TOML syntax error at line 3, column"), p.reason());
    }

    @Test
    void everyProblemIsCollectedAndListedOnePerLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("""
                [upstreams.u]
                addrs = ["127.0.0.1:0"]
                algorithm = "fastest"
                connection_timeout = 10
                [locations.api]
                upstream = "missing"
                path_type = "glob"
                proxy_set_headers = { X-A = "$nope" }
                [servers.http]
                addr = "0.0.0.0:80"
                locations = ["nope"]
                """));
        List<String> keys = e.problems().stream().map(ConfigProblem::key).toList();
        assertEquals(List.of("upstreams.u.addrs[0]", "upstreams.u.algorithm", "upstreams.u.connection_timeout",
                "locations.api.path_type", "locations.api.proxy_set_headers.X-A", "servers.http.locations",
                "locations.api.upstream"), keys);
        String[] lines = e.getMessage().split("\n");
        assertEquals("7 configuration problems", lines[0]);
        assertEquals(8, lines.length);
        assertTrue(lines[1].startsWith("test.toml: upstreams.u.addrs[0]: "), lines[1]);
        assertTrue(e.problems().get(4).reason().startsWith("unknown variable '$nope'"), e.problems().get(4).reason());
        assertEquals("expected a duration such as \"30s\", got integer 10", e.problems().get(2).reason());
    }

    @Test
    void weightsMustMatchAddrs() {
        ConfigProblem p = only("""
                [upstreams.u]
                addrs = ["a:1", "b:1"]
                weights = [1]
                """);
        assertEquals("upstreams.u.weights", p.key());
        assertEquals("has 1 entries for 2 addrs", p.reason());
    }

    @Test
    void twoServersCannotShareAnAddress() {
        ConfigProblem p = only("""
                [servers.a]
                addr = "0.0.0.0:80"
                [servers.b]
                addr = "0.0.0.0:80"
                """);
        assertEquals("servers.b.addr", p.key());
        assertEquals("addr '0.0.0.0:80' is already used by server 'a'", p.reason());
    }

    @Test
    void unknownPluginIsReportedButBuiltInNamesPass() {
        ConfigProblem p = only("""
                [locations.api]
                plugins = ["pingap:stats", "jwt"]
                """);
        assertEquals("locations.api.plugins[1]", p.key());
        assertEquals("unknown plugin 'jwt' (none is defined)", p.reason());
    }

    @Test
    void pluginNeedsACategory() {
        ConfigProblem p = only("""
                [plugins.x]
                value = 1
                """);
        assertEquals("plugins.x.category", p.key());
    }

    @Test
    void rewriteReferringToAnUnknownGroupIsRefused() {
        ConfigProblem p = only("""
                [locations.api]
                rewrite = "^/api/(.*)$ /$2"
                """);
        assertEquals("locations.api.rewrite", p.key());
        assertTrue(p.reason().contains("'$2'"), p.reason());
    }

    @Test
    void headerInjectionIsRefused() {
        ConfigProblem p = only("""
                [locations.api]
                headers_add = ["X-A: a\\r\\nX-B: b"]
                """);
        assertEquals("locations.api.headers_add[0]", p.key());
    }

    @Test
    void loadReadsAFileAndNamesItInProblems(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pingap.toml");
        Files.writeString(file, SeedExamples.BASIC);
        assertEquals(file.toString(), ConfigLoader.load(file).source());
        Files.writeString(file, "[servers.x]\naddr = 80\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file + ": servers.x.addr: expected a string or an array of strings, got integer 80", e.problems().get(0).toString());
        ConfigException missing = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir.resolve("none.toml")));
        assertTrue(missing.problems().get(0).reason().startsWith("cannot read"));
    }

    @Test
    void loadReadsPingapsDirectoryOfFilesAndNamesTheFileInProblems(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("basic.toml"), "[basic]\nlog_level = \"INFO\"\n");
        Files.writeString(dir.resolve("locations.toml"), """
                [locations.chartsLocation]
                enable_reverse_proxy_headers = true
                path = "/api/charts/"
                plugins = ["pingap:requestId"]
                rewrite = "^/api/charts/ /"
                upstream = "chartsUpstream"
                """);
        Files.writeString(dir.resolve("servers.toml"), """
                [servers.gateway]
                addr = "127.0.0.1:6188"
                locations = ["chartsLocation"]
                """);
        Files.writeString(dir.resolve("upstreams.toml"), """
                [upstreams.chartsUpstream]
                addrs = ["127.0.0.1:5000"]
                """);
        Files.writeString(dir.resolve("notes.txt"), "not toml");
        ProxyConfig c = ConfigLoader.load(dir);
        assertEquals("/charts/a", c.location("chartsLocation").rewrite().apply("/api/charts/charts/a", null));
        assertEquals(List.of("chartsLocation"), c.server("gateway").locations());

        Files.writeString(dir.resolve("upstreams.toml"), "[upstreams.chartsUpstream]\naddrs = [\"127.0.0.1:0\"]\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir));
        assertEquals(dir.resolve("upstreams.toml").toString(), e.problems().get(0).file());
        assertEquals("upstreams.chartsUpstream.addrs[0]", e.problems().get(0).key());

        Files.writeString(dir.resolve("upstreams.toml"), "[upstreams.chartsUpstream]\naddrs = [\n");
        ConfigException syntax = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir));
        assertEquals(dir.resolve("upstreams.toml").toString(), syntax.problems().get(0).file());
        assertTrue(syntax.problems().get(0).reason().startsWith("TOML syntax error at line"));
    }

    @Test
    void aPathThePlatformRefusesIsAProblemNotACrash() {
        ConfigProblem p = only("[basic]\nplugins_dir = \"a\\u0000b\"\n");
        assertEquals("basic.plugins_dir", p.key());
        assertTrue(p.reason().contains("is not a valid path"), p.reason());
    }
}
