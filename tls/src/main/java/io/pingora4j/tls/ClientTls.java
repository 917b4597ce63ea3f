package io.pingora4j.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Makes the client-side engine for each TLS connection to an origin.
 *
 * <p>With {@code verifyCert}, the origin's chain must verify against the JDK's trust store plus
 * the optional CA bundle, and its certificate must carry the {@code sni} name (or, with no SNI
 * name, the host), checked as HTTPS does (RFC 2818/6125). Without, any certificate is accepted and
 * no name is checked. SNI is sent unless the name is an IP literal (RFC 6066 §3 forbids it). ALPN
 * offers http/1.1 unless constructed with another list.
 *
 * <p>One SSLContext per CA bundle is built and cached the first time the bundle is named, which
 * reads the file: call {@link #preload(String)} at config time so the event loop never does.
 * Thread-safe.
 */
public final class ClientTls implements ClientEngineFactory {

    static {
        JsseProperties.apply();
    }

    /** Cache key for "system trust store only". */
    private static final String SYSTEM_ONLY = "";

    private final List<String> alpn;
    private final ConcurrentHashMap<String, SSLContext> verifying = new ConcurrentHashMap<>();
    private volatile SSLContext insecure;

    /** ALPN ["http/1.1"]. */
    public ClientTls() {
        this(List.of("http/1.1"));
    }

    /** @param alpn protocols to offer, most preferred first; empty for no ALPN */
    public ClientTls(List<String> alpn) {
        this.alpn = List.copyOf(alpn);
    }

    /**
     * Reads and caches the CA bundle now (config time) rather than on the first connection.
     *
     * @throws TlsConfigException if the bundle is missing, unreadable or holds no certificate
     */
    public void preload(String caFile) {
        verifyingContext(caFile);
    }

    /** @throws TlsConfigException if {@code caFile} is given but cannot be read */
    @Override
    public SSLEngine newClientEngine(String sni, String host, int port, boolean verifyCert, String caFile) {
        String name = HostNames.normalize(sni);
        String peer = name != null ? name : host;
        SSLContext ctx = verifyCert ? verifyingContext(caFile) : insecureContext();
        SSLEngine engine = ctx.createSSLEngine(peer, port);
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        if (name != null && !HostNames.isIpLiteral(name)) {
            p.setServerNames(List.of(new SNIHostName(name)));
        } else {
            p.setServerNames(List.of());
        }
        if (verifyCert) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (!alpn.isEmpty()) {
            p.setApplicationProtocols(alpn.toArray(new String[0]));
        }
        engine.setSSLParameters(p);
        return engine;
    }

    private SSLContext verifyingContext(String caFile) {
        String key = caFile == null || caFile.isBlank() ? SYSTEM_ONLY : caFile;
        SSLContext ctx = verifying.get(key);
        if (ctx == null) {
            // Not computeIfAbsent: reading the file must not happen under the map's bin lock, and
            // two threads racing build equivalent contexts, one of which wins.
            List<X509Certificate> anchors = new ArrayList<>(TrustAnchors.system());
            if (!key.isEmpty()) {
                anchors.addAll(PemReader.readCertificates(PemSource.of(key, "upstream CA bundle")));
            }
            ctx = context(TrustAnchors.trusting(anchors));
            SSLContext raced = verifying.putIfAbsent(key, ctx);
            if (raced != null) {
                ctx = raced;
            }
        }
        return ctx;
    }

    private SSLContext insecureContext() {
        SSLContext ctx = insecure;
        if (ctx == null) {
            ctx = context(new TrustEverything());
            insecure = ctx;
        }
        return ctx;
    }

    private static SSLContext context(X509ExtendedTrustManager trust) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {trust}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no TLS implementation", e);
        }
    }

    /**
     * For origins configured with verification off. An X509ExtendedTrustManager, so JSSE does not
     * wrap it in its own identity checks.
     */
    private static final class TrustEverything extends X509ExtendedTrustManager {
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
