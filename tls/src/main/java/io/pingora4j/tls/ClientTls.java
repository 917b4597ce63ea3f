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
 * offers http/1.1 unless constructed with another list; {@link #withAlpn} gives a sibling offering
 * another (["h2", "http/1.1"] for origins that may speak HTTP/2) that shares this one's provider
 * and CA bundles, so a bundle is read once whatever the ALPN list.
 *
 * <p>Engines come from the {@link TlsProvider} given (BoringSSL or the JDK's), with the same checks.
 * One context per CA bundle is built and cached the first time the bundle is named, which
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
    private final TlsProvider wanted;
    private volatile TlsProvider provider;
    /** SSLContext (JDK) or netty's SslContext (BoringSSL), per CA bundle. */
    private final ConcurrentHashMap<String, Object> verifying = new ConcurrentHashMap<>();
    private volatile Object insecure;
    /** The instance siblings were derived from (this one for the first); it holds the shared caches below. */
    private final ClientTls root;
    /** Root only: the CA bundles' certificates as read, per bundle (system anchors included). */
    private final ConcurrentHashMap<String, List<X509Certificate>> anchors;
    /** Root only: siblings by ALPN list. */
    private final ConcurrentHashMap<List<String>, ClientTls> siblings;

    /** ALPN ["http/1.1"], the preferred provider. */
    public ClientTls() {
        this(List.of("http/1.1"));
    }

    /** @param alpn protocols to offer, most preferred first; empty for no ALPN */
    public ClientTls(List<String> alpn) {
        this(alpn, null);
    }

    /**
     * @param alpn protocols to offer, most preferred first; empty for no ALPN
     * @param provider the engine wanted (the JDK's if BoringSSL does not load); null for
     *        {@link TlsProvider#preferred()}, decided when the first context is built
     */
    public ClientTls(List<String> alpn, TlsProvider provider) {
        this.alpn = List.copyOf(alpn);
        this.wanted = provider;
        this.root = this;
        this.anchors = new ConcurrentHashMap<>();
        this.siblings = new ConcurrentHashMap<>();
    }

    private ClientTls(ClientTls root, List<String> alpn) {
        this.alpn = List.copyOf(alpn);
        this.wanted = root.wanted;
        this.root = root;
        this.anchors = null;
        this.siblings = null;
    }

    /**
     * The same checks and provider, offering {@code protocols} by ALPN; one instance per list
     * (thread-safe). CA bundles preloaded here are preloaded there too.
     */
    @Override
    public ClientTls withAlpn(List<String> protocols) {
        if (protocols.equals(alpn)) {
            return this;
        }
        if (root != this) {
            return root.withAlpn(protocols);
        }
        return siblings.computeIfAbsent(List.copyOf(protocols), p -> new ClientTls(this, p));
    }

    /** The ALPN protocols offered, most preferred first. */
    public List<String> alpn() {
        return alpn;
    }

    /** The provider whose engines this makes; decides it (loading BoringSSL) on the first call. */
    public TlsProvider provider() {
        if (root != this) {
            return root.provider();
        }
        TlsProvider p = provider;
        if (p == null) {
            p = wanted == null ? TlsProvider.preferred() : wanted.effective();
            provider = p;
        }
        return p;
    }

    /**
     * Reads and caches the CA bundle now (config time) rather than on the first connection.
     *
     * @throws TlsConfigException if the bundle is missing, unreadable or holds no certificate
     */
    public void preload(String caFile) {
        if (root != this) {
            root.preload(caFile);
            return;
        }
        verifyingContext(caFile);
        for (ClientTls s : siblings.values()) {
            s.verifyingContext(caFile);
        }
    }

    /** @throws TlsConfigException if {@code caFile} is given but cannot be read */
    @Override
    public SSLEngine newClientEngine(String sni, String host, int port, boolean verifyCert, String caFile) {
        String name = HostNames.normalize(sni);
        String peer = name != null ? name : host;
        Object ctx = verifyCert ? verifyingContext(caFile) : insecureContext();
        if (!(ctx instanceof SSLContext jdk)) {
            return NativeClientContexts.newEngine(ctx, peer, port);
        }
        SSLEngine engine = jdk.createSSLEngine(peer, port);
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

    private Object verifyingContext(String caFile) {
        String key = caFile == null || caFile.isBlank() ? SYSTEM_ONLY : caFile;
        Object ctx = verifying.get(key);
        if (ctx == null) {
            // Not computeIfAbsent: reading the file must not happen under the map's bin lock, and
            // two threads racing build equivalent contexts, one of which wins.
            ctx = context(TrustAnchors.trusting(root.anchors(key)), true);
            Object raced = verifying.putIfAbsent(key, ctx);
            if (raced != null) {
                ctx = raced;
            }
        }
        return ctx;
    }

    /** The certificates a bundle key trusts (the system's, plus the bundle's), read once for all siblings. */
    private List<X509Certificate> anchors(String key) {
        List<X509Certificate> a = anchors.get(key);
        if (a == null) {
            List<X509Certificate> read = new ArrayList<>(TrustAnchors.system());
            if (!key.isEmpty()) {
                read.addAll(PemReader.readCertificates(PemSource.of(key, "upstream CA bundle")));
            }
            a = List.copyOf(read);
            List<X509Certificate> raced = anchors.putIfAbsent(key, a);
            if (raced != null) {
                a = raced;
            }
        }
        return a;
    }

    private Object insecureContext() {
        Object ctx = insecure;
        if (ctx == null) {
            ctx = context(new TrustEverything(), false);
            insecure = ctx;
        }
        return ctx;
    }

    private Object context(X509ExtendedTrustManager trust, boolean verifyName) {
        if (provider() == TlsProvider.OPENSSL) {
            return NativeClientContexts.context(trust, verifyName, alpn);
        }
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
