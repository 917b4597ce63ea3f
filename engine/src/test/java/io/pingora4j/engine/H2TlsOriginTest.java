package io.pingora4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.codec.h2.H2Limits;
import io.pingora4j.spi.HttpPeer;
import io.pingora4j.tls.ClientTls;
import io.pingora4j.tls.TlsProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** HTTP/2 to TLS origins by ALPN: "h2" only, or "h2" and "http/1.1" with the origin choosing; on both TLS engines. */
class H2TlsOriginTest {

    @TempDir
    Path dir;

    private Server server;
    private H2Origin h2Origin;
    private TlsFixtures.HttpsOrigin h1Origin;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.shutdown(Duration.ZERO);
        }
        if (h2Origin != null) {
            h2Origin.close();
        }
        if (h1Origin != null) {
            h1Origin.close();
        }
    }

    private SimpleProxy proxyTo(TlsProvider provider, int port, HttpPeer.Alpn alpn) {
        HttpPeer peer = HttpPeer.builder("127.0.0.1", port).tls(true).alpn(alpn)
                .caFile(TlsFixtures.caFile(dir).toString()).build();
        SimpleProxy p = new SimpleProxy(peer);
        server = Server.builder().threads(1).clientTls(new ClientTls(List.of("http/1.1"), provider))
                .listen("127.0.0.1:0", p).start();
        return p;
    }

    private void startH2Origin() throws Exception {
        h2Origin = new H2Origin(H2Limits.DEFAULTS, TlsFixtures.SERVER.context(null),
                call -> call.text(200, "h2 over tls " + call.head.target()));
    }

    private Clients.Response get(String path) throws Exception {
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: a.test\r\n\r\n").read();
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsProvider.class, names = {"JDK", "OPENSSL"})
    void anH2OnlyPeerSpeaksH2AfterAlpn(TlsProvider provider) throws Exception {
        startH2Origin();
        proxyTo(provider, h2Origin.port(), HttpPeer.Alpn.H2);
        for (int i = 0; i < 3; i++) {
            Clients.Response r = get("/x" + i);
            assertEquals(200, r.status());
            assertEquals("h2 over tls /x" + i, r.body());
        }
        assertEquals(1, h2Origin.connections.get(), "one connection, reused");
    }

    @ParameterizedTest
    @EnumSource(value = TlsProvider.class, names = {"JDK", "OPENSSL"})
    void aPeerOfferingBothSpeaksH2WhenTheOriginPicksIt(TlsProvider provider) throws Exception {
        startH2Origin();
        proxyTo(provider, h2Origin.port(), HttpPeer.Alpn.H2H1);
        for (int i = 0; i < 3; i++) {
            assertEquals("h2 over tls /y" + i, get("/y" + i).body());
        }
        assertEquals(1, h2Origin.connections.get(), "the first connection became the multiplexed one");
    }

    @ParameterizedTest
    @EnumSource(value = TlsProvider.class, names = {"JDK", "OPENSSL"})
    void aPeerOfferingBothSpeaksHttp1WhenTheOriginPicksIt(TlsProvider provider) throws Exception {
        h1Origin = new TlsFixtures.HttpsOrigin();
        proxyTo(provider, h1Origin.port(), HttpPeer.Alpn.H2H1);
        for (int i = 0; i < 3; i++) {
            Clients.Response r = get("/hello");
            assertEquals(200, r.status());
            assertEquals("hello over tls", r.body());
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsProvider.class, names = {"JDK", "OPENSSL"})
    void anH2OnlyPeerWhoseOriginRefusesH2Is502(TlsProvider provider) throws Exception {
        h1Origin = new TlsFixtures.HttpsOrigin();
        SimpleProxy p = proxyTo(provider, h1Origin.port(), HttpPeer.Alpn.H2);
        assertEquals(502, get("/hello").status());
        Await.until("logged", () -> !p.logged.isEmpty());
        assertTrue(p.logged.get(0).endsWith("502 CONNECT_FAILED"), p.logged.toString());
    }
}
