package io.pingora4j.tls;

import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;

/**
 * Makes the server-side engine for each connection a TLS listener accepts: certificates chosen by
 * SNI from a {@link CertificateStore} (swappable while serving), the versions, suites, ALPN and
 * client-certificate policy of a {@link ServerTlsSettings}.
 *
 * <p>ALPN: the server's most preferred protocol among those the client offers; a client offering
 * only protocols we do not speak is served without ALPN (and so speaks HTTP/1.1), as nginx does,
 * rather than refused. Client-initiated renegotiation is refused and no stateless session tickets
 * are issued, through {@link JsseProperties} (JVM-wide, set when this class loads).
 *
 * <p>Thread-safe; {@link #newServerEngine()} does no I/O and does not block.
 */
public final class ServerTls implements ServerEngineFactory {

    static {
        JsseProperties.apply();
    }

    private final CertificateStore store;
    private final ServerTlsSettings settings;
    private final SSLContext context;
    private final String[] protocols;
    private final String[] cipherSuites;

    public ServerTls(CertificateStore store, ServerTlsSettings settings) {
        this.store = Objects.requireNonNull(store, "store");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.protocols = settings.protocols().toArray(new String[0]);
        this.cipherSuites = settings.enabledCipherSuites().toArray(new String[0]);
        TrustManager[] trust = settings.clientAuth() == ServerTlsSettings.ClientAuth.NONE ? null
                : new TrustManager[] {TrustAnchors.trusting(settings.clientCas())};
        try {
            this.context = SSLContext.getInstance("TLS");
            this.context.init(new KeyManager[] {new SniKeyManager(store)}, trust, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no TLS implementation", e);
        }
    }

    public CertificateStore store() {
        return store;
    }

    public ServerTlsSettings settings() {
        return settings;
    }

    @Override
    public SSLEngine newServerEngine() {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters p = engine.getSSLParameters();
        p.setProtocols(protocols);
        p.setCipherSuites(cipherSuites);
        p.setUseCipherSuitesOrder(settings.preferServerCipherOrder());
        switch (settings.clientAuth()) {
            case REQUIRED -> p.setNeedClientAuth(true);
            case OPTIONAL -> p.setWantClientAuth(true);
            case NONE -> p.setNeedClientAuth(false);
        }
        engine.setSSLParameters(p);
        List<String> alpn = settings.alpn();
        if (!alpn.isEmpty()) {
            engine.setHandshakeApplicationProtocolSelector((e, offered) -> select(alpn, offered));
        }
        return engine;
    }

    /** Our first protocol the client offered; "" (no ALPN, carry on) if none. JSSE would alert on null. */
    static String select(List<String> ours, List<String> offered) {
        for (String p : ours) {
            if (offered.contains(p)) {
                return p;
            }
        }
        return "";
    }
}
