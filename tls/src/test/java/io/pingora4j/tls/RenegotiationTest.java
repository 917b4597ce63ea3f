package io.pingora4j.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Client-initiated renegotiation is refused. JSSE reads the switch once per JVM, so each case runs
 * {@link RenegotiationProbe} in a fresh one (no outside program), for each provider.
 */
class RenegotiationTest {

    private static String probe(String provider, String... jvmArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), RenegotiationProbe.class.getName(), provider));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe did not exit");
        assertEquals(0, p.exitValue(), out);
        return out.strip();
    }

    @Test
    void aTls12ClientAskingToRenegotiateIsRefused() throws Exception {
        String out = probe("jdk");
        assertTrue(out.startsWith("refused: "), out);
    }

    @Test
    void anOperatorsExplicitSettingIsRespected() throws Exception {
        // also shows the probe can tell the two apart
        assertEquals("renegotiated", probe("jdk", "-Djdk.tls.rejectClientInitiatedRenegotiation=false"));
    }

    @Test
    void boringSslIgnoresATls12ClientAskingToRenegotiate() throws Exception {
        String out = probe("openssl");
        assertTrue(out.startsWith("ignored: "), out);
    }

    @Test
    void boringSslIgnoresItEvenWhenTheJdkSwitchAllowsIt() throws Exception {
        String out = probe("openssl", "-Djdk.tls.rejectClientInitiatedRenegotiation=false");
        assertTrue(out.startsWith("ignored: "), out);
    }
}
