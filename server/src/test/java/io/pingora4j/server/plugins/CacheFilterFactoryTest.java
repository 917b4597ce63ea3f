package io.pingora4j.server.plugins;

import static io.pingora4j.server.plugins.Tables.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.spi.PluginConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheFilterFactoryTest {

    private static PluginConfigException refused(Map<String, Object> keys) {
        Map<String, Object> all = new HashMap<>(keys);
        all.put("category", "cache");
        return assertThrows(PluginConfigException.class, () -> new CacheFilterFactory().create(config("pageCache", kv(all))));
    }

    private static Object[] kv(Map<String, Object> m) {
        return m.entrySet().stream().flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue())).toArray();
    }

    @Test
    void pingapsKeysAreAccepted() {
        Map<String, Object> keys = new HashMap<>();
        keys.put("category", "cache");
        keys.put("directory", "");
        keys.put("max_ttl", "1h");
        keys.put("max_file_size", "1mb");
        keys.put("lock", "3s");
        keys.put("headers", List.of("Accept-Encoding"));
        keys.put("purge_ip_list", List.of("127.0.0.1", "10.0.0.0/8", "::1"));
        keys.put("check_cache_control", true);
        keys.put("skip", "^/api/");
        assertNotNull(new CacheFilterFactory().create(config("pageCache", kv(keys))));
    }

    @Test
    void aRelativeDirectoryIsRefused() {
        PluginConfigException e = refused(Map.of("directory", "cache/p"));
        assertEquals("plugins.pageCache.directory: must be an absolute path (or start with ~), got \"cache/p\"",
                e.getMessage());
    }

    @Test
    void pingapsFileCacheParametersAreRefusedNamingThem() {
        PluginConfigException e = refused(Map.of("directory", "/var/cache/p?inactive=1h&reading_max=1000"));
        assertEquals("directory", e.key());
        assertTrue(e.getMessage().contains("inactive, reading_max"), e.getMessage());
    }

    @Test
    void aDirectoryThatIsAFileIsRefused(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("f"), "x");
        PluginConfigException e = refused(Map.of("directory", file.toString()));
        assertEquals("directory", e.key());
        assertTrue(e.getMessage().contains("is not a folder"), e.getMessage());
    }

    @Test
    void aNamespaceThatIsNotAPlainNameIsRefusedWithADirectory(@TempDir Path tmp) {
        assertEquals("namespace", refused(Map.of("directory", tmp.toString(), "namespace", "../up")).key());
    }

    @Test
    void aMemoryUrlIsTheMemoryStore() {
        assertNotNull(new CacheFilterFactory().create(config("pageCache", "category", "cache", "directory", "memory://pingap")));
        assertEquals("directory", refused(Map.of("directory", "memory://pingap?max_size=20")).key());
    }

    @Test
    void aPurgeListEntryThatIsNotAnAddressNamesTheEntry() {
        PluginConfigException e = refused(Map.of("purge_ip_list", List.of("127.0.0.1", "localhost")));
        assertEquals("purge_ip_list", e.key());
        assertTrue(e.getMessage().contains("localhost"), e.getMessage());
    }

    @Test
    void aBadSkipRegexIsRefused() {
        assertEquals("skip", refused(Map.of("skip", "([")).key());
    }

    @Test
    void aBadSizeIsRefused() {
        assertEquals("max_file_size", refused(Map.of("max_file_size", "big")).key());
        assertEquals("max_size", refused(Map.of("max_size", 0L)).key());
    }

    @Test
    void aBadLockDurationIsRefused() {
        assertEquals("lock", refused(Map.of("lock", "soon")).key());
    }

    @Test
    void aKeyHeaderThatIsNotAFieldNameIsRefused() {
        assertEquals("headers", refused(Map.of("headers", List.of("Accept Language"))).key());
    }
}
