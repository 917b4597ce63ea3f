package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.tls.TestPki;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins over HTTP/2: the JDK client negotiates h2 by ALPN with the real server, and an auth
 * plugin, compression and directory answer as they do over HTTP/1.1 (every stream runs the same
 * phases).
 */
class PluginsOverH2EndToEndTest {

    @TempDir
    Path dir;

    private final TestPki ca = TestPki.create("plugins h2 ca");
    private RecordingOrigin origin;
    private RunningProxy proxy;
    private HttpClient client;

    @BeforeEach
    void start() throws IOException {
        origin = RecordingOrigin.start();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(ca.trustingContext())
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        origin.close();
    }

    /** An h2 server on TLS whose location "/" runs the plugin [plugins.p]. */
    private void serve(String category, String keys) throws Exception {
        Path[] cert = ca.issue("localhost", "127.0.0.1").write(dir, "site");
        proxy = RunningProxy.start(port -> """
                [upstreams.app]
                addrs = ["%s"]

                [plugins.p]
                category = "%s"
                %s

                [locations.app]
                path = "/"
                upstream = "app"
                plugins = ["p"]

                [servers.https]
                addr = "127.0.0.1:%d"
                locations = ["app"]
                tls_cert = "%s"
                tls_key = "%s"
                enabled_h2 = true
                """.formatted(origin.addr(), category, keys, port, cert[0], cert[1]));
    }

    private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://localhost:" + proxy.server.port() + path))
                .timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(HttpClient.Version.HTTP_2, r.version(), "negotiated h2");
        return r;
    }

    @Test
    void basicAuthRefusesWithoutCredentialsAndLetsTheRightOnesThrough() throws Exception {
        String alice = Base64.getEncoder().encodeToString("alice:secret".getBytes(StandardCharsets.UTF_8));
        serve("basic_auth", "authorizations = [\"" + alice + "\"]");

        HttpResponse<byte[]> refused = get("/private");
        HttpResponse<byte[]> wrong = get("/private", "Authorization", "Basic "
                + Base64.getEncoder().encodeToString("alice:guess".getBytes(StandardCharsets.UTF_8)));
        HttpResponse<byte[]> allowed = get("/private", "Authorization", "Basic " + alice);

        assertEquals(401, refused.statusCode());
        assertTrue(refused.headers().firstValue("www-authenticate").orElse("").startsWith("Basic"));
        assertEquals(401, wrong.statusCode());
        assertEquals(200, allowed.statusCode());
        assertEquals("origin", new String(allowed.body(), StandardCharsets.UTF_8));
        assertEquals(1, origin.seen().size());
    }

    @Test
    void compressionGzipsAStreamedBodyThatDecodesByteForByte() throws Exception {
        byte[] text = text(200 * 1024);
        origin.answer("/text", 200, Map.of("Content-Type", "text/plain"), text);
        serve("compression", "gzip_level = 6");

        HttpResponse<byte[]> r = get("/text", "Accept-Encoding", "gzip");

        assertEquals(200, r.statusCode());
        assertEquals("gzip", r.headers().firstValue("content-encoding").orElse(null));
        assertTrue(r.body().length < text.length / 2, "compressed: " + r.body().length);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(r.body()))) {
            assertArrayEquals(text, in.readAllBytes());
        }
    }

    @Test
    void directoryServesAFileARangeAndA304() throws Exception {
        Path root = Files.createDirectories(dir.resolve("www"));
        byte[] file = text(1024 * 1024 + 17); // past the default stream window (256 KiB)
        Files.write(root.resolve("big.txt"), file);
        serve("directory", "path = \"" + root + "\"");

        HttpResponse<byte[]> whole = get("/big.txt");
        HttpResponse<byte[]> range = get("/big.txt", "Range", "bytes=100-199");
        String etag = whole.headers().firstValue("etag").orElseThrow();
        HttpResponse<byte[]> notModified = get("/big.txt", "If-None-Match", etag);

        assertEquals(200, whole.statusCode());
        assertArrayEquals(file, whole.body());
        assertEquals(206, range.statusCode());
        assertEquals("bytes 100-199/" + file.length, range.headers().firstValue("content-range").orElse(null));
        assertArrayEquals(java.util.Arrays.copyOfRange(file, 100, 200), range.body());
        assertEquals(304, notModified.statusCode());
        assertEquals(0, notModified.body().length);
        assertTrue(origin.seen().isEmpty(), "answered by the plugin");
    }

    private static byte[] text(int size) {
        String[] words = {"stream", "frame", "window", "header", "settings", "ping", "goaway", "data"};
        Random r = new Random(size);
        StringBuilder sb = new StringBuilder(size + 16);
        while (sb.length() < size) {
            sb.append(words[r.nextInt(words.length)]).append(r.nextInt(12) == 0 ? '\n' : ' ');
        }
        return sb.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }
}
