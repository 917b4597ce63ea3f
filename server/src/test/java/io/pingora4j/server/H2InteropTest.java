package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.tls.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 of the binary ({@code enabled_h2 = true}) as outside clients see it: curl with prior
 * knowledge and over TLS, nghttp, and h2spec in strict mode on the h2c and the TLS listener. Run
 * by {@code mvn verify -Pinterop}; a missing program fails the test.
 */
@Tag("interop")
class H2InteropTest {

    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(300);

    @TempDir
    Path dir;

    private final TestPki ca = TestPki.create("pingora4j h2 interop ca");
    private TestOrigin origin;
    private ServerProcess server;

    @BeforeEach
    void start() throws IOException {
        origin = TestOrigin.start("origin");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.process().destroyForcibly();
        }
        origin.close();
    }

    private void launch(boolean tls) throws IOException {
        String tlsKeys = "";
        if (tls) {
            Path[] cert = ca.issue("localhost", "127.0.0.1").write(dir, "site");
            tlsKeys = "tls_cert = \"" + cert[0] + "\"\ntls_key = \"" + cert[1] + "\"\n";
        }
        String keys = tlsKeys;
        server = ServerProcess.launch(dir, port -> """
                [upstreams.backend]
                addrs = ["%s"]

                [locations.all]
                path = "/"
                upstream = "backend"

                [servers.site]
                addr = "127.0.0.1:%d"
                locations = ["all"]
                enabled_h2 = true
                %s""".formatted(origin.addr(), port, keys));
    }

    @Test
    void curlWithPriorKnowledgeSpeaksH2cBesideHttp11OnOnePort() throws Exception {
        launch(false);
        String curl = Tools.path("curl", "curl");
        String url = "http://127.0.0.1:" + server.port() + "/x";
        Tools.Run h2 = Tools.run(dir, TOOL_TIMEOUT, curl, "-sS", "--max-time", "10", "--http2-prior-knowledge",
                "-w", " %{http_version}", url);
        assertEquals("origin 2", h2.output(), h2.output());
        Tools.Run h1 = Tools.run(dir, TOOL_TIMEOUT, curl, "-sS", "--max-time", "10", "--http1.1",
                "-w", " %{http_version}", url);
        assertEquals("origin 1.1", h1.output(), h1.output());
    }

    @Test
    void curlOverTlsNegotiatesH2ByAlpn() throws Exception {
        launch(true);
        Path caPem = Files.writeString(dir.resolve("ca.pem"), ca.certificatePem());
        Tools.Run r = Tools.run(dir, TOOL_TIMEOUT, Tools.path("curl", "curl"), "-sS", "--max-time", "10",
                "--http2", "--cacert", caPem.toString(), "-w", " %{http_version}",
                "https://localhost:" + server.port() + "/x");
        assertEquals("origin 2", r.output(), r.output());
    }

    @Test
    void nghttpGetsTheOriginsAnswer() throws Exception {
        launch(false);
        Tools.Run r = Tools.run(dir, TOOL_TIMEOUT, Tools.path("nghttp", "nghttp2-client"), "-nv",
                "http://127.0.0.1:" + server.port() + "/x");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains(":status: 200"), r.output());
        assertTrue(r.output().contains("send GOAWAY frame") || r.output().contains("recv SETTINGS frame"), r.output());
    }

    /** Runs h2spec strict; returns its summary after checking nothing failed. */
    private String h2spec(String... args) throws Exception {
        String bin = System.getenv("H2SPEC");
        if (bin == null || !Files.isExecutable(Path.of(bin))) {
            bin = Files.isExecutable(Path.of("/tmp/h2spec-bin/h2spec")) ? "/tmp/h2spec-bin/h2spec"
                    : Tools.path("h2spec", "h2spec (build it with ../shared/tools/h2spec/build.sh /tmp/h2spec-bin)");
        }
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(bin, "-S", "-o", "5", "-h",
                "127.0.0.1", "-p", Integer.toString(server.port())));
        cmd.addAll(java.util.List.of(args));
        Tools.Run r = Tools.run(dir, TOOL_TIMEOUT, cmd.toArray(String[]::new));
        Matcher m = Pattern.compile("(\\d+) tests, (\\d+) passed, (\\d+) skipped, (\\d+) failed").matcher(r.output());
        assertTrue(m.find(), "no h2spec summary:\n" + r.output());
        assertEquals("0", m.group(4), "h2spec failures:\n" + r.output());
        return m.group();
    }

    @Test
    void h2specStrictPassesOnTheBinarysH2cListener() throws Exception {
        launch(false);
        System.out.println("h2spec -S (h2c, binary): " + h2spec());
    }

    @Test
    void h2specStrictPassesOnTheBinarysTlsListener() throws Exception {
        launch(true);
        System.out.println("h2spec -S (TLS, binary): " + h2spec("-t", "-k"));
    }
}
