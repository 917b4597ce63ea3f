package io.pingora4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.spi.HttpPeer;
import io.pingora4j.tls.ServerEngineFactory;
import java.net.Socket;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The handshake's expensive work runs off the event loop: a server whose key lookup blocks keeps
 * its single loop serving other connections meanwhile.
 */
class TlsHandshakeOffLoopTest {

    private final Set<String> keyThreads = ConcurrentHashMap.newKeySet();
    private final CountDownLatch keyLookupEntered = new CountDownLatch(1);
    private final CountDownLatch releaseKeyLookup = new CountDownLatch(1);
    private Origins.Jdk origin;
    private Server server;
    private int plainPort;
    private int tlsPort;

    @BeforeEach
    void start() throws Exception {
        origin = new Origins.Jdk().route("/hello", ex -> Origins.Jdk.text(ex, 200, "hello"));
        SimpleProxy proxy = new SimpleProxy(HttpPeer.of("127.0.0.1", origin.port()));
        SSLContext ctx = blockingKeyContext();
        ServerEngineFactory tls = () -> {
            SSLEngine e = ctx.createSSLEngine();
            e.setUseClientMode(false);
            return e;
        };
        server = Server.builder().threads(1)
                .listen("127.0.0.1:0", proxy)
                .listenTls("127.0.0.1:0", proxy, tls)
                .start();
        plainPort = server.addresses().get(0).getPort();
        tlsPort = server.addresses().get(1).getPort();
    }

    @AfterEach
    void stop() {
        releaseKeyLookup.countDown();
        server.close();
        origin.close();
    }

    @Test
    void aHandshakeWaitingOnItsKeyDoesNotStopTheLoop() throws Exception {
        CompletableFuture<Integer> tlsStatus = CompletableFuture.supplyAsync(() -> {
            try (Clients.Conn c = new Clients.Conn(TlsFixtures.connect(tlsPort))) {
                return c.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n").read().status();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(keyLookupEntered.await(10, TimeUnit.SECONDS), "the TLS handshake reached the key lookup");

        try (Clients.Conn c = new Clients.Conn(plainPort)) {
            assertEquals(200, c.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n").read().status(),
                    "the only loop serves while a handshake waits");
        }
        assertFalse(tlsStatus.isDone());
        releaseKeyLookup.countDown();
        assertEquals(200, tlsStatus.get(10, TimeUnit.SECONDS));
    }

    @Test
    void handshakeWorkRunsOnTheTlsPoolNotOnTheLoop() throws Exception {
        releaseKeyLookup.countDown();
        try (Clients.Conn c = new Clients.Conn(TlsFixtures.connect(tlsPort))) {
            assertEquals(200, c.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
        }
        assertFalse(keyThreads.isEmpty());
        for (String t : keyThreads) {
            assertTrue(t.startsWith("pingora4j-tls-"), t);
        }
    }

    /** A server context whose key manager records its threads and waits for the test's go. */
    private SSLContext blockingKeyContext() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("leaf", TlsFixtures.SERVER.key(), new char[0],
                TlsFixtures.SERVER.chain().toArray(new X509Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        X509ExtendedKeyManager real = (X509ExtendedKeyManager) kmf.getKeyManagers()[0];
        X509ExtendedKeyManager blocking = new X509ExtendedKeyManager() {
            @Override
            public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
                keyThreads.add(Thread.currentThread().getName());
                keyLookupEntered.countDown();
                try {
                    releaseKeyLookup.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return real.chooseEngineServerAlias(keyType, issuers, engine);
            }

            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return real.getClientAliases(keyType, issuers);
            }

            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                return real.chooseClientAlias(keyType, issuers, socket);
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return real.getServerAliases(keyType, issuers);
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return real.chooseServerAlias(keyType, issuers, socket);
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return real.getCertificateChain(alias);
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return real.getPrivateKey(alias);
            }
        };
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(new javax.net.ssl.KeyManager[] {blocking}, null, null);
        return ctx;
    }
}
