package io.pingora4j.server.plugins.compression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.PluginServer;
import io.pingora4j.server.RecordingOrigin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * curl decodes what the compression plugin sends: {@code curl --compressed} with each coding
 * asked for alone (Debian's curl 7.88 has gzip, brotli and zstd), the decoded body compared byte
 * for byte with the origin's.
 */
@Tag("interop")
class CompressionInteropTest {

    @TempDir
    Path tmp;

    @Test
    void curlDecodesGzipBrotliAndZstdBackToTheOriginsBytes() throws Exception {
        try (RecordingOrigin origin = RecordingOrigin.start()) {
            origin.answer("/large", 200, Map.of("Content-Type", "application/json"), CompressionEndToEndTest.LARGE);
            try (PluginServer proxy = PluginServer.startWith(origin, "compression",
                    "gzip_level = 6\nbr_level = 5\nzstd_level = 3")) {
                for (String coding : new String[] {"gzip", "br", "zstd"}) {
                    Path out = tmp.resolve("body." + coding);
                    Path headers = tmp.resolve("headers." + coding);
                    PluginServer.ToolRun r = PluginServer.runTool(tmp, Duration.ofSeconds(30), "curl", "curl", "-sS",
                            "--compressed", "-H", "Accept-Encoding: " + coding, "-D", headers.toString(),
                            "-o", out.toString(), proxy.base() + "/large");

                    assertEquals(0, r.exit(), r.output());
                    assertTrue(Files.readString(headers).toLowerCase().contains("content-encoding: " + coding),
                            Files.readString(headers));
                    assertArrayEquals(CompressionEndToEndTest.LARGE, Files.readAllBytes(out), coding);
                }
            }
        }
    }
}
