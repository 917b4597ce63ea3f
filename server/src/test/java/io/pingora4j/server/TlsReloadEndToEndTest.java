package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.tls.TestPki;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reload that changes a TLS server's certificate: new handshakes get the new one, an open connection keeps serving. */
class TlsReloadEndToEndTest {

    @TempDir
    Path dir;
    private final TestPki ca = TestPki.create("pingora4j reload ca");

    private String config(int port, TestOrigin origin, Path[] keys) {
        return """
                [basic]
                tls_provider = "jdk"
                certificate_check_interval = "1h"

                [upstreams.backend]
                addrs = ["%s"]

                [locations.all]
                path = "/"
                upstream = "backend"

                [servers.https]
                addr = "127.0.0.1:%d"
                locations = ["all"]
                tls_cert = "%s"
                tls_key = "%s"
                """.formatted(origin.addr(), port, keys[0], keys[1]);
    }

    private SSLSocket connect(int port) throws Exception {
        SSLSocket s = (SSLSocket) ca.trustingContext().getSocketFactory().createSocket("127.0.0.1", port);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName("site.test")));
        s.setSSLParameters(p);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    private static String subject(SSLSocket s) throws IOException {
        return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }

    @Test
    void aChangedCertificateServesNewHandshakesWhileAnOpenConnectionCarriesOn() throws Exception {
        int port = FreePort.pick();
        Path[] first = ca.issue("site.test").write(dir, "first");
        Path[] second = ca.issue("site.test", "renewed.site.test").write(dir, "second");
        try (TestOrigin origin = TestOrigin.start("origin")) {
            Path file = dir.resolve("pingora4j.toml");
            ReloadingProxy.write(file, config(port, origin, first));
            try (ReloadingProxy proxy = ReloadingProxy.start(file); SSLSocket open = connect(port)) {
                WireClient before = new WireClient(open);
                assertEquals(200, before.send("GET / HTTP/1.1\r\nHost: site.test\r\n\r\n").read().status());
                X509Certificate was = (X509Certificate) open.getSession().getPeerCertificates()[0];

                ReloadingProxy.write(file, config(port, origin, second));
                assertTrue(proxy.reload().ok());

                try (SSLSocket fresh = connect(port)) {
                    X509Certificate now = (X509Certificate) fresh.getSession().getPeerCertificates()[0];
                    assertNotEquals(was.getSerialNumber(), now.getSerialNumber(), "the new handshake got the old certificate");
                    assertEquals(subject(open), subject(fresh));
                }
                assertEquals(200, before.send("GET / HTTP/1.1\r\nHost: site.test\r\n\r\n").read().status(),
                        "the connection opened before the reload still serves");
            }
        }
    }
}
