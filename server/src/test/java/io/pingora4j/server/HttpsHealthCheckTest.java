package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.lb.Backend;
import io.pingora4j.lb.HealthCheckSpec;
import io.pingora4j.server.config.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code https://} health checks: TLS with the JDK's {@link SSLSocket}, SNI = the URL's host, the
 * default trust store unless the upstream says {@code verify_cert = false}. The TLS origin uses a
 * self-signed certificate made by the JDK's keytool, which the default trust store does not trust.
 */
class HttpsHealthCheckTest {

    @TempDir
    static Path dir;

    /** One self-signed certificate for the class: keytool takes about a second. */
    private static SSLContext serverTls;

    private SSLServerSocket tlsOrigin;
    private Thread acceptor;
    private final ConcurrentLinkedQueue<String> sniSeen = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void makeCertificate() throws Exception {
        Path store = dir.resolve("origin.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "origin", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=checked.test", "-validity", "2", "-keystore", store.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(keytool.waitFor(30, TimeUnit.SECONDS) && keytool.exitValue() == 0, "keytool failed: " + out);

        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        serverTls = SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);
    }

    @BeforeEach
    void startTlsOrigin() throws Exception {
        tlsOrigin = (SSLServerSocket) serverTls.getServerSocketFactory().createServerSocket();
        tlsOrigin.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        acceptor = new Thread(this::serve, "tls-origin");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Answers every request on every connection 200 "ok", one connection at a time. */
    private void serve() {
        while (!tlsOrigin.isClosed()) {
            try (SSLSocket s = (SSLSocket) tlsOrigin.accept()) {
                s.setSoTimeout(5_000);
                s.startHandshake();
                for (SNIServerName n : ((ExtendedSSLSession) s.getSession()).getRequestedServerNames()) {
                    sniSeen.add(((SNIHostName) n).getAsciiName());
                }
                InputStream in = s.getInputStream();
                int matched = 0;
                while (matched < 4) {
                    int c = in.read();
                    if (c < 0) {
                        break;
                    }
                    matched = c == "\r\n\r\n".charAt(matched) ? matched + 1 : (c == '\r' ? 1 : 0);
                }
                OutputStream o = s.getOutputStream();
                o.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1));
                o.flush();
            } catch (IOException e) {
                // a failed handshake (the verifying check refusing our certificate): next connection
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        tlsOrigin.close();
        acceptor.join(5_000);
    }

    private Backend tlsBackend() {
        return Backend.of("127.0.0.1:" + tlsOrigin.getLocalPort());
    }

    @Test
    void anHttpsCheckPassesAgainstATlsOriginWhenVerifyCertIsOff() {
        HealthCheckSpec spec = HealthCheckSpec.parse("https://checked.test/health");
        assertTrue(ActiveHealthChecker.check(spec, tlsBackend(), false));
    }

    @Test
    void anHttpsCheckSendsTheUrlHostAsSni() {
        ActiveHealthChecker.check(HealthCheckSpec.parse("https://checked.test/health"), tlsBackend(), false);
        assertEquals(List.of("checked.test"), new ArrayList<>(sniSeen));
    }

    @Test
    void anHttpsCheckFailsOnACertificateTheDefaultTrustStoreDoesNotTrust() {
        HealthCheckSpec spec = HealthCheckSpec.parse("https://checked.test/health");
        assertFalse(ActiveHealthChecker.check(spec, tlsBackend(), true));
    }

    @Test
    void anHttpsCheckFailsAgainstAPlainHttpOrigin() throws IOException {
        try (SwitchableOrigin plain = SwitchableOrigin.start("plain")) {
            HealthCheckSpec spec = HealthCheckSpec.parse("https://checked.test/health?read_timeout=300ms");
            assertFalse(ActiveHealthChecker.check(spec, Backend.of(plain.addr()), false));
        }
    }

    @Test
    void aTcpCheckWithTlsDoesAHandshake() throws IOException {
        try (SwitchableOrigin plain = SwitchableOrigin.start("plain")) {
            HealthCheckSpec spec = HealthCheckSpec.parse("tcp://checked.test?tls&read_timeout=300ms");
            assertTrue(ActiveHealthChecker.check(spec, tlsBackend(), false));
            assertFalse(ActiveHealthChecker.check(spec, Backend.of(plain.addr()), false));
        }
    }

    @Test
    void httpsAndGrpcChecksAreAccepted() throws Exception {
        List<String> problems = new ArrayList<>();
        ServerRuntime rt = ServerRuntime.build(ConfigLoader.parse("""
                [upstreams.s]
                addrs = ["127.0.0.1:8443"]
                health_check = "https://s/health"

                [upstreams.g]
                addrs = ["127.0.0.1:8444"]
                health_check = "grpc://g?service=x"
                """, "test.toml"), null, problems);
        assertEquals(List.of(), problems);
        rt.close();
    }
}
