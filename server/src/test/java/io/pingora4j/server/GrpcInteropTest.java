package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.tls.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC through the binary with real gRPC on both sides (Debian's python3-grpcio: generic handlers
 * over raw bytes, no generated code): unary, server and client streaming, bidi, an error status
 * with its message (in trailers, and trailers-only), a deadline, a 4 MiB message and metadata both
 * ways, through the h2c listener and the TLS one; an origin that is down is UNAVAILABLE. gRPC-web
 * from curl (binary and text, HTTP/1.1 and h2c) to the same origin. Run by
 * {@code mvn verify -Pinterop}; a missing program fails the test.
 */
@Tag("interop")
class GrpcInteropTest {

    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(120);
    /** Debian's grpcio is for the system Python. */
    private static final String PYTHON = "/usr/bin/python3";

    @TempDir
    Path dir;

    private final TestPki ca = TestPki.create("pingora4j grpc interop ca");
    private Process origin;
    private int originPort;
    private ServerProcess server;

    @BeforeEach
    void startOrigin() throws Exception {
        Tools.Run probe = Tools.run(dir, TOOL_TIMEOUT, python(), "-c", "import grpc; print(grpc.__version__)");
        assertEquals(0, probe.exit(), "python3-grpcio is not installed (apt-get install -y python3-grpcio): "
                + probe.output());
        Path script = resource("echo_server.py");
        Path out = dir.resolve("origin.out");
        origin = new ProcessBuilder(python(), script.toString()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        Pattern port = Pattern.compile("PORT (\\d+)");
        Await.until("the gRPC origin listening", Duration.ofSeconds(30),
                () -> port.matcher(ServerProcess.read(out)).find() || !origin.isAlive());
        Matcher m = port.matcher(ServerProcess.read(out));
        assertTrue(m.find(), "the gRPC origin did not start: " + ServerProcess.read(out));
        originPort = Integer.parseInt(m.group(1));
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.process().destroyForcibly();
        }
        if (origin != null) {
            origin.destroyForcibly();
            origin.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String python() {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            throw new AssertionError(PYTHON + " is missing: the gRPC interop tests need Debian's python3 and python3-grpcio");
        }
        return PYTHON;
    }

    private Path resource(String name) throws IOException {
        try (InputStream in = GrpcInteropTest.class.getResourceAsStream("/grpc/" + name)) {
            return Files.write(dir.resolve(name), in.readAllBytes());
        }
    }

    private void launch(boolean tls) throws IOException {
        String tlsKeys = "";
        if (tls) {
            Path[] cert = ca.issue("localhost", "127.0.0.1").write(dir, "site");
            tlsKeys = "tls_cert = \"" + cert[0] + "\"\ntls_key = \"" + cert[1] + "\"\n";
        }
        int dead = FreePort.pick();
        String keys = tlsKeys;
        server = ServerProcess.launch(dir, port -> """
                [upstreams.grpc]
                addrs = ["127.0.0.1:%d"]
                alpn = "h2"
                health_check = "grpc://grpc?check_frequency=1s"

                [upstreams.dead]
                addrs = ["127.0.0.1:%d"]
                alpn = "h2"

                [locations.dead]
                path = "/test.Dead/"
                upstream = "dead"

                [locations.grpc]
                path = "/"
                upstream = "grpc"
                grpc_web = true

                [servers.site]
                addr = "127.0.0.1:%d"
                locations = ["grpc", "dead"]
                enabled_h2 = true
                modules = ["grpc-web"]
                %s""".formatted(originPort, dead, port, keys));
    }

    private List<String> runClient(boolean tls) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(python(), resource("client.py").toString()));
        if (tls) {
            cmd.add("localhost:" + server.port());
            cmd.add(Files.writeString(dir.resolve("ca.pem"), ca.certificatePem()).toString());
        } else {
            cmd.add("127.0.0.1:" + server.port());
        }
        Tools.Run r = Tools.run(dir, TOOL_TIMEOUT, cmd.toArray(String[]::new));
        assertEquals(0, r.exit(), r.output());
        return r.output().lines().toList();
    }

    private static void assertLine(List<String> lines, String expected) {
        assertTrue(lines.contains(expected), "no line \"" + expected + "\" in:\n" + String.join("\n", lines));
    }

    private void everyCallKind(boolean tls) throws Exception {
        launch(tls);
        List<String> lines = runClient(tls);
        assertLine(lines, "unary hello m1 bye-m1");
        assertLine(lines, "server_stream msg-0,msg-1,msg-2,msg-3,msg-4");
        assertLine(lines, "client_stream a|b|c");
        assertLine(lines, "bidi echo-x,echo-y,echo-z");
        assertLine(lines, "error Fail NOT_FOUND thing not found: thing");
        assertLine(lines, "error FailFast PERMISSION_DENIED no entry");
        assertLine(lines, "deadline DEADLINE_EXCEEDED");
        assertLine(lines, "big 4194304 True");
        assertLine(lines, "unavailable UNAVAILABLE 502 Bad Gateway");
        assertLine(lines, "health 0801");
    }

    @Test
    void everyCallKindWorksThroughTheH2cListener() throws Exception {
        everyCallKind(false);
    }

    @Test
    void everyCallKindWorksThroughTheTlsListener() throws Exception {
        everyCallKind(true);
    }

    // ------------------------------------------------------------------ gRPC-web, from curl

    private static byte[] frame(int flag, byte[] message) {
        byte[] f = new byte[5 + message.length];
        f[0] = (byte) flag;
        f[1] = (byte) (message.length >>> 24);
        f[2] = (byte) (message.length >>> 16);
        f[3] = (byte) (message.length >>> 8);
        f[4] = (byte) message.length;
        System.arraycopy(message, 0, f, 5, message.length);
        return f;
    }

    /** One gRPC-web call with curl; returns the response body (headers dumped to headers.txt). */
    private byte[] curl(String protocolFlag, String method, String contentType, byte[] body) throws Exception {
        Path req = Files.write(dir.resolve("req.bin"), body);
        Path resp = dir.resolve("resp.bin");
        Files.deleteIfExists(resp);
        Tools.Run r = Tools.run(dir, TOOL_TIMEOUT, Tools.path("curl", "curl"), "-sS", "--max-time", "10", protocolFlag,
                "-H", "content-type: " + contentType, "-H", "x-grpc-web: 1", "--data-binary", "@" + req,
                "-D", dir.resolve("headers.txt").toString(), "-o", resp.toString(),
                "http://127.0.0.1:" + server.port() + "/test.Echo/" + method);
        assertEquals(0, r.exit(), r.output());
        return Files.readAllBytes(resp);
    }

    private String headers() throws IOException {
        return Files.readString(dir.resolve("headers.txt")).toLowerCase();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A base64 body whose chunks may each be padded. */
    private static byte[] decodeText(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String s = new String(body, StandardCharsets.ISO_8859_1).strip();
        int from = 0;
        for (int i = 0; i + 3 < s.length(); i += 4) {
            if (s.charAt(i + 3) == '=') {
                out.writeBytes(Base64.getDecoder().decode(s.substring(from, i + 4)));
                from = i + 4;
            }
        }
        if (from < s.length()) {
            out.writeBytes(Base64.getDecoder().decode(s.substring(from)));
        }
        return out.toByteArray();
    }

    @Test
    void grpcWebBinaryAndTextReachARealGrpcOrigin() throws Exception {
        launch(false);
        byte[] hello = frame(0, "hello".getBytes(StandardCharsets.ISO_8859_1));
        byte[] ok = frame(0x80, "grpc-status: 0\r\n".getBytes(StandardCharsets.ISO_8859_1));
        for (String protocol : List.of("--http1.1", "--http2-prior-knowledge")) {
            byte[] binary = curl(protocol, "Unary", "application/grpc-web+proto", hello);
            assertTrue(headers().contains("content-type: application/grpc-web+proto"), headers());
            assertArrayEquals(concat(hello, ok), binary, protocol);

            byte[] text = curl(protocol, "Unary", "application/grpc-web-text+proto", Base64.getEncoder().encode(hello));
            assertTrue(headers().contains("content-type: application/grpc-web-text+proto"), headers());
            assertArrayEquals(concat(hello, ok), decodeText(text), protocol);
        }
    }

    @Test
    void grpcWebErrorsComeInTheTrailerFrameOrTheHead() throws Exception {
        launch(false);
        byte[] thing = frame(0, "thing".getBytes(StandardCharsets.ISO_8859_1));
        byte[] body = curl("--http1.1", "Fail", "application/grpc-web+proto", thing);
        String trailer = new String(body, 5, body.length - 5, StandardCharsets.ISO_8859_1);
        assertEquals((byte) 0x80, body[0], "a trailer frame");
        assertTrue(trailer.contains("grpc-status: 5\r\n"), trailer);
        assertTrue(trailer.contains("grpc-message: thing not found: thing\r\n"), trailer);

        byte[] fast = curl("--http1.1", "FailFast", "application/grpc-web+proto", thing);
        assertEquals(0, fast.length);
        assertTrue(headers().contains("grpc-status: 7"), "trailers-only: the status in the head\n" + headers());
    }
}
