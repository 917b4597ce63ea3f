package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.config.ConfigException;
import io.pingora4j.server.config.ConfigLoader;
import io.pingora4j.server.config.ProxyConfig;
import io.pingora4j.tls.TestPki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code enabled_h2} through the real server: HTTP/2 by ALPN on TLS, its limits as keys. */
class H2EndToEndTest {

    @TempDir
    Path dir;

    private final TestPki ca = TestPki.create("h2 test ca");
    private TestOrigin origin;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        origin = TestOrigin.start("origin");
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        origin.close();
    }

    private RunningProxy tlsServer(boolean h2) throws Exception {
        Path[] cert = ca.issue("localhost", "127.0.0.1").write(dir, "site");
        RunningProxy p = RunningProxy.start(port -> """
                [upstreams.backend]
                addrs = ["%s"]

                [locations.all]
                path = "/"
                upstream = "backend"

                [servers.https]
                addr = "127.0.0.1:%d"
                locations = ["all"]
                tls_cert = "%s"
                tls_key = "%s"
                enabled_h2 = %s
                h2_max_concurrent_streams = 64
                """.formatted(origin.addr(), port, cert[0], cert[1], h2));
        closeables.add(p);
        return p;
    }

    private HttpResponse<String> get(RunningProxy p) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                .sslContext(ca.trustingContext()).connectTimeout(Duration.ofSeconds(10)).build();
        return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + p.server.port() + "/x"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void enabledH2ServesHttp2ByAlpnOnTls() throws Exception {
        RunningProxy p = tlsServer(true);
        HttpResponse<String> r = get(p);
        assertEquals(200, r.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
        assertEquals("origin", r.body());
        assertEquals(1, p.server.stats().h2Connections());
    }

    @Test
    void withoutEnabledH2TheSameClientGetsHttp11() throws Exception {
        RunningProxy p = tlsServer(false);
        HttpResponse<String> r = get(p);
        assertEquals(200, r.statusCode());
        assertEquals(HttpClient.Version.HTTP_1_1, r.version());
        assertEquals(0, p.server.stats().h2Connections());
    }

    private static ConfigException refused(String serverKeys) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
                [locations.all]
                path = "/"
                [servers.s]
                addr = "127.0.0.1:1"
                locations = ["all"]
                enabled_h2 = true
                %s
                """.formatted(serverKeys), "h2.toml"));
    }

    @Test
    void h2LimitsOutOfRangeAreRefusedNamingTheKey() {
        assertEquals("h2.toml: servers.s.h2_max_frame_size: must be in 16384..16777215 bytes, got 1000",
                refused("h2_max_frame_size = 1000").problems().get(0).toString());
        assertEquals("h2.toml: servers.s.h2_max_concurrent_streams: must be in 1..100000, got 0",
                refused("h2_max_concurrent_streams = 0").problems().get(0).toString());
        assertTrue(refused("h2_reset_window = \"soon\"").problems().get(0).toString()
                .startsWith("h2.toml: servers.s.h2_reset_window: "));
    }

    @Test
    void h2KeysBecomeTheCodecsLimits() throws Exception {
        ProxyConfig c = ConfigLoader.parse("""
                [locations.all]
                path = "/"
                [servers.s]
                addr = "127.0.0.1:1"
                locations = ["all"]
                enabled_h2 = true
                h2_max_concurrent_streams = 256
                h2_initial_window_size = "64kib"
                h2_max_resets = 50
                h2_reset_window = "10s"
                """, "h2.toml");
        var limits = c.servers().get("s").h2Limits();
        assertEquals(256, limits.maxConcurrentStreams());
        assertEquals(65_536, limits.initialStreamWindow());
        assertEquals(50, limits.maxResetsPerWindow());
        assertEquals(Duration.ofSeconds(10).toNanos(), limits.resetWindowNanos());
        assertTrue(c.servers().get("s").enabledH2());
    }
}
