package io.pingora4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.TlsInfo;
import io.pingora4j.tls.TlsCodec;
import io.pingora4j.tls.TlsProvider;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HTTP/1.1 over a TLS listener: real TLS clients (the JDK's) → proxy → plain origin. */
abstract class TlsListenerTest {

    /** The listener's TLS provider ({@link TlsListenerOnJdkTest}, {@link TlsListenerOnOpenSslTest}). */
    abstract TlsProvider provider();


    private final java.util.concurrent.atomic.AtomicBoolean uploadStarted = new java.util.concurrent.atomic.AtomicBoolean();
    private Origins.Jdk origin;
    private TlsFixtures.RecordingProxy proxy;
    private Server server;

    @BeforeEach
    void start() throws Exception {
        origin = new Origins.Jdk()
                .route("/hello", ex -> Origins.Jdk.text(ex, 200, "hello " + ex.getRequestURI().getQuery()))
                .route("/echo", ex -> {
                    byte[] body = ex.getRequestBody().readAllBytes();
                    ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
                    ex.getResponseBody().write(body);
                })
                .route("/upload", ex -> {
                    uploadStarted.set(true);
                    Origins.Jdk.text(ex, 200, "got " + ex.getRequestBody().readAllBytes().length);
                });
        proxy = new TlsFixtures.RecordingProxy(HttpPeer.of("127.0.0.1", origin.port()));
        server = Server.builder().threads(2)
                .listenTls("127.0.0.1:0", proxy, TlsFixtures.serverTls(provider(), false))
                // longer than any client's wait here: a connection closed early was closed for its bytes
                .tlsHandshakeTimeout(Duration.ofSeconds(60))
                .start();
    }

    @AfterEach
    void stop() {
        server.close();
        origin.close();
    }

    private HttpClient client() {
        return HttpClient.newBuilder().sslContext(TlsFixtures.CA.trustingContext())
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    private URI uri(String path) {
        return URI.create("https://127.0.0.1:" + server.port() + path);
    }

    /** A request on a TLS connection of its own, proving the listener still serves. */
    private void assertStillServing() throws Exception {
        try (Clients.Conn c = new Clients.Conn(TlsFixtures.connect(server.port()))) {
            Clients.Response r = c.send("GET /hello?still HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("hello still", r.body());
        }
    }

    @Test
    void getOverTlsIsProxiedAndTheSchemeIsHttps() throws Exception {
        HttpResponse<String> r = client().send(HttpRequest.newBuilder(uri("/hello?x=1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("hello x=1", r.body());
        Await.until("logged", () -> !proxy.schemes.isEmpty());
        assertEquals("https", proxy.schemes.get(0));
    }

    @Test
    void aLargePostGoesThroughTlsBothWays() throws Exception {
        byte[] body = new byte[3 << 20];
        new Random(7).nextBytes(body);
        HttpResponse<byte[]> r = client().send(HttpRequest.newBuilder(uri("/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertArrayEquals(body, r.body());
    }

    @Test
    void keepAliveRequestsShareOneTlsConnection() throws Exception {
        try (Clients.Conn c = new Clients.Conn(TlsFixtures.connect(server.port()))) {
            for (int i = 0; i < 5; i++) {
                Clients.Response r = c.send("GET /hello?n=" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
                assertEquals(200, r.status());
                assertEquals("hello n=" + i, r.body());
            }
        }
        assertEquals(1, server.stats().connectionsAccepted());
        assertEquals(5, server.stats().requests());
    }

    @Test
    void anIdleKeepAliveTlsConnectionHoldsNoRecordBuffer() throws Exception {
        try (Clients.Conn c = new Clients.Conn(TlsFixtures.connect(server.port()))) {
            assertEquals(200, c.send("GET /hello?idle HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
            Await.until("the idle connection's buffers are back in the pool",
                    () -> server.stats().tlsBuffersOutstanding() == 0);
            assertEquals(200, c.send("GET /hello?again HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
        }
    }

    @Test
    void aTlsConnectionWaitingMidBodyHoldsNoRecordBuffer() throws Exception {
        try (Clients.Conn c = new Clients.Conn(TlsFixtures.connect(server.port()))) {
            c.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 30000\r\n\r\n").send(new byte[20_000]);
            Await.until("the origin has the request", uploadStarted::get);
            Await.until("the waiting connection's buffers are back in the pool",
                    () -> server.stats().tlsBuffersOutstanding() == 0);
            Clients.Response r = c.send(new byte[10_000]).read();
            assertEquals("got 30000", r.body());
        }
    }

    @Test
    void pipelinedRequestsInOneRecordAreAllAnswered() throws Exception {
        try (Clients.Conn c = new Clients.Conn(TlsFixtures.connect(server.port()))) {
            c.send("GET /hello?p=1 HTTP/1.1\r\nHost: a\r\n\r\nGET /hello?p=2 HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("hello p=1", c.read().body());
            assertEquals("hello p=2", c.read().body());
        }
    }

    private TlsInfo tlsOfOneRequest(SSLSocket s) throws Exception {
        try (Clients.Conn c = new Clients.Conn(s)) {
            assertEquals(200, c.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
        }
        Await.until("logged", () -> !proxy.tls.isEmpty());
        return proxy.tls.get(0);
    }

    @Test
    void aTls12OnlyClientIsServedOverTls12() throws Exception {
        TlsInfo t = tlsOfOneRequest(TlsFixtures.connect(server.port(), "TLSv1.2", null, null,
                TlsFixtures.CA.trustingContext()));
        assertEquals("TLSv1.2", t.version());
        assertNotNull(t.cipherSuite());
    }

    @Test
    void aTls13OnlyClientIsServedOverTls13() throws Exception {
        TlsInfo t = tlsOfOneRequest(TlsFixtures.connect(server.port(), "TLSv1.3", null, null,
                TlsFixtures.CA.trustingContext()));
        assertEquals("TLSv1.3", t.version());
        assertTrue(t.cipherSuite().startsWith("TLS_"), t.cipherSuite());
    }

    @Test
    void alpnAndSniAreVisibleToFilters() throws Exception {
        TlsInfo t = tlsOfOneRequest(TlsFixtures.connect(server.port(), null, "http/1.1", "a.test",
                TlsFixtures.CA.trustingContext()));
        assertEquals("http/1.1", t.alpn());
        assertEquals("a.test", t.serverName());
        assertNull(t.clientSubject(), "no client certificate without mTLS");
    }

    @Test
    void aClientWithoutAlpnOrSniSeesNeither() throws Exception {
        TlsInfo t = tlsOfOneRequest(TlsFixtures.connect(server.port()));
        assertNull(t.alpn());
        assertNull(t.serverName(), "an IP literal is never sent as SNI");
    }

    @Test
    void aClientCertificateSubjectIsVisibleWithMutualTls() throws Exception {
        TlsFixtures.RecordingProxy mtlsProxy = new TlsFixtures.RecordingProxy(HttpPeer.of("127.0.0.1", origin.port()));
        try (Server mtls = Server.builder().threads(1)
                .listenTls("127.0.0.1:0", mtlsProxy, TlsFixtures.serverTls(provider(), true)).start();
             Clients.Conn c = new Clients.Conn(TlsFixtures.connect(mtls.port(), null, null, null,
                     TlsFixtures.CLIENT.context(TlsFixtures.CA.trustManagers())))) {
            assertEquals(200, c.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
            Await.until("logged", () -> !mtlsProxy.tls.isEmpty());
            assertEquals("CN=client.test", mtlsProxy.tls.get(0).clientSubject());
        }
    }

    @Test
    void aRequestArrivingWithTheClientsFinishedIsAnswered() throws Exception {
        SSLEngine engine = TlsFixtures.CA.trustingContext().createSSLEngine("127.0.0.1", server.port());
        engine.setUseClientMode(true);
        TlsCodec codec = new TlsCodec(engine);
        try (Socket s = TlsFixtures.plain(server.port())) {
            WritableByteChannel out = Channels.newChannel(s.getOutputStream());
            ReadableByteChannel in = Channels.newChannel(s.getInputStream());
            TlsCodec.HandshakeStep step;
            while ((step = codec.handshake()) != TlsCodec.HandshakeStep.DONE) {
                if (step == TlsCodec.HandshakeStep.NEED_TASK) {
                    Runnable t;
                    while ((t = codec.delegatedTask()) != null) {
                        t.run();
                    }
                    continue;
                }
                out.write(codec.networkOutput());
                if (step == TlsCodec.HandshakeStep.NEED_INPUT && in.read(codec.networkInput()) < 0) {
                    throw new AssertionError("closed during the handshake");
                }
            }
            assertEquals("TLSv1.3", engine.getSession().getProtocol());
            // the client's Finished is still queued: the request goes in the same write
            codec.wrap(ByteBuffer.wrap("GET /hello?early HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII)));
            out.write(codec.networkOutput());

            ByteBuffer plain = ByteBuffer.allocate(1 << 16);
            while (true) {
                int n = codec.unwrap(plain);
                if (n < 0 || (n == 0 && in.read(codec.networkInput()) < 0)) {
                    break;
                }
            }
            String response = new String(plain.array(), 0, plain.position(), StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.endsWith("hello early"), response);
        }
    }

    @Test
    void anHttp2CapableClientIsAnsweredOverHttp11() throws Exception {
        HttpClient h2 = HttpClient.newBuilder().sslContext(TlsFixtures.CA.trustingContext())
                .version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> r = h2.send(HttpRequest.newBuilder(uri("/hello?h=2")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals(HttpClient.Version.HTTP_1_1, r.version());
    }

    @Test
    void garbageInsteadOfAHandshakeClosesOnlyThatConnection() throws Exception {
        try (Socket s = TlsFixtures.plain(server.port())) {
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes());
            out.flush();
            assertTrue(drainsToEnd(s.getInputStream()), "the proxy closes the connection");
        }
        assertStillServing();
    }

    @Test
    void aTruncatedClientHelloClosesOnlyThatConnection() throws Exception {
        try (Socket s = TlsFixtures.plain(server.port())) {
            OutputStream out = s.getOutputStream();
            // a handshake record announcing 512 bytes of ClientHello, cut after 40 of them
            out.write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03});
            out.write(new byte[34]);
            out.flush();
            s.shutdownOutput();
            assertTrue(drainsToEnd(s.getInputStream()), "the proxy closes the connection");
        }
        assertStillServing();
    }

    @Test
    void anOversizedClientHelloClosesOnlyThatConnection() throws Exception {
        try (Socket s = TlsFixtures.plain(server.port())) {
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {0x16, 0x03, 0x01, (byte) 0xff, (byte) 0xff, 0x01, 0x00, (byte) 0xff, (byte) 0xfb});
            try {
                out.write(new byte[70_000]);
                out.flush();
            } catch (java.io.IOException closedWhileWriting) {
                // the proxy may close before taking it all: that is the point
            }
            assertTrue(drainsToEnd(s.getInputStream()), "the proxy closes the connection");
        }
        assertStillServing();
    }

    @Test
    void aClientThatNeverFinishesItsHandshakeIsClosedAtTheTimeout() throws Exception {
        try (Server impatient = Server.builder().threads(1)
                .listenTls("127.0.0.1:0", proxy, TlsFixtures.serverTls(provider(), false))
                .tlsHandshakeTimeout(Duration.ofMillis(300))
                .start();
             Socket s = TlsFixtures.plain(impatient.port())) {
            // half a ClientHello, then silence: the handshake timeout closes it (the read gives up after 10 s)
            s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01});
            s.getOutputStream().flush();
            assertTrue(drainsToEnd(s.getInputStream()), "the proxy closes the connection");
        }
    }

    /** Reads until the peer closes (an alert may come first); false if it does not within the socket timeout. */
    private static boolean drainsToEnd(InputStream in) {
        byte[] b = new byte[4096];
        try {
            while (in.read(b) >= 0) {
                // an alert, then the end
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.io.IOException reset) {
            return true;
        }
    }
}
