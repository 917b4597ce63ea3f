package io.pingora4j.engine;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.Session;
import io.pingora4j.spi.TlsInfo;
import io.pingora4j.tls.ServerEngineFactory;
import io.pingora4j.tls.TestPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SNIHostName;
import io.pingora4j.tls.CertificateStore;
import io.pingora4j.tls.CertifiedKey;
import io.pingora4j.tls.PemSource;
import io.pingora4j.tls.ServerTls;
import io.pingora4j.tls.ServerTlsSettings;
import io.pingora4j.tls.TlsProvider;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** Certificates, server engines, TLS clients and a TLS origin for the engine's TLS tests. */
final class TlsFixtures {

    static final TestPki CA = TestPki.create("engine-test-ca");
    /** The proxy's and the origin's certificate. */
    static final TestPki.Leaf SERVER = CA.issue("a.test", "localhost", "127.0.0.1");
    static final TestPki.Leaf CLIENT = CA.issue("client.test");

    private TlsFixtures() {
    }

    /**
     * Server engines from {@code provider} presenting {@link #SERVER}, offering ALPN http/1.1;
     * optionally demanding a client certificate from the CA.
     */
    static ServerEngineFactory serverTls(TlsProvider provider, boolean needClientAuth) {
        ServerTlsSettings.Builder settings = ServerTlsSettings.builder();
        if (needClientAuth) {
            settings.clientAuth(ServerTlsSettings.ClientAuth.REQUIRED, PemSource.inline(CA.certificatePem(), "ca"));
        }
        CertificateStore store = CertificateStore.of(List.of(CertifiedKey.of("a", SERVER.chain(), SERVER.key(),
                List.of(), true, "a.crt", "a.key")));
        return new ServerTls(store, settings.build(), provider, null);
    }

    /** A connected, handshaken TLS socket trusting the CA. */
    static SSLSocket connect(int port, String protocol, String alpn, String sni, SSLContext ctx) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
        SSLParameters p = s.getSSLParameters();
        if (protocol != null) {
            p.setProtocols(new String[] {protocol});
        }
        if (alpn != null) {
            p.setApplicationProtocols(new String[] {alpn});
        }
        if (sni != null) {
            p.setServerNames(List.of(new SNIHostName(sni)));
        }
        s.setSSLParameters(p);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    static SSLSocket connect(int port) throws IOException {
        return connect(port, null, null, null, CA.trustingContext());
    }

    /** The CA certificate as a PEM file in {@code dir}. */
    static Path caFile(Path dir) {
        try {
            return Files.writeString(dir.resolve("ca.pem"), CA.certificatePem());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A proxy that also records each request's scheme and TLS parameters. */
    static final class RecordingProxy extends SimpleProxy {
        final List<String> schemes = new CopyOnWriteArrayList<>();
        final List<TlsInfo> tls = new CopyOnWriteArrayList<>();

        RecordingProxy(io.pingora4j.spi.HttpPeer peer) {
            super(peer);
        }

        @Override
        public void logging(Session session, ProxyError error, Object ctx) {
            schemes.add(session.scheme());
            if (session.tls() != null) {
                tls.add(session.tls());
            }
            super.logging(session, error, ctx);
        }
    }

    /** The JDK's HTTPS server, presenting {@link #SERVER}: a TLS origin. */
    static final class HttpsOrigin implements AutoCloseable {
        /** /big answers this many 64 KiB blocks of 'x'. */
        static final int BIG_BLOCKS = 64;
        final HttpsServer server;
        private final ExecutorService pool = Executors.newFixedThreadPool(4);

        HttpsOrigin() throws IOException {
            server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            server.setHttpsConfigurator(new HttpsConfigurator(SERVER.context(null)));
            server.setExecutor(pool);
            server.createContext("/hello", ex -> {
                try (ex) {
                    Origins.Jdk.text(ex, 200, "hello over tls");
                }
            });
            server.createContext("/big", ex -> {
                try (ex) {
                    byte[] block = new byte[64 * 1024];
                    java.util.Arrays.fill(block, (byte) 'x');
                    ex.sendResponseHeaders(200, BIG_BLOCKS * (long) block.length);
                    for (int i = 0; i < BIG_BLOCKS; i++) {
                        ex.getResponseBody().write(block);
                    }
                }
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
            pool.shutdownNow();
        }
    }

    static Socket plain(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        return s;
    }
}
