package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line, in process through {@link Main#run}: exit codes and what is printed. Serving
 * is not exercised here: once started, Main's server can only be stopped by a signal whose
 * handler calls System.exit, which would end the test JVM; {@link InteropSmokeTest} runs the
 * binary as a process for that, and the other end-to-end tests serve through
 * {@link ServerRuntime} directly.
 */
class MainCommandLineTest {

    @TempDir
    Path tmp;

    /** What one run printed, and its exit code. */
    record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, o, e);
        }
        assertNotEquals(Main.RUNNING, code, "the test started a server it cannot stop: " + String.join(" ", args));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path file(String name, String toml) throws IOException {
        return Files.writeString(tmp.resolve(name), toml);
    }

    @Test
    void helpPrintsTheUsageAndExits0() {
        Run r = run("--help");

        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("usage: pingora4j"), r.out());
    }

    @Test
    void versionPrintsTheVersionAndExits0() {
        Run r = run("--version");

        assertEquals(0, r.code());
        assertTrue(r.out().matches("pingora4j \\S+\\R"), r.out());
    }

    @Test
    void checkingTheBundledConfigurationExits0() {
        Path conf = Path.of(System.getProperty("basedir", "."), "..", "conf", "pingora4j.toml").normalize();
        assertTrue(Files.isRegularFile(conf), "bundled configuration not found at " + conf.toAbsolutePath());

        Run r = run("-t", "-c", conf.toString());

        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("test is successful"), r.out());
    }

    @Test
    void checkingTheGrpcExampleConfigurationExits0WithoutAWarning() {
        Path conf = Path.of(System.getProperty("basedir", "."), "..", "conf", "grpc.toml").normalize();
        assertTrue(Files.isRegularFile(conf), "the README's gRPC example not found at " + conf.toAbsolutePath());

        Run r = run("-t", "-c", conf.toString());

        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("test is successful"), r.out());
        assertTrue(!r.out().contains("warning") && !r.err().contains("warning"), r.out() + r.err());
    }

    @Test
    void checkingAnUnknownUpstreamExits1NamingFileKeyAndReason() throws IOException {
        Path f = file("unknown-upstream.toml", "[locations.api]\nupstream = \"nope\"\npath = \"/api\"\n");

        assertRefused(run("-t", "-c", f.toString()), f, "locations.api.upstream", "unknown upstream 'nope'");
    }

    @Test
    void checkingABadRegexExits1NamingFileKeyAndReason() throws IOException {
        Path f = file("bad-regex.toml", "[locations.api]\npath = \"~^/api/([\"\n");

        assertRefused(run("-t", "-c", f.toString()), f, "locations.api.path", "invalid regex");
    }

    @Test
    void checkingAnUnknownKeyExits1NamingFileKeyAndReason() throws IOException {
        Path f = file("unknown-key.toml", "[upstreams.u]\naddrs = [\"127.0.0.1:1\"]\nadrs = 3\n");

        assertRefused(run("-t", "-c", f.toString()), f, "upstreams.u.adrs", "unknown key 'adrs'");
    }

    @Test
    void checkingABadPluginTableExits1NamingFileKeyAndReason() throws IOException {
        Path f = file("bad-plugin.toml", "[plugins.m]\ncategory = \"mock\"\nstatus = 99\n");

        assertRefused(run("-t", "-c", f.toString()), f, "plugins.m.status", "must be 200-599");
    }

    @Test
    void checkingAnUnknownPluginCategoryExits1NamingFileKeyAndReason() throws IOException {
        Path f = file("unknown-category.toml", "[plugins.x]\ncategory = \"nosuch\"\n");

        assertRefused(run("-t", "-c", f.toString()), f, "plugins.x.category", "unknown category");
    }

    @Test
    void checkingATomlSyntaxErrorExits1NamingFileAndLine() throws IOException {
        Path f = file("syntax.toml", "[basic]\nname = \"x\"\n\n[upstreams.u\naddrs = []\n");

        Run r = run("-t", "-c", f.toString());

        assertEquals(1, r.code());
        assertTrue(r.err().contains(f.toString()) && r.err().contains("TOML syntax error at line 4"), r.err());
    }

    @Test
    void checkingReportsEveryProblemNotOnlyTheFirst() throws IOException {
        Path f = file("two.toml", "[locations.api]\nupstream = \"nope\"\npath = \"/api\"\npth = 1\n");

        Run r = run("-t", "-c", f.toString());

        assertEquals(1, r.code());
        assertTrue(r.err().contains("locations.api.upstream") && r.err().contains("locations.api.pth"), r.err());
    }

    @Test
    void aMissingFileExits1NamingIt() {
        Path f = tmp.resolve("absent.toml");

        Run r = run("-t", "-c", f.toString());

        assertEquals(1, r.code());
        assertTrue(r.err().contains(f.toString()) && r.err().contains("no such file"), r.err());
    }

    @Test
    void anUnknownArgumentExits2WithTheUsage() {
        Run r = run("--frobnicate");

        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown argument '--frobnicate'") && r.err().contains("usage:"), r.err());
    }

    @Test
    void dashCWithoutAFileExits2() {
        Run r = run("-c");

        assertEquals(2, r.code());
        assertTrue(r.err().contains("needs a file"), r.err());
    }

    @Test
    void anAddressAlreadyInUseExits1WithoutServing() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Path f = file("taken.toml", """
                    [basic]
                    threads = 1

                    [plugins.ok]
                    category = "ping"

                    [locations.all]
                    path = "/"
                    plugins = ["ok"]

                    [servers.http]
                    addr = "127.0.0.1:%d"
                    locations = ["all"]
                    """.formatted(taken.getLocalPort()));

            Run r = run("-c", f.toString());

            assertEquals(1, r.code());
            assertTrue(r.err().contains(f.toString()) && r.err().contains("cannot start"), r.err());
            assertRefused(r, f, "servers.http.addr", "cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void checkingPrintsEveryKeyAcceptedButNotAppliedAsAWarning() throws IOException {
        Path f = file("not-applied.toml", "[basic]\nadmin_addr = \"127.0.0.1:3018\"\n"
                + PingSite.toml("http", "127.0.0.1:1", "enable_server_timing = true"));

        Run r = run("-t", "-c", f.toString());

        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warning: " + f + ": basic.admin_addr: accepted for Pingap compatibility but"
                + " not applied"), r.err());
        assertTrue(r.err().contains("warning: " + f + ": servers.http.enable_server_timing: "), r.err());
    }

    @Test
    void checkingPrintsThePluginsFolderResolvedAgainstTheConfigurationsFolder() throws IOException {
        Path f = file("plugins-folder.toml", "[basic]\nplugins_dir = \"my-plugins\"\n");

        Run r = run("-t", "-c", f.toString());

        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("plugins folder " + tmp.resolve("my-plugins") + " (absent)"), r.out());
        assertTrue(r.err().contains("basic.plugins_dir: " + tmp.resolve("my-plugins") + " does not exist"), r.err());
    }

    @Test
    void anUnknownCategoryNamesThePluginsFolderSearched() throws IOException {
        Path f = file("unknown-category-folder.toml", "[plugins.x]\ncategory = \"nosuch\"\n");

        assertRefused(run("-t", "-c", f.toString()), f, "plugins.x.category",
                "the plugins folder " + tmp.resolve("plugins") + " does not exist");
    }

    @Test
    void aPluginKeyItsFactoryDoesNotReadIsWarnedAndTheBuiltInsReadTheirDocumentedKeys() throws IOException {
        Path f = file("plugin-keys.toml", """
                [plugins.m]
                category = "mock"
                status = 503
                headers = ["Retry-After: 60"]
                data = "down"
                path = "/x"
                delay = "1ms"
                [plugins.p]
                category = "ping"
                path = "/healthz"
                [plugins.r]
                category = "request_id"
                algorithm = "nanoid"
                size = 12
                header_name = "X-Trace-Id"
                [plugins.h]
                category = "response_headers"
                add_headers = ["X-A: 1"]
                remove_headers = ["Server"]
                set_headers = ["X-B: 2"]
                set_headers_not_exists = ["X-C: 3"]
                rename_headers = ["X-D: X-E"]
                [plugins.l]
                category = "limit"
                type = "rate"
                tag = "header"
                key = "X-Api-Key"
                max = 10
                interval = "1s"
                weight = 1.0
                stpe = "request"
                [plugins.c]
                category = "cache"
                max_size = "1mb"
                max_ttl = "1h"
                max_file_size = "100kb"
                lock = "1s"
                headers = ["Accept-Encoding"]
                purge_ip_list = ["127.0.0.1"]
                check_cache_control = true
                skip = "^/private"
                namespace = "n"
                directory = ""
                """);

        Run r = run("-t", "-c", f.toString());

        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("warning: " + f + ": plugins.l.stpe: not read by the \"limit\" plugin (a typo, or a"
                + " Pingap key it does not apply)"), r.err().lines().toList());
    }

    private static void assertRefused(Run r, Path file, String key, String reason) {
        assertEquals(1, r.code(), "exit code; stderr: " + r.err());
        String line = r.err().lines().filter(l -> l.contains(key)).findFirst().orElse("");
        assertTrue(line.startsWith(file.toString() + ": " + key + ": ") && line.contains(reason),
                "expected '" + file + ": " + key + ": ..." + reason + "...' in:\n" + r.err());
    }
}
