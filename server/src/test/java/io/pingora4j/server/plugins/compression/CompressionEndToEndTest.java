package io.pingora4j.server.plugins.compression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aayushatharva.brotli4j.decoder.BrotliInputStream;
import com.github.luben.zstd.ZstdInputStream;
import io.pingora4j.server.PluginServer;
import io.pingora4j.server.RawHttp;
import io.pingora4j.server.RecordingOrigin;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compression} through the real server: each coding decoded back byte for byte. */
class CompressionEndToEndTest {

    static final byte[] TEXT = text(64 * 1024, 1);
    static final byte[] LARGE = text(1024 * 1024, 2);

    @TempDir
    Path tmp;
    private RecordingOrigin origin;
    private PluginServer proxy;

    /** Words from a small vocabulary: compressible, but not trivially. */
    static byte[] text(int size, long seed) {
        String[] words = {"proxy", "pingora", "origin", "header", "chunk", "stream", "event", "loop", "buffer", "zstd"};
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder(size + 16);
        while (sb.length() < size) {
            sb.append(words[r.nextInt(words.length)]).append(r.nextInt(10) == 0 ? '\n' : ' ');
        }
        return sb.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    @BeforeEach
    void origin() throws IOException {
        origin = RecordingOrigin.start();
        origin.answer("/text", 200, Map.of("Content-Type", "text/plain; charset=utf-8", "ETag", "\"v1\""), TEXT);
        origin.answer("/large", 200, Map.of("Content-Type", "application/json"), LARGE);
        origin.answer("/small", 200, Map.of("Content-Type", "text/html"), "<p>hi</p>".getBytes(StandardCharsets.US_ASCII));
        origin.answer("/png", 200, Map.of("Content-Type", "image/png"), TEXT);
        origin.answer("/encoded", 200, Map.of("Content-Type", "text/plain", "Content-Encoding", "gzip"), TEXT);
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        origin.close();
    }

    private void start(String keys) {
        proxy = PluginServer.startWith(origin, "compression", keys);
    }

    static byte[] decode(String coding, byte[] body) throws IOException {
        InputStream raw = new ByteArrayInputStream(body);
        InputStream decoder;
        switch (coding) {
            case "gzip":
                decoder = new GZIPInputStream(raw);
                break;
            case "br":
                decoder = new BrotliInputStream(raw);
                break;
            case "zstd":
                decoder = new ZstdInputStream(raw);
                break;
            default:
                throw new AssertionError(coding);
        }
        try (InputStream in = decoder) {
            return in.readAllBytes();
        }
    }

    @Test
    void gzipIsDecodedBackToTheOriginsBytesWithVaryAndAWeakEtag() throws IOException {
        start("gzip_level = 6");

        RawHttp.Response r = RawHttp.get(proxy.port(), "/text", "Accept-Encoding: gzip");

        assertEquals(200, r.status());
        assertEquals("gzip", r.header("Content-Encoding"));
        assertEquals("chunked", r.header("Transfer-Encoding"));
        assertNull(r.header("Content-Length"));
        assertEquals("Accept-Encoding", r.header("Vary"));
        assertEquals("W/\"v1\"", r.header("ETag"));
        assertTrue(r.bodyBytes().length < TEXT.length / 2, "compressed to " + r.bodyBytes().length);
        assertArrayEquals(TEXT, decode("gzip", r.bodyBytes()));
    }

    @Test
    void eachCodingStreamsAMegabyteThatDecodesBack() throws IOException {
        start("gzip_level = 6\nbr_level = 5\nzstd_level = 3");

        for (String coding : new String[] {"gzip", "br", "zstd"}) {
            RawHttp.Response r = RawHttp.get(proxy.port(), "/large", "Accept-Encoding: " + coding);

            assertEquals(coding, r.header("Content-Encoding"));
            assertArrayEquals(LARGE, decode(coding, r.bodyBytes()), coding);
        }
    }

    @Test
    void zstdIsPreferredThenBrotliThenGzipAndAZeroWeightRefusesACoding() throws IOException {
        start("gzip_level = 6\nbr_level = 5\nzstd_level = 3");

        assertEquals("zstd", RawHttp.get(proxy.port(), "/text", "Accept-Encoding: gzip, br, zstd").header("Content-Encoding"));
        assertEquals("br", RawHttp.get(proxy.port(), "/text", "Accept-Encoding: gzip, br").header("Content-Encoding"));
        assertEquals("gzip", RawHttp.get(proxy.port(), "/text", "Accept-Encoding: br;q=0, zstd;q=0, gzip").header("Content-Encoding"));
        assertNull(RawHttp.get(proxy.port(), "/text", "Accept-Encoding: x-gzip").header("Content-Encoding"));
    }

    @Test
    void aClientWithoutAcceptEncodingGetsTheBodyAsItWasWithVary() throws IOException {
        start("gzip_level = 6");

        RawHttp.Response r = RawHttp.get(proxy.port(), "/text");

        assertNull(r.header("Content-Encoding"));
        assertEquals(Integer.toString(TEXT.length), r.header("Content-Length"));
        assertEquals("Accept-Encoding", r.header("Vary"));
        assertArrayEquals(TEXT, r.bodyBytes());
    }

    @Test
    void anIncompressibleTypeAnEncodedBodyAndASmallBodyAreLeftAlone() throws IOException {
        start("gzip_level = 6\nmin_length = 1024");

        RawHttp.Response png = RawHttp.get(proxy.port(), "/png", "Accept-Encoding: gzip");
        RawHttp.Response encoded = RawHttp.get(proxy.port(), "/encoded", "Accept-Encoding: gzip");
        RawHttp.Response small = RawHttp.get(proxy.port(), "/small", "Accept-Encoding: gzip");

        assertNull(png.header("Content-Encoding"));
        assertNull(png.header("Vary"));
        assertArrayEquals(TEXT, png.bodyBytes());
        assertArrayEquals(TEXT, encoded.bodyBytes(), "never encoded twice");
        assertNull(small.header("Content-Encoding"));
        assertEquals("<p>hi</p>", small.body());
    }

    @Test
    void contentTypesReplacesTheDefaultList() throws IOException {
        start("gzip_level = 6\ncontent_types = [\"image/*\"]");

        assertEquals("gzip", RawHttp.get(proxy.port(), "/png", "Accept-Encoding: gzip").header("Content-Encoding"));
        assertNull(RawHttp.get(proxy.port(), "/text", "Accept-Encoding: gzip").header("Content-Encoding"));
    }

    @Test
    void checkRefusesALevelOutOfRangeAndNoCodingAtAll() {
        PluginServer.Check level = PluginServer.checkWith(tmp, "compression", "br_level = 12");
        PluginServer.Check none = PluginServer.checkWith(tmp, "compression", "min_length = 10");

        assertTrue(level.err().contains("plugins.p.br_level: must be 0-11, got 12"), level.err());
        assertTrue(none.err().contains("plugins.p.gzip_level: every coding is disabled"), none.err());
    }
}
