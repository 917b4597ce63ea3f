package io.pingora4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PluginConfigTest {

    private final PluginConfig cfg = new PluginConfig("mymock", Map.of(
            "category", "mock", "status", 201L, "path", "/x", "on", true, "ttl", "1m30s",
            "tags", List.of("a", "b"), "bad", List.of("a", 1L), "big", 1L << 40));

    @Test
    void typedGettersReadTomlValues() {
        assertEquals("mock", cfg.category());
        assertEquals(201, cfg.integer("status"));
        assertEquals(true, cfg.bool("on", false));
        assertEquals(Duration.ofSeconds(90), cfg.duration("ttl", null));
        assertEquals(List.of("a", "b"), cfg.stringList("tags"));
        assertEquals(List.of("/x"), cfg.stringList("path"));
    }

    @Test
    void missingRequiredKeyNamesPluginAndKey() {
        PluginConfigException e = assertThrows(PluginConfigException.class, () -> cfg.string("body"));
        assertEquals("plugins.mymock.body: is required", e.getMessage());
        assertEquals("body", e.key());
    }

    @Test
    void wrongTypeSaysWhatWasExpectedAndWhatWasFound() {
        PluginConfigException e = assertThrows(PluginConfigException.class, () -> cfg.integer("path"));
        assertEquals("plugins.mymock.path: expected an integer, got string \"/x\"", e.getMessage());
    }

    @Test
    void badListElementIsNamedByIndex() {
        PluginConfigException e = assertThrows(PluginConfigException.class, () -> cfg.stringList("bad"));
        assertEquals("plugins.mymock.bad[1]: expected a string, got long 1", e.getMessage());
    }

    @Test
    void integerOutOfRangeIsRefused() {
        assertThrows(PluginConfigException.class, () -> cfg.integer("big"));
    }

    @Test
    void durationsParse() {
        assertEquals(Duration.ofMillis(500), PluginConfig.parseDuration("500ms"));
        assertEquals(Duration.ofHours(2), PluginConfig.parseDuration("2h"));
        assertEquals(Duration.ofDays(1), PluginConfig.parseDuration("1d"));
        // one grammar with the server's keys (HumanDuration, as Pingap's humantime): a space may
        // stand between a number and its unit
        assertEquals(Duration.ofSeconds(3), PluginConfig.parseDuration("3 s"));
        assertNull(PluginConfig.parseDuration("abc"));
        assertNull(PluginConfig.parseDuration(""));
    }

    @Test
    void sizesTakeBytesOrUnits() {
        PluginConfig c = new PluginConfig("p", Map.of("a", 1024L, "b", "512k", "c", "1mib", "d", "lots", "e", -1L));
        assertEquals(1024, c.size("a", 0));
        assertEquals(512_000, c.size("b", 0));
        assertEquals(1 << 20, c.size("c", 0));
        assertEquals(7, c.size("absent", 7));
        assertEquals("plugins.p.d: 'lots' is not a size (e.g. 1048576, \"512k\", \"1m\", \"1mib\")",
                assertThrows(PluginConfigException.class, () -> c.size("d", 0)).getMessage());
        assertEquals("plugins.p.e: must not be negative, got -1",
                assertThrows(PluginConfigException.class, () -> c.size("e", 0)).getMessage());
    }

    @Test
    void badDurationNamesTheKey() {
        PluginConfig c = new PluginConfig("p", Map.of("ttl", "soon"));
        PluginConfigException e = assertThrows(PluginConfigException.class, () -> c.duration("ttl", null));
        assertEquals("plugins.p.ttl: 'soon' is not a duration (e.g. \"500ms\", \"3s\", \"1m\", \"2h\")", e.getMessage());
    }

    @Test
    void theKeysNoGetterAskedForAreReportedUnread() {
        PluginConfig c = new PluginConfig("p", new java.util.LinkedHashMap<>(Map.of("category", "mock")));
        PluginConfig d = new PluginConfig("p", Map.of("category", "x", "status", 200L, "stpe", "request", "ttl", "1s"));
        d.integer("status");
        d.duration("ttl", null);
        d.has("absent");

        assertEquals(List.of(), c.unreadKeys(), "category is the server's, never reported");
        assertEquals(List.of("stpe"), d.unreadKeys());
    }
}
