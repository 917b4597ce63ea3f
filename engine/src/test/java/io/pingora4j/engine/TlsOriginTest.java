package io.pingora4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.spi.HttpPeer;
import io.pingora4j.tls.ClientTls;
import io.pingora4j.tls.TlsProvider;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proxying to a TLS origin (the JDK's HTTPS server, certificate from the test CA). */
abstract class TlsOriginTest {

    /** The provider of the engines toward origins ({@link TlsOriginOnJdkTest}, {@link TlsOriginOnOpenSslTest}). */
    abstract TlsProvider provider();

    private ClientTls clientTls() {
        return new ClientTls(List.of("http/1.1"), provider());
    }

    @TempDir
    Path dir;

    private TlsFixtures.HttpsOrigin origin;
    private Server server;
    private SimpleProxy proxy;

    @BeforeEach
    void startOrigin() throws Exception {
        origin = new TlsFixtures.HttpsOrigin();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        origin.close();
    }

    private void proxyTo(HttpPeer.Builder peer) {
        proxy = new SimpleProxy(peer.build());
        server = Server.builder().threads(1).clientTls(clientTls()).listen("127.0.0.1:0", proxy).start();
    }

    private HttpPeer.Builder peer() {
        return HttpPeer.builder("127.0.0.1", origin.port()).tls(true);
    }

    private Clients.Response get() throws Exception {
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            return c.send("GET /hello HTTP/1.1\r\nHost: a.test\r\n\r\n").read();
        }
    }

    @Test
    void anOriginWhoseCertificateVerifiesAgainstTheCaFileIsProxied() throws Exception {
        proxyTo(peer().sni("a.test").caFile(TlsFixtures.caFile(dir).toString()));
        Clients.Response r = get();
        assertEquals(200, r.status());
        assertEquals("hello over tls", r.body());
    }

    @Test
    void anOriginReachedByIpIsVerifiedAgainstItsIpAddress() throws Exception {
        proxyTo(peer().caFile(TlsFixtures.caFile(dir).toString()));
        assertEquals(200, get().status());
    }

    @Test
    void aCertificateForAnotherNameIs502() throws Exception {
        proxyTo(peer().sni("b.test").caFile(TlsFixtures.caFile(dir).toString()));
        assertEquals(502, get().status());
        Await.until("logged", () -> !proxy.logged.isEmpty());
        assertEquals("GET /hello 502 CONNECT_FAILED", proxy.logged.get(0));
    }

    @Test
    void aCertificateFromAnUntrustedCaIs502() throws Exception {
        proxyTo(peer().sni("a.test")); // the system trust store does not know the test CA
        assertEquals(502, get().status());
    }

    @Test
    void withVerificationOffAnyCertificateIsAccepted() throws Exception {
        proxyTo(peer().sni("b.test").verifyCert(false));
        assertEquals(200, get().status());
    }

    @Test
    void theUpstreamTlsConnectionIsReusedForTheNextRequest() throws Exception {
        proxyTo(peer().sni("a.test").caFile(TlsFixtures.caFile(dir).toString()));
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, c.send("GET /hello HTTP/1.1\r\nHost: a.test\r\n\r\n").read().status());
            }
        }
        assertEquals(1, server.stats().upstreamConnects());
        assertEquals(2, server.stats().upstreamReused());
    }

    @Test
    void aLargeResponseFromATlsOriginArrivesWhole() throws Exception {
        proxyTo(peer().sni("a.test").caFile(TlsFixtures.caFile(dir).toString()));
        long expected = TlsFixtures.HttpsOrigin.BIG_BLOCKS * 64L * 1024;
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            Clients.Response r = c.send("GET /big HTTP/1.1\r\nHost: a.test\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals(expected, r.body().length());
            assertEquals(expected, r.body().chars().filter(ch -> ch == 'x').count());
        }
    }

    @Test
    void anOriginThatNeverAnswersTheHandshakeIs504() throws Exception {
        try (Origins.Raw silent = new Origins.Raw(s -> {
            try {
                s.getInputStream().readAllBytes(); // takes the ClientHello, says nothing
            } catch (java.io.IOException ignored) {
                // closed by the test
            }
        })) {
            proxy = new SimpleProxy(HttpPeer.builder("127.0.0.1", silent.port()).tls(true).build());
            server = Server.builder().threads(1).clientTls(clientTls()).listen("127.0.0.1:0", proxy)
                    .tlsHandshakeTimeout(java.time.Duration.ofMillis(300)).start();
            assertEquals(504, get().status());
            Await.until("logged", () -> !proxy.logged.isEmpty());
            assertEquals("GET /hello 504 CONNECT_TIMEOUT", proxy.logged.get(0));
        }
    }

    @Test
    void anUnreadableCaFileIs502() throws Exception {
        proxyTo(peer().caFile(dir.resolve("missing.pem").toString()));
        assertEquals(502, get().status());
        Await.until("logged", () -> !proxy.logged.isEmpty());
        assertTrue(proxy.logged.get(0).endsWith("CONNECT_FAILED"), proxy.logged.get(0));
    }
}
