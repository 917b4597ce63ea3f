package io.pingora4j.server;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every test of {@link CacheRevalidationEndToEndTest} again, with the cache in a folder
 * ({@code directory}): a stale copy on disk revalidates, and serves stale, as one in memory does.
 */
class CacheRevalidationOnDiskEndToEndTest extends CacheRevalidationEndToEndTest {

    @TempDir
    Path folder;

    @Override
    String storeKeys() {
        return "directory = \"" + folder + "\"";
    }
}
