package io.pingora4j.server;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every test of {@link CachePluginEndToEndTest} again, with the cache in a folder
 * ({@code directory}): RFC 9111 behaves the same whether bodies live in memory or in files.
 */
class CachePluginOnDiskEndToEndTest extends CachePluginEndToEndTest {

    @TempDir
    Path folder;

    @Override
    String storeKeys() {
        return "directory = \"" + folder + "\"";
    }
}
