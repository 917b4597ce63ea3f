package io.pingora4j.tls;

import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the server-side engine for each connection a TLS listener accepts: certificates chosen by
 * SNI from a {@link CertificateStore} (swappable while serving), the versions, suites, ALPN and
 * client-certificate policy of a {@link ServerTlsSettings}, from the {@link TlsProvider} chosen.
 *
 * <p>ALPN: the server's most preferred protocol among those the client offers; a client offering
 * only protocols we do not speak is served without ALPN (and so speaks HTTP/1.1), as nginx does,
 * rather than refused. Client-initiated renegotiation is refused (BoringSSL has none; the JDK's
 * through {@link JsseProperties}).
 *
 * <p>Resumption. BoringSSL: TLS 1.3 and 1.2 tickets under the process's {@link SessionTicketKeys}
 * (rotated, the previous key kept for decrypting), and TLS 1.2 session ids. JDK: its server session
 * cache only (no stateless tickets, see {@link JsseProperties}); sessions expire after the same
 * lifetime.
 *
 * <p>A listener whose cipher settings BoringSSL cannot honour exactly (a TLS 1.3 suite list, a TLS
 * 1.2 suite it lacks) gets the JDK's engine instead, and the log says why.
 *
 * <p>Thread-safe; {@link #newServerEngine()} does no I/O and does not block.
 */
public final class ServerTls implements ServerEngineFactory, AutoCloseable {

    static {
        JsseProperties.apply();
    }

    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);
    /** The ring shared by listeners built without one of their own. */
    private static volatile SessionTicketKeys sharedTickets;

    private final CertificateStore store;
    private final ServerTlsSettings settings;
    private final TlsProvider provider;
    private final NativeServerEngines nativeEngines;
    private final SSLContext context;
    private final String[] protocols;
    private final String[] cipherSuites;

    /** With the preferred provider ({@link TlsProvider#preferred()}) and the process's ticket keys. */
    public ServerTls(CertificateStore store, ServerTlsSettings settings) {
        this(store, settings, TlsProvider.preferred(), null);
    }

    /**
     * @param provider the engine wanted; falls back to the JDK's when BoringSSL does not load or
     *        cannot honour the cipher settings ({@link #provider()} says which runs)
     * @param tickets the session ticket keys; null for the process's ring with the default lifetime
     */
    public ServerTls(CertificateStore store, ServerTlsSettings settings, TlsProvider provider, SessionTicketKeys tickets) {
        this.store = Objects.requireNonNull(store, "store");
        this.settings = Objects.requireNonNull(settings, "settings");
        SessionTicketKeys keys = tickets != null ? tickets : sharedTickets();
        TlsProvider runs = provider.effective();
        if (runs == TlsProvider.OPENSSL) {
            String why = NativeServerEngines.cannotHonour(settings);
            if (why != null) {
                LOG.warn("{}; this listener uses the JDK's TLS engine to honour it", why);
                runs = TlsProvider.JDK;
            }
        }
        this.provider = runs;
        this.protocols = settings.protocols().toArray(new String[0]);
        this.cipherSuites = settings.enabledCipherSuites().toArray(new String[0]);
        if (runs == TlsProvider.OPENSSL) {
            this.nativeEngines = new NativeServerEngines(store, settings, keys);
            this.context = null;
            return;
        }
        this.nativeEngines = null;
        TrustManager[] trust = settings.clientAuth() == ServerTlsSettings.ClientAuth.NONE ? null
                : new TrustManager[] {TrustAnchors.trusting(settings.clientCas())};
        try {
            this.context = SSLContext.getInstance("TLS");
            this.context.init(new KeyManager[] {new SniKeyManager(store)}, trust, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no TLS implementation", e);
        }
        this.context.getServerSessionContext().setSessionTimeout((int) Math.min(Integer.MAX_VALUE,
                keys.lifetime().toSeconds()));
    }

    /** The process's ticket key ring, made on first use with the default lifetime. */
    public static SessionTicketKeys sharedTickets() {
        SessionTicketKeys t = sharedTickets;
        if (t == null) {
            synchronized (ServerTls.class) {
                t = sharedTickets;
                if (t == null) {
                    t = new SessionTicketKeys(SessionTicketKeys.DEFAULT_LIFETIME);
                    sharedTickets = t;
                }
            }
        }
        return t;
    }

    public CertificateStore store() {
        return store;
    }

    public ServerTlsSettings settings() {
        return settings;
    }

    /** The provider whose engines this makes (after any fallback). */
    public TlsProvider provider() {
        return provider;
    }

    @Override
    public SSLEngine newServerEngine() {
        if (nativeEngines != null) {
            return nativeEngines.newEngine();
        }
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

    /** Frees a native listener's SSL_CTX and credentials once its engines are released; nothing for the JDK's. */
    @Override
    public void close() {
        if (nativeEngines != null) {
            nativeEngines.close();
        }
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
