package io.pingora4j.server.plugins.directory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.PluginServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** curl fetches static files whole and by range from the directory plugin. */
@Tag("interop")
class DirectoryInteropTest {

    @TempDir
    Path tmp;

    @Test
    void curlGetsAFileWholeAndARangeOfIt() throws Exception {
        Path www = Files.createDirectories(tmp.resolve("www"));
        byte[] blob = new byte[300_000];
        new Random(3).nextBytes(blob);
        Files.write(www.resolve("blob.bin"), blob);
        try (PluginServer proxy = PluginServer.startWith(null, "directory", "path = \"" + www + "\"")) {
            Path whole = tmp.resolve("whole");
            Path part = tmp.resolve("part");
            Path headers = tmp.resolve("headers");

            PluginServer.ToolRun a = PluginServer.runTool(tmp, Duration.ofSeconds(30), "curl", "curl", "-sS", "-f",
                    "-o", whole.toString(), proxy.base() + "/blob.bin");
            PluginServer.ToolRun b = PluginServer.runTool(tmp, Duration.ofSeconds(30), "curl", "curl", "-sS", "-f",
                    "-r", "1000-1999", "-D", headers.toString(), "-o", part.toString(), proxy.base() + "/blob.bin");

            assertEquals(0, a.exit(), a.output());
            assertArrayEquals(blob, Files.readAllBytes(whole));
            assertEquals(0, b.exit(), b.output());
            assertTrue(Files.readString(headers).startsWith("HTTP/1.1 206"), Files.readString(headers));
            assertTrue(Files.readString(headers).contains("bytes 1000-1999/300000"), Files.readString(headers));
            assertArrayEquals(Arrays.copyOfRange(blob, 1000, 2000), Files.readAllBytes(part));
        }
    }
}
