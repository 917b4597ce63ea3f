package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.pingora4j.tls.TestPki;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.IntFunction;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS through the real server: certificates chosen by SNI from {@code [certificates]}, a server's
 * own certificate, versions, client certificates, hot reload (driven by calling the watcher's
 * check directly, so nothing waits on a timer), TLS to origins and the ACME challenge answer.
 */
abstract class TlsEndToEndTest {

    /** The listeners' and origins' TLS provider ({@link TlsEndToEndOnJdkTest}, {@link TlsEndToEndOnOpenSslTest}). */
    abstract String provider();

    /** {@code toml} with {@code [basic] tls_provider} set to {@link #provider()}. */
    private String withProvider(String toml) {
        String key = "tls_provider = \"" + provider() + "\"\n";
        return toml.contains("[basic]\n") ? toml.replaceFirst("\\[basic]\n", "[basic]\n" + key) : "[basic]\n" + key + toml;
    }

    private RunningProxy start(IntFunction<String> toml) {
        return RunningProxy.start(port -> withProvider(toml.apply(port)));
    }

    private RunningProxy startFile(Path file, IntFunction<String> toml) {
        return RunningProxy.startFile(file, port -> withProvider(toml.apply(port)));
    }


    @TempDir
    Path dir;

    private final TestPki ca = TestPki.create("pingora4j test ca");
    private TestOrigin origin;
    private RunningProxy proxy;
    private Path caPem;

    @BeforeEach
    void start() throws IOException {
        origin = TestOrigin.start("origin");
        caPem = Files.writeString(dir.resolve("ca.pem"), ca.certificatePem());
    }

    @AfterEach
    void stop() {
        try {
            if (proxy != null) {
                proxy.close();
            }
        } finally {
            origin.close();
        }
    }

    private void startProxy(String serverKeys, String extraTables) {
        proxy = start((IntFunction<String>) port -> """
                [basic]
                certificate_check_interval = "1h"

                [upstreams.backend]
                addrs = ["%1$s"]

                [locations.all]
                path = "/"
                upstream = "backend"

                [servers.https]
                addr = "127.0.0.1:%2$d"
                locations = ["all"]
                %3$s

                %4$s
                """.formatted(origin.addr(), port, serverKeys, extraTables));
    }

    /** Two certificates in [certificates]; b is the default. */
    private String twoCertificates() {
        Path[] a = ca.issue("a.test").write(dir, "a");
        Path[] b = ca.issue("b.test").write(dir, "b");
        return """
                [certificates.a]
                domains = ["a.test"]
                tls_cert = "%s"
                tls_key = "%s"

                [certificates.b]
                domains = ["b.test"]
                tls_cert = "%s"
                tls_key = "%s"
                is_default = true
                """.formatted(a[0], a[1], b[0], b[1]);
    }

    private SSLSocket connect(String sni, SSLContext ctx, String... protocols) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", proxy.port());
        SSLParameters p = s.getSSLParameters();
        if (sni != null) {
            p.setServerNames(List.of(new SNIHostName(sni)));
        }
        if (protocols.length > 0) {
            p.setProtocols(protocols);
        }
        s.setSSLParameters(p);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    private static String subject(SSLSocket s) throws IOException {
        return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }

    private static WireClient.Response get(SSLSocket s, String host) throws IOException {
        WireClient c = new WireClient(s);
        return c.send("GET /x HTTP/1.1\r\nHost: " + host + "\r\n\r\n").read();
    }

    @Test
    void eachNameOnOnePortGetsItsOwnCertificateAndIsProxied() throws IOException {
        startProxy("global_certificates = true", twoCertificates());
        try (SSLSocket a = connect("a.test", ca.trustingContext()); SSLSocket b = connect("b.test", ca.trustingContext())) {
            assertEquals("CN=a.test", subject(a));
            assertEquals("CN=b.test", subject(b));
            WireClient.Response r = get(a, "a.test");
            assertEquals(200, r.status());
            assertEquals("origin", r.body());
        }
    }

    @Test
    void noSniOrAnUnknownNameGetsTheDefaultCertificate() throws IOException {
        startProxy("global_certificates = true", twoCertificates());
        try (SSLSocket none = connect(null, ca.trustingContext());
             SSLSocket unknown = connect("other.test", ca.trustingContext())) {
            assertEquals("CN=b.test", subject(none));
            assertEquals("CN=b.test", subject(unknown));
        }
    }

    @Test
    void aServersOwnCertificateIsServed() throws IOException {
        Path[] own = ca.issue("own.test").write(dir, "own");
        startProxy("tls_cert = \"%s\"\ntls_key = \"%s\"".formatted(own[0], own[1]), "");
        try (SSLSocket s = connect("own.test", ca.trustingContext())) {
            assertEquals("CN=own.test", subject(s));
            assertEquals(200, get(s, "own.test").status());
        }
    }

    @Test
    void inlinePemIsAcceptedForCertAndKey() throws IOException {
        TestPki.Leaf leaf = ca.issue("inline.test");
        startProxy("tls_cert = \"\"\"\n%s\"\"\"\ntls_key = \"\"\"\n%s\"\"\"".formatted(leaf.chainPem(), leaf.keyPem()), "");
        try (SSLSocket s = connect("inline.test", ca.trustingContext())) {
            assertEquals("CN=inline.test", subject(s));
        }
    }

    @Test
    void tlsMinVersionRefusesOlderClients() throws IOException {
        startProxy("global_certificates = true\ntls_min_version = \"tlsv1.3\"", twoCertificates());
        try (SSLSocket s13 = connect("a.test", ca.trustingContext(), "TLSv1.3")) {
            assertEquals("TLSv1.3", s13.getSession().getProtocol());
        }
        assertThrows(IOException.class, () -> connect("a.test", ca.trustingContext(), "TLSv1.2").close());
    }

    @Test
    void aTls12OnlyClientIsServedByDefault() throws IOException {
        startProxy("global_certificates = true", twoCertificates());
        try (SSLSocket s = connect("a.test", ca.trustingContext(), "TLSv1.2")) {
            assertEquals("TLSv1.2", s.getSession().getProtocol());
            assertEquals(200, get(s, "a.test").status());
        }
    }

    @Test
    void requiredClientCertificatesRefuseAClientWithoutOne() throws IOException {
        startProxy("global_certificates = true\ntls_client_auth = \"required\"\ntls_client_ca = \"%s\"".formatted(caPem),
                twoCertificates());
        TestPki.Leaf client = ca.issue("client.test");
        try (SSLSocket s = connect("a.test", client.context(ca.trustManagers()))) {
            assertEquals(200, get(s, "a.test").status());
        }
        assertThrows(IOException.class, () -> {
            try (SSLSocket s = connect("a.test", ca.trustingContext())) {
                get(s, "a.test"); // TLS 1.3 reports a missing client certificate after the handshake
            }
        });
    }

    @Test
    void aChangedCertificateFileIsServedToNewHandshakesWhileOpenConnectionsKeepWorking() throws IOException {
        Path[] files = ca.issue("a.test").write(dir, "live");
        startProxy("tls_cert = \"%s\"\ntls_key = \"%s\"".formatted(files[0], files[1]), "");
        try (SSLSocket open = connect("a.test", ca.trustingContext())) {
            WireClient c = new WireClient(open);
            assertEquals(200, c.send("GET /1 HTTP/1.1\r\nHost: a.test\r\n\r\n").read().status());
            String before = serial(open);

            TestPki.Leaf renewed = ca.issue("a.test");
            Files.writeString(files[1], renewed.keyPem());
            Files.writeString(files[0], renewed.chainPem());
            touch(files);
            proxy.runtime.tls.check();

            try (SSLSocket fresh = connect("a.test", ca.trustingContext())) {
                assertEquals(serial(renewed.certificate()), serial(fresh));
                assertNotEquals(before, serial(fresh));
            }
            assertEquals(200, c.send("GET /2 HTTP/1.1\r\nHost: a.test\r\n\r\n").read().status(),
                    "the open connection still serves");
        }
    }

    @Test
    void aBrokenReplacementKeepsTheCertificateInUse() throws IOException {
        Path[] files = ca.issue("a.test").write(dir, "live");
        startProxy("tls_cert = \"%s\"\ntls_key = \"%s\"".formatted(files[0], files[1]), "");
        String before;
        try (SSLSocket s = connect("a.test", ca.trustingContext())) {
            before = serial(s);
        }
        Files.writeString(files[1], ca.issue("a.test").keyPem()); // a key that does not match the certificate
        touch(files);
        proxy.runtime.tls.check();
        try (SSLSocket s = connect("a.test", ca.trustingContext())) {
            assertEquals(before, serial(s));
        }
    }

    @Test
    void aCertificateAddedToTheConfigFileIsServedWithoutARestart() throws IOException {
        Path[] a = ca.issue("a.test").write(dir, "a");
        Path[] c = ca.issue("c.test").write(dir, "c");
        Path config = dir.resolve("app.toml");
        String base = """
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
                """;
        proxy = startFile(config, port -> base.formatted(origin.addr(), port, a[0], a[1]));
        try (SSLSocket s = connect("c.test", ca.trustingContext())) {
            assertEquals("CN=a.test", subject(s), "not configured yet: the default");
        }
        Files.writeString(config, base.formatted(origin.addr(), proxy.port(), a[0], a[1]) + """

                [certificates.c]
                domains = ["c.test"]
                tls_cert = "%s"
                tls_key = "%s"
                """.formatted(c[0], c[1]));
        Files.setLastModifiedTime(config, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        proxy.runtime.tls.check();
        try (SSLSocket s = connect("c.test", ca.trustingContext())) {
            assertEquals("CN=c.test", subject(s));
        }
    }

    @Test
    void anOriginOverTlsIsVerifiedAgainstTheConfiguredCa() throws Exception {
        HttpsServer tlsOrigin = httpsOrigin("127.0.0.1", "origin.test");
        try {
            Path[] own = ca.issue("own.test").write(dir, "own");
            String addr = "127.0.0.1:" + tlsOrigin.getAddress().getPort();
            proxy = start(port -> """
                    [upstreams.good]
                    addrs = ["%1$s"]
                    sni = "origin.test"
                    ca_file = "%3$s"

                    [upstreams.wrongname]
                    addrs = ["%1$s"]
                    sni = "other.test"
                    ca_file = "%3$s"

                    [upstreams.unverified]
                    addrs = ["%1$s"]
                    sni = "other.test"
                    verify_cert = false

                    [locations.good]
                    path = "/good"
                    upstream = "good"

                    [locations.wrongname]
                    path = "/wrongname"
                    upstream = "wrongname"

                    [locations.unverified]
                    path = "/unverified"
                    upstream = "unverified"

                    [servers.http]
                    addr = "127.0.0.1:%2$d"
                    locations = ["good", "wrongname", "unverified"]
                    """.formatted(addr, port, caPem, own[0]));
            assertEquals("tls-origin", WireClient.exchange(proxy.port(), "GET /good HTTP/1.1", "Host: x").body());
            assertEquals(502, WireClient.exchange(proxy.port(), "GET /wrongname HTTP/1.1", "Host: x").status());
            assertEquals(200, WireClient.exchange(proxy.port(), "GET /unverified HTTP/1.1", "Host: x").status());
        } finally {
            tlsOrigin.stop(0);
        }
    }

    @Test
    void aPlainServerAnswersAcmeChallengesBeforeRouting() throws IOException {
        proxy = start(port -> """
                [basic]
                acme_dir = "%3$s"

                [upstreams.backend]
                addrs = ["%1$s"]

                [locations.all]
                path = "/"
                upstream = "backend"

                [servers.http]
                addr = "127.0.0.1:%2$d"
                locations = ["all"]

                [certificates.site]
                domains = ["site.test"]
                acme = "lets_encrypt"
                acme_directory = "https://127.0.0.1:1/dir"
                """.formatted(origin.addr(), port, dir.resolve("acme")));
        proxy.runtime.tls.challenges.put("tok-123_abc", "tok-123_abc.thumb");
        WireClient.Response r = WireClient.exchange(proxy.port(),
                "GET /.well-known/acme-challenge/tok-123_abc HTTP/1.1", "Host: site.test");
        assertEquals(200, r.status());
        assertEquals("tok-123_abc.thumb", r.body());
        assertEquals(0, origin.seen().size());
        assertEquals(200, WireClient.exchange(proxy.port(), "GET /.well-known/acme-challenge/unknown HTTP/1.1",
                "Host: site.test").status(), "an unknown token is routed as usual");
    }

    private HttpsServer httpsOrigin(String... names) throws IOException {
        HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        s.setHttpsConfigurator(new HttpsConfigurator(ca.issue(names).context(null)));
        s.createContext("/", ex -> {
            byte[] b = "tls-origin".getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        s.start();
        return s;
    }

    private static void touch(Path[] files) throws IOException {
        java.nio.file.attribute.FileTime later = java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000);
        for (Path f : files) {
            Files.setLastModifiedTime(f, later);
        }
    }

    private static String serial(SSLSocket s) throws IOException {
        return serial((X509Certificate) s.getSession().getPeerCertificates()[0]);
    }

    private static String serial(X509Certificate c) {
        return c.getSerialNumber().toString(16);
    }

    @Test
    void garbageInsteadOfAClientHelloClosesOnlyThatConnection() throws IOException {
        startProxy("global_certificates = true", twoCertificates());
        try (java.net.Socket raw = new java.net.Socket("127.0.0.1", proxy.port())) {
            raw.setSoTimeout(10_000);
            raw.getOutputStream().write("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] b = new byte[1024];
            // the server closes the connection (a read timeout would fail the test); an alert may come first
            while (raw.getInputStream().read(b) > 0) {
                continue;
            }
        }
        try (SSLSocket s = connect("a.test", ca.trustingContext())) {
            assertEquals(200, get(s, "a.test").status());
        }
        assertThrows(SSLHandshakeException.class, () -> connect("a.test", TestPki.create("other ca").trustingContext()));
    }
}
