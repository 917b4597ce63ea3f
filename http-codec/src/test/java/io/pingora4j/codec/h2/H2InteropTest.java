package io.pingora4j.codec.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The codec against real HTTP/2 clients, through {@link BlockingH2cServer} (h2c with prior
 * knowledge on loopback): curl, nghttp and the h2spec conformance suite in strict mode. These
 * programs must be installed: the test fails, never skips, without them. h2spec is found as
 * {@code $H2SPEC}, on PATH, or in /tmp/h2spec-bin (build it with
 * {@code ../shared/tools/h2spec/build.sh /tmp/h2spec-bin}).
 */
@Tag("interop")
class H2InteropTest {

    @TempDir
    Path dir;

    @Test
    void curlWithPriorKnowledgeGetsAResponse() throws Exception {
        try (BlockingH2cServer server = new BlockingH2cServer(H2Limits.DEFAULTS)) {
            Run r = run(60, tool("curl", "curl"), "-sS", "--http2-prior-knowledge", "-w", "%{http_version} %{http_code}",
                    "-d", "a request body", "http://127.0.0.1:" + server.port() + "/path?q=1");
            assertEquals(0, r.exit, r.output);
            assertEquals(BlockingH2cServer.BODY + "2 200", r.output);
        }
    }

    @Test
    void curlUploadsFiveMegabytesThroughSmallWindows() throws Exception {
        byte[] body = new byte[5_000_000];
        new java.util.Random(11).nextBytes(body);
        Path file = Files.write(dir.resolve("upload.bin"), body);
        try (BlockingH2cServer server = new BlockingH2cServer(H2Limits.DEFAULTS.withWindows(16_384, 65_535))) {
            Run r = run(60, tool("curl", "curl"), "-sS", "--http2-prior-knowledge", "--data-binary", "@" + file,
                    "-o", "/dev/null", "-w", "%{http_code} %{size_upload}", "http://127.0.0.1:" + server.port() + "/up");
            assertEquals(0, r.exit, r.output);
            assertEquals("200 5000000", r.output);
        }
    }

    @Test
    void nghttpFetchesConcurrentStreams() throws Exception {
        try (BlockingH2cServer server = new BlockingH2cServer(H2Limits.DEFAULTS)) {
            String url = "http://127.0.0.1:" + server.port() + "/";
            Run r = run(60, tool("nghttp", "nghttp2-client"), "-n", "-s", url + "a", url + "b", url + "c", url + "d");
            assertEquals(0, r.exit, r.output);
            assertEquals(4, r.output.split("\\s200\\s", -1).length - 1, r.output);
        }
    }

    @Test
    void h2specStrictPassesEveryCase() throws Exception {
        try (BlockingH2cServer server = new BlockingH2cServer(H2Limits.DEFAULTS)) {
            Run r = run(300, h2spec(), "-S", "-o", "5", "-h", "127.0.0.1", "-p", Integer.toString(server.port()));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) tests, (\\d+) passed, 0 skipped, 0 failed")
                    .matcher(r.output);
            assertTrue(m.find() && m.group(1).equals(m.group(2)) && Integer.parseInt(m.group(1)) > 100, r.output);
            assertEquals(0, r.exit, r.output);
        }
    }

    // ------------------------------------------------------------------ programs

    private record Run(int exit, String output) {
    }

    private Run run(int timeoutSeconds, String... command) throws Exception {
        Path log = Files.createTempFile(dir, "tool", ".out");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                fail(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s:\n" + Files.readString(log));
            }
            return new Run(p.exitValue(), Files.readString(log));
        } finally {
            p.destroyForcibly();
        }
    }

    private static String tool(String name, String debianPackage) {
        String p = onPath(name);
        if (p == null) {
            throw new AssertionError(name + " is not installed (not on PATH): the interop tests need it;"
                    + " install it (apt-get install -y " + debianPackage + ") or run without -Pinterop");
        }
        return p;
    }

    private static String h2spec() {
        String env = System.getenv("H2SPEC");
        if (env != null && Files.isExecutable(Path.of(env))) {
            return env;
        }
        String p = onPath("h2spec");
        if (p != null) {
            return p;
        }
        if (Files.isExecutable(Path.of("/tmp/h2spec-bin/h2spec"))) {
            return "/tmp/h2spec-bin/h2spec";
        }
        throw new AssertionError("h2spec is not built: run ../shared/tools/h2spec/build.sh /tmp/h2spec-bin"
                + " (or set H2SPEC), or run without -Pinterop");
    }

    private static String onPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
