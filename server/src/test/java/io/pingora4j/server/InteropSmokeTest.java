package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binary as a process, spoken to by outside clients: curl and wrk. Run by
 * {@code mvn verify -Pinterop}; a missing program fails the test (never skips it).
 *
 * <p>The process is {@code java -cp <this test class path> io.pingora4j.server.Main -c FILE}, not
 * {@code bin/pingora4j}: interop tests run in the server module's test phase, before its package
 * phase, so server/target/pingora4j.jar may be missing or stale; and the script's build-on-first-use
 * would start a nested Maven build. bin/pingora4j is left to a manual check.
 */
@Tag("interop")
class InteropSmokeTest {

    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private TestOrigin origin;
    private Process server;
    private int port;

    @BeforeEach
    void start() throws IOException {
        origin = TestOrigin.start("a");
        launch();
    }

    @AfterEach
    void stop() throws InterruptedException {
        try {
            if (server != null && server.isAlive()) {
                server.destroyForcibly();
                server.waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            origin.close();
        }
    }

    /** Starts the binary on a free port; a lost bind race (exit before "serving") is retried, 3 tries. */
    private void launch() throws IOException {
        ServerProcess sp = ServerProcess.launch(tmp, p -> """
                    [basic]
                    threads = 2
                    grace_period = "10s"

                    [upstreams.backend]
                    addrs = ["%s"]

                    [locations.api]
                    path = "/api"
                    upstream = "backend"
                    headers_set = { X-Frame-Options = "DENY" }

                    [servers.http]
                    addr = "127.0.0.1:%d"
                    locations = ["api"]
                    """.formatted(origin.addr(), p));
        server = sp.process();
        port = sp.port();
    }

    private static String read(Path file) {
        return ServerProcess.read(file);
    }

    private static String tool(String name) {
        return Tools.path(name, name);
    }

    /** Runs a program to its end (bounded), returning stdout and stderr together; it must exit 0. */
    private String runTool(String... command) throws IOException, InterruptedException {
        Tools.Run r = Tools.run(tmp, TOOL_TIMEOUT, command);
        assertEquals(0, r.exit(), String.join(" ", command) + " failed:\n" + r.output());
        return r.output();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    @Test
    void curlSeesStatusHeadersAndBodyThroughTheBinary() throws Exception {
        String out = runTool(tool("curl"), "-si", "--max-time", "10", url("/api/hello"));

        String[] parts = out.split("\r\n\r\n", 2);
        String head = parts[0].toLowerCase(Locale.ROOT);
        assertTrue(head.startsWith("http/1.1 200"), out);
        assertTrue(head.contains("\r\nx-origin: a") && head.contains("\r\nx-frame-options: deny"), out);
        assertEquals("a", parts.length > 1 ? parts[1] : null, out);
        assertEquals("/api/hello", origin.last().uri());
    }

    @Test
    void curlUploadOf5MegabytesIsEchoedBackIntact() throws Exception {
        byte[] data = new byte[5 * 1024 * 1024];
        new Random(42).nextBytes(data);
        Path upload = Files.write(tmp.resolve("upload.bin"), data);
        Path echoed = tmp.resolve("echoed.bin");

        String out = runTool(tool("curl"), "-sS", "--max-time", "20", "--data-binary", "@" + upload,
                "-H", "Content-Type: application/octet-stream", "-o", echoed.toString(), "-w", "%{http_code}",
                url("/api/echo"));

        assertEquals("200", out.trim());
        assertEquals(sha256(data), sha256(Files.readAllBytes(echoed)));
    }

    @Test
    void wrkForTwoSecondsSeesNoErrorsAndOnly2xx() throws Exception {
        String out = runTool(tool("wrk"), "-t1", "-c10", "-d2s", "--timeout", "5s", url("/api/load"));

        Matcher requests = Pattern.compile("(\\d+) requests in").matcher(out);
        assertTrue(requests.find() && Long.parseLong(requests.group(1)) > 0, out);
        assertTrue(!out.contains("Non-2xx or 3xx responses") && !out.contains("Socket errors"), out);
    }

    @Test
    void sigtermLetsTheRequestInFlightFinishThenExits0() throws Exception {
        CompletableFuture<WireClient.Response> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return WireClient.exchange(port, "GET /api/slow HTTP/1.1", "Host: localhost");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        Await.until("the slow request reaching the origin", () -> origin.slowArrived() == 1);

        server.destroy(); // SIGTERM on Linux
        Await.until("the binary to stop accepting after SIGTERM", this::refusesConnections);
        assertTrue(server.isAlive(), "the binary exited with a request in flight");
        origin.release();

        WireClient.Response r = slow.get(15, TimeUnit.SECONDS);
        assertEquals(200, r.status());
        assertEquals("a", r.body());
        assertTrue(server.waitFor(15, TimeUnit.SECONDS), "the binary did not exit after its request finished");
        assertEquals(0, server.exitValue(), read(tmp.resolve("server.err")));
    }

    private boolean refusesConnections() {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String sha256(byte[] b) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
