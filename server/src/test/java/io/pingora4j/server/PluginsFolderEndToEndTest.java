package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third-party plugin dropped into the plugins folder and configured by category, seen through a
 * real request: the example plugin's jar (examples/plugin-example, copied by the build to
 * target/test-plugins) in a temporary plugins_dir, {@code [plugins.stamp] category = "header_stamp"}.
 * A missing jar fails, never skips.
 */
class PluginsFolderEndToEndTest {

    @TempDir
    Path tmp;

    private TestOrigin origin;
    private RunningProxy proxy;

    @BeforeEach
    void start() throws IOException {
        Path jar = Path.of(System.getProperty("basedir", "."), "target", "test-plugins", "example-plugin.jar");
        assertTrue(Files.isRegularFile(jar), "the example plugin jar is missing at " + jar.toAbsolutePath()
                + ": build through Maven (mvn -pl server -am install), which packages examples/plugin-example"
                + " and copies its jar there in process-test-resources");
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        Files.copy(jar, plugins.resolve("example-plugin.jar"));
        origin = TestOrigin.start("a");
        proxy = RunningProxy.start(port -> """
                [basic]
                threads = 1
                plugins_dir = "%1$s"

                [upstreams.backend]
                addrs = ["%2$s"]

                [plugins.stamp]
                category = "header_stamp"
                header = "X-Stamped-By"
                value = "edge-1"
                deny_user_agents = ["BadBot", "sqlmap"]

                [locations.api]
                path = "/api"
                upstream = "backend"
                plugins = ["stamp"]

                [servers.http]
                addr = "127.0.0.1:%3$d"
                locations = ["api"]
                """.formatted(plugins, origin.addr(), port), plugins);
    }

    @AfterEach
    void stop() {
        try {
            if (proxy != null) {
                proxy.close();
            }
        } finally {
            if (origin != null) {
                origin.close();
            }
        }
    }

    @Test
    void theJarsPluginStampsAProxiedResponse() throws IOException {
        WireClient.Response r = WireClient.exchange(proxy.port(), "GET /api/x HTTP/1.1", "Host: localhost",
                "User-Agent: curl/8.5");

        assertEquals(200, r.status());
        assertEquals("a", r.body());
        assertEquals("edge-1", r.header("X-Stamped-By"));
    }

    @Test
    void theJarsPluginAnswers403ToADeniedUserAgentWithoutReachingTheOrigin() throws IOException {
        WireClient.Response r = WireClient.exchange(proxy.port(), "GET /api/x HTTP/1.1", "Host: localhost",
                "User-Agent: Mozilla/5.0 (compatible; BadBot/2.1)");

        assertEquals(403, r.status());
        assertEquals("edge-1", r.header("X-Stamped-By"));
        assertTrue(origin.seen().isEmpty());
    }
}
