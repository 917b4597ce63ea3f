package io.pingora4j.engine;

import io.pingora4j.tls.ClientEngineFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The engine's default client TLS, with the JDK alone: the system trust store (plus a peer's CA
 * file), host name verification against the SNI name (RFC 6125, the JDK's "HTTPS" rules), ALPN
 * "http/1.1", and no verification at all for a peer that turned it off. A server with its own
 * client TLS (versions, ciphers, client certificates) replaces this through
 * {@link Server.Builder#clientTls}.
 *
 * <p>One SSLContext per CA file, made on first use and kept (so the JDK's session cache resumes
 * sessions to an origin); the first connection to a peer with a CA file reads that file on the
 * loop, once.
 *
 * <p>Thread-safe.
 */
final class JdkClientEngineFactory implements ClientEngineFactory {

    private static final String[] ALPN = {"http/1.1"};

    private final Map<String, SSLContext> byCaFile = new ConcurrentHashMap<>();
    private volatile SSLContext system;
    private volatile SSLContext trustAll;

    @Override
    public SSLEngine newClientEngine(String sni, String host, int port, boolean verifyCert, String caFile) {
        String name = sni == null || sni.isEmpty() ? host : sni;
        SSLContext ctx = !verifyCert ? trustAll() : caFile == null ? system() : byCaFile.computeIfAbsent(caFile,
                JdkClientEngineFactory::trusting);
        SSLEngine engine = ctx.createSSLEngine(name, port);
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        if (verifyCert) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        // RFC 6066 §3: no IP literals in SNI
        p.setServerNames(sni == null || sni.isEmpty() || isIpLiteral(sni) ? List.of() : List.of(new SNIHostName(sni)));
        p.setApplicationProtocols(ALPN);
        engine.setSSLParameters(p);
        return engine;
    }

    static boolean isIpLiteral(String name) {
        if (name.indexOf(':') >= 0) {
            return true;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    private SSLContext system() {
        SSLContext c = system;
        if (c == null) {
            c = context(null);
            system = c;
        }
        return c;
    }

    private SSLContext trustAll() {
        SSLContext c = trustAll;
        if (c == null) {
            c = context(new TrustManager[] {new TrustingAll()});
            trustAll = c;
        }
        return c;
    }

    private static SSLContext context(TrustManager[] trust) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, trust, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JVM: " + e.getMessage(), e);
        }
    }

    /** Trusts the system's CAs and those in {@code caFile} (PEM or DER certificates). */
    private static SSLContext trusting(String caFile) {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            TrustManagerFactory systemTmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            systemTmf.init((KeyStore) null);
            for (TrustManager tm : systemTmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    for (X509Certificate c : x.getAcceptedIssuers()) {
                        ks.setCertificateEntry("system-" + i++, c);
                    }
                }
            }
            Collection<? extends Certificate> own;
            try (InputStream in = Files.newInputStream(Path.of(caFile))) {
                own = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (own.isEmpty()) {
                throw new IllegalArgumentException("CA file " + caFile + " holds no certificate");
            }
            for (Certificate c : own) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return context(tmf.getTrustManagers());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read CA file " + caFile + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("bad CA file " + caFile + ": " + e.getMessage(), e);
        }
    }

    /** For peers with verification off: any chain, any name. */
    private static final class TrustingAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
