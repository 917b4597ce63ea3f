package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.tls.TestPki;
import io.pingora4j.tls.acme.PebbleHarness;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.function.IntFunction;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS of the binary as outside clients see it: curl per SNI name, openssl s_client, testssl.sh,
 * and a certificate issued by a real Pebble (ACME) and then served. Run by
 * {@code mvn verify -Pinterop}; a missing program fails the test.
 */
@Tag("interop")
abstract class TlsInteropTest {

    /** The binary's {@code tls_provider} ({@link TlsInteropOnJdkTest}, {@link TlsInteropOnOpenSslTest}). */
    abstract String provider();

    /** The binary, launched with {@code toml} and {@code [basic] tls_provider} set to {@link #provider()}. */
    private ServerProcess launch(IntFunction<String> toml) throws IOException {
        String key = "tls_provider = \"" + provider() + "\"\n";
        return ServerProcess.launch(dir, port -> {
            String t = toml.apply(port);
            return t.contains("[basic]\n") ? t.replaceFirst("\\[basic]\n", "[basic]\n" + key) : "[basic]\n" + key + t;
        });
    }


    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(180);
    private static final String ACME_DOMAIN = "test.pingora4j.internal";

    @TempDir
    Path dir;

    private final TestPki ca = TestPki.create("pingora4j interop ca");
    private TestOrigin origin;
    private ServerProcess server;
    private Path caPem;

    @BeforeEach
    void start() throws IOException {
        origin = TestOrigin.start("origin");
        caPem = Files.writeString(dir.resolve("ca.pem"), ca.certificatePem());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.process().destroyForcibly();
        }
        origin.close();
    }

    private void launchWithTwoNames() throws IOException {
        Path[] a = ca.issue("a.test").write(dir, "a");
        Path[] b = ca.issue("b.test").write(dir, "b");
        server = launch(port -> """
                [upstreams.backend]
                addrs = ["%1$s"]

                [locations.all]
                path = "/"
                upstream = "backend"

                [servers.https]
                addr = "127.0.0.1:%2$d"
                locations = ["all"]
                global_certificates = true

                [certificates.a]
                domains = ["a.test"]
                tls_cert = "%3$s"
                tls_key = "%4$s"
                is_default = true

                [certificates.b]
                domains = ["b.test"]
                tls_cert = "%5$s"
                tls_key = "%6$s"
                """.formatted(origin.addr(), port, a[0], a[1], b[0], b[1]));
    }

    @Test
    void curlVerifiesTheCertificateOfEachNameOnOnePort() throws Exception {
        launchWithTwoNames();
        String curl = Tools.path("curl", "curl");
        for (String name : List.of("a.test", "b.test")) {
            Tools.Run r = Tools.run(dir, TOOL_TIMEOUT, curl, "-sS", "--max-time", "10", "--cacert", caPem.toString(),
                    "--resolve", name + ":" + server.port() + ":127.0.0.1", "https://" + name + ":" + server.port() + "/x");
            assertEquals(0, r.exit(), "curl for " + name + ":\n" + r.output());
            assertEquals("origin", r.output());
        }
    }

    @Test
    void opensslSeesTheNamedCertificateVerifiedAndHttp11ByAlpn() throws Exception {
        launchWithTwoNames();
        Tools.Run r = Tools.run(dir, TOOL_TIMEOUT, Tools.path("openssl", "openssl"), "s_client", "-connect",
                "127.0.0.1:" + server.port(), "-servername", "b.test", "-CAfile", caPem.toString(),
                "-verify_hostname", "b.test", "-alpn", "h2,http/1.1");
        assertTrue(r.output().contains("CN = b.test"), r.output());
        assertTrue(r.output().contains("Verify return code: 0 (ok)"), r.output());
        assertTrue(r.output().contains("ALPN protocol: http/1.1"), r.output());
    }

    /**
     * Two s_client runs, the second offering the session the first saved: a request goes through
     * the first so that TLS 1.3 tickets (sent after the handshake) are read before it ends.
     */
    private String reconnect(String... protocolFlag) throws Exception {
        Path session = dir.resolve("session-" + String.join("", protocolFlag) + ".pem");
        String client = Tools.path("openssl", "openssl") + " s_client -connect 127.0.0.1:" + server.port()
                + " -servername a.test -CAfile " + caPem + " -ign_eof " + String.join(" ", protocolFlag);
        String request = "printf 'GET /x HTTP/1.1\\r\\nHost: a.test\\r\\nConnection: close\\r\\n\\r\\n' | ";
        Tools.Run first = Tools.run(dir, TOOL_TIMEOUT, "bash", "-c", request + client + " -sess_out " + session);
        assertTrue(first.output().contains("New, TLSv1."), first.output());
        assertTrue(Files.size(session) > 0, "no session saved:\n" + first.output());
        return Tools.run(dir, TOOL_TIMEOUT, "bash", "-c", request + client + " -sess_in " + session).output();
    }

    @Test
    void opensslResumesATls13SessionFromItsTicket() throws Exception {
        launchWithTwoNames();
        String second = reconnect("-tls1_3");
        assertTrue(second.contains("Reused, TLSv1.3"), second);
        assertTrue(second.contains("origin"), second);
    }

    @Test
    void opensslResumesATls12Session() throws Exception {
        launchWithTwoNames();
        String second = reconnect("-tls1_2");
        assertTrue(second.contains("Reused, TLSv1.2"), second);
        assertTrue(second.contains("origin"), second);
    }

    @Test
    void testsslFindsNothingNotOkInProtocolsAndCiphers() throws Exception {
        launchWithTwoNames();
        Tools.Run r = Tools.run(dir, TOOL_TIMEOUT, Tools.path("testssl", "testssl.sh"), "--protocols", "--std", "--fs",
                "--quiet", "--color", "0", "--warnings", "off", "127.0.0.1:" + server.port());
        assertTrue(r.output().contains("TLS 1.3    offered (OK)"), r.output());
        assertTrue(r.output().contains("Strong encryption (AEAD ciphers)"), r.output());
        assertFalse(r.output().contains("NOT ok"), r.output());
    }

    @Test
    void aCertificateIssuedByPebbleIsServedWithoutARestart() throws Exception {
        int httpPort = FreePort.pick();
        try (PebbleHarness pebble = PebbleHarness.start(httpPort)) {
            server = launch(port -> """
                    [basic]
                    acme_dir = "%5$s"

                    [upstreams.backend]
                    addrs = ["%1$s"]

                    [locations.all]
                    path = "/"
                    upstream = "backend"

                    [servers.https]
                    addr = "127.0.0.1:%2$d"
                    locations = ["all"]
                    global_certificates = true

                    [servers.http]
                    addr = "127.0.0.1:%3$d"
                    locations = ["all"]

                    [certificates.site]
                    domains = ["%4$s"]
                    acme = "lets_encrypt"
                    acme_directory = "%6$s"
                    acme_ca_file = "%7$s"
                    """.formatted(origin.addr(), port, httpPort, ACME_DOMAIN, dir.resolve("acme"), pebble.directory(),
                    pebble.caFile()));
            Path err = dir.resolve("server.err");
            Await.until("the server logging the ACME issuance", Duration.ofSeconds(90),
                    () -> ServerProcess.read(err).contains("issued by ACME"));

            try (SSLSocket s = connect(trusting(pebble.roots()), ACME_DOMAIN)) {
                X509Certificate leaf = (X509Certificate) s.getSession().getPeerCertificates()[0];
                assertTrue(leaf.getSubjectAlternativeNames().stream().anyMatch(n -> ACME_DOMAIN.equals(n.get(1))),
                        "the served certificate names " + ACME_DOMAIN + ": " + leaf);
                WireClient.Response r = new WireClient(s).send("GET /x HTTP/1.1\r\nHost: " + ACME_DOMAIN + "\r\n\r\n").read();
                assertEquals(200, r.status());
            }
            // the issuance, as the note quotes it
            System.out.println("---- pebble log\n" + String.join("\n", pebble.log()));
            System.out.println("---- server log\n" + ServerProcess.read(err));
        }
    }

    private SSLSocket connect(SSLContext ctx, String sni) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", server.port());
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(sni)));
        s.setSSLParameters(p);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    private static SSLContext trusting(List<X509Certificate> roots) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        for (int i = 0; i < roots.size(); i++) {
            ks.setCertificateEntry("root" + i, roots.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
