package io.pingora4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pingora4j.codec.h2.H2Limits;
import io.pingora4j.tls.ServerEngineFactory;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP/2 conformance suite (h2spec, strict mode) against the proxy's h2c and TLS listeners, in
 * front of a real HTTP/1.1 origin. h2spec must be on PATH (or in $H2SPEC): .ci/run builds it with
 * ../shared/tools/h2spec/build.sh. Without it this test fails.
 */
@Tag("interop")
class H2SpecInteropTest {

    private static Origins.Jdk origin;
    private static Server server;
    private static int h2cPort;
    private static int tlsPort;

    @BeforeAll
    static void start() throws Exception {
        origin = new Origins.Jdk().route("/", ex -> {
            ex.getRequestBody().readAllBytes();
            Origins.Jdk.text(ex, 200, "hello from the origin\n");
        });
        ServerEngineFactory tls = () -> {
            SSLEngine e = TlsFixtures.SERVER.context(TlsFixtures.CA.trustManagers()).createSSLEngine();
            e.setUseClientMode(false);
            SSLParameters p = e.getSSLParameters();
            p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
            e.setSSLParameters(p);
            return e;
        };
        server = Server.builder().threads(1)
                .listen("127.0.0.1:0", new SimpleProxy(origin.port()), H2Limits.DEFAULTS)
                .listenTls("127.0.0.1:0", new SimpleProxy(origin.port()), tls, H2Limits.DEFAULTS)
                .start();
        h2cPort = server.addresses().get(0).getPort();
        tlsPort = server.addresses().get(1).getPort();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ZERO);
        origin.close();
    }

    static String h2spec() {
        String env = System.getenv("H2SPEC");
        if (env != null && Files.isExecutable(Path.of(env))) {
            return env;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "h2spec");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new AssertionError("h2spec is not installed (not on PATH, $H2SPEC unset): build it with"
                + " ../shared/tools/h2spec/build.sh DIR and put DIR on PATH, or run without -Pinterop");
    }

    /** Runs h2spec; returns its summary line after checking nothing failed. */
    private static String runH2spec(Path dir, List<String> args) throws Exception {
        Path out = dir.resolve("h2spec.out");
        List<String> cmd = new java.util.ArrayList<>(List.of(h2spec(), "-S", "-o", "5", "-h", "127.0.0.1"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("h2spec did not finish in 300 s");
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(\\d+) tests, (\\d+) passed, (\\d+) skipped, (\\d+) failed").matcher(text);
        assertTrue(m.find(), "no h2spec summary:\n" + text);
        assertEquals("0", m.group(4), "h2spec failures:\n" + text);
        return m.group();
    }

    @Test
    void h2specStrictPassesOnTheH2cListener(@TempDir Path dir) throws Exception {
        String summary = runH2spec(dir, List.of("-p", Integer.toString(h2cPort)));
        System.out.println("h2spec h2c: " + summary);
    }

    @Test
    void h2specStrictPassesOnTheTlsListener(@TempDir Path dir) throws Exception {
        String summary = runH2spec(dir, List.of("-t", "-k", "-p", Integer.toString(tlsPort)));
        System.out.println("h2spec tls: " + summary);
    }
}
