package io.pingora4j.server.plugins;

import static io.pingora4j.server.plugins.Tables.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The third-party plugin of examples/plugin-example, loaded the way a server loads a jar dropped
 * into its plugins folder. Maven copies the jar to target/test-plugins (server/pom.xml); it is on
 * no class path, so only PluginLoader can find it. A missing jar fails, never skips.
 */
class ExamplePluginJarTest {

    private static PluginRegistry registry;

    static Path pluginsDir() {
        return Path.of(System.getProperty("basedir", "."), "target", "test-plugins");
    }

    @BeforeAll
    static void load() {
        Path jar = pluginsDir().resolve("example-plugin.jar");
        assertTrue(Files.isRegularFile(jar), "the example plugin jar is missing at " + jar.toAbsolutePath()
                + ": build through Maven from the repository root (mvn verify), which packages"
                + " examples/plugin-example and copies its jar there in process-test-resources");
        registry = PluginLoader.load(pluginsDir());
    }

    @AfterAll
    static void close() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void theJarIsFoundWithoutProblems() {
        assertTrue(registry.problems().isEmpty(), registry.problems().toString());
        assertNotNull(registry.factory("header_stamp"), registry.categories().toString());
        assertTrue(registry.source("header_stamp").contains("example-plugin.jar"), registry.source("header_stamp"));
        assertTrue(registry.factory("header_stamp").getClass().getClassLoader() != PluginLoader.class.getClassLoader());
    }

    @Test
    void itRefusesADeniedUserAgentWith403() {
        HttpFilter f = registry.create("stamp", table("category", "header_stamp", "value", "edge-1",
                "deny_user_agents", List.of("BadBot")));
        FakeSession s = FakeSession.parse("GET /api HTTP/1.1\nHost: a\nUser-Agent: Mozilla/5.0 (compatible; badbot/2.1)\n");

        assertSame(Action.RESPONDED, f.requestFilter(s));
        assertEquals(403, s.response().status());
    }

    @Test
    void itLetsOtherClientsThroughAndStampsTheResponse() {
        HttpFilter f = registry.create("stamp", table("category", "header_stamp", "header", "X-Edge",
                "value", "edge-1", "deny_user_agents", List.of("BadBot")));
        FakeSession s = FakeSession.parse("GET /api HTTP/1.1\nHost: a\nUser-Agent: curl/8.5\n");

        assertSame(Action.CONTINUE, f.requestFilter(s));
        assertFalse(s.responseStarted());

        ResponseHead r = new ResponseHead();
        f.responseFilter(s, r);
        assertEquals("edge-1", r.headers().get("X-Edge"));
    }

    @Test
    void itsConfigErrorsNameThePluginAndKey() {
        PluginConfigException e = assertThrows(PluginConfigException.class,
                () -> registry.create("stamp", table("category", "header_stamp")));
        assertEquals("plugins.stamp.value: is required", e.getMessage());
    }
}
