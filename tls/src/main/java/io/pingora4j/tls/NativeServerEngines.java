package io.pingora4j.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.OpenSslServerSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.KeyManagerFactoryWrapper;
import io.netty.internal.tcnative.SSL;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * Server engines from BoringSSL: one SSL_CTX per listener (per certificate set and settings),
 * shared by every event loop, whose engines are reference counted ({@link TlsCodec#release()}
 * frees each). Session resumption: tickets under the process's {@link SessionTicketKeys}, installed
 * again whenever the ring rotates (checked as each engine is made), and TLS 1.2 session ids from
 * netty's server session cache; both expire after the ticket lifetime.
 *
 * <p>Thread-safe.
 */
final class NativeServerEngines {

    /** Netty copies through this only for heap buffers; TlsCodec's are direct. Unpooled: no arenas kept. */
    private static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    private final ReferenceCountedOpenSslContext context;
    private final NativeCredentials credentials;
    private final SessionTicketKeys tickets;
    private final boolean clientCipherOrder;
    private volatile long installedGeneration = -1;

    NativeServerEngines(CertificateStore store, ServerTlsSettings settings, SessionTicketKeys tickets) {
        this.tickets = tickets;
        this.credentials = new NativeCredentials(store);
        try {
            SslContextBuilder b = SslContextBuilder.forServer(new OpenSslCachingX509KeyManagerFactory(
                            new KeyManagerFactoryWrapper(new NativeSniKeyManager(store, credentials))))
                    .sslProvider(SslProvider.OPENSSL_REFCNT)
                    // the certificate choice is a map lookup: run it inline, not as a delegated task
                    .option(OpenSslContextOption.USE_TASKS, false)
                    .protocols(settings.protocols())
                    .ciphers(settings.enabledCipherSuites())
                    .sessionTimeout(tickets.lifetime().toSeconds());
            switch (settings.clientAuth()) {
                case REQUIRED -> b.clientAuth(ClientAuth.REQUIRE).trustManager(TrustAnchors.trusting(settings.clientCas()));
                case OPTIONAL -> b.clientAuth(ClientAuth.OPTIONAL).trustManager(TrustAnchors.trusting(settings.clientCas()));
                case NONE -> b.clientAuth(ClientAuth.NONE);
            }
            if (!settings.alpn().isEmpty()) {
                // our most preferred protocol the client offers; none in common: carry on without ALPN
                b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, settings.alpn()));
            }
            SslContext ctx = b.build();
            this.context = (ReferenceCountedOpenSslContext) ctx;
        } catch (SSLException e) {
            throw new TlsConfigException("tls", "BoringSSL refused the TLS settings: " + e.getMessage());
        }
        this.clientCipherOrder = !settings.preferServerCipherOrder();
        installTicketKeys();
    }

    /**
     * Why BoringSSL cannot serve {@code settings} exactly, or null if it can: it offers all three TLS
     * 1.3 suites whatever is configured, and lacks some TLS 1.2 suites the JDK has (DHE, CBC-SHA384...).
     */
    static String cannotHonour(ServerTlsSettings settings) {
        if (settings.maxVersion() == TlsVersion.TLS_1_3
                && !new HashSet<>(settings.tls13CipherSuites()).equals(new HashSet<>(CipherSuites.DEFAULT_TLS13))) {
            return "tls_ciphersuites: BoringSSL always enables all three TLS 1.3 suites";
        }
        if (settings.minVersion() == TlsVersion.TLS_1_2) {
            List<String> missing = new ArrayList<>();
            for (String suite : settings.tls12CipherSuites()) {
                if (!OpenSsl.isCipherSuiteAvailable(suite)) {
                    missing.add(suite);
                }
            }
            if (!missing.isEmpty()) {
                return "tls_cipher_list: BoringSSL does not implement " + missing;
            }
        }
        return null;
    }

    SSLEngine newEngine() {
        if (installedGeneration != tickets.current().generation()) {
            installTicketKeys();
        }
        ReferenceCountedOpenSslEngine engine = (ReferenceCountedOpenSslEngine) context.newEngine(ALLOC);
        if (clientCipherOrder) {
            // netty sets the server's order on its contexts; the JDK (and our default) follows the client's
            SSL.clearOptions(engine.sslPointer(), SSL.SSL_OP_CIPHER_SERVER_PREFERENCE);
        }
        return engine;
    }

    private synchronized void installTicketKeys() {
        SessionTicketKeys.Ring ring = tickets.current();
        if (installedGeneration == ring.generation()) {
            return;
        }
        OpenSslSessionTicketKey[] keys = new OpenSslSessionTicketKey[ring.keys().length];
        for (int i = 0; i < keys.length; i++) {
            byte[] k = ring.keys()[i];
            int p = SessionTicketKeys.PART;
            keys[i] = new OpenSslSessionTicketKey(Arrays.copyOfRange(k, 0, p), Arrays.copyOfRange(k, p, 2 * p),
                    Arrays.copyOfRange(k, 2 * p, 3 * p));
        }
        ((OpenSslServerSessionContext) context.sessionContext()).setTicketKeys(keys);
        installedGeneration = ring.generation();
    }

    void close() {
        context.release();
        credentials.close();
    }
}
