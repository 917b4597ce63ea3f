package io.pingora4j.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Client engines from BoringSSL for connections to origins. One SSL_CTX per trust setting (made by
 * {@link ClientTls}, which caches them), each with netty's client session cache, so a second
 * connection to the same origin resumes. The chain and the name are checked by the JDK trust
 * manager handed in (netty calls it from BoringSSL's verify callback), exactly as with the JDK
 * engine.
 */
final class NativeClientContexts {

    private static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    private NativeClientContexts() {
    }

    static SslContext context(X509ExtendedTrustManager trust, boolean verifyName, List<String> alpn) {
        try {
            SslContextBuilder b = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.OPENSSL_REFCNT)
                    // the chain check (the JDK's PKIX walk) stays a delegated task, run off the loop
                    .trustManager(trust)
                    .protocols(TlsVersion.TLS_1_3.jsseName(), TlsVersion.TLS_1_2.jsseName())
                    // the JDK trust manager checks the name when the engine's parameters ask for HTTPS
                    .endpointIdentificationAlgorithm(verifyName ? "HTTPS" : null);
            if (!alpn.isEmpty()) {
                b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
            }
            return b.build();
        } catch (SSLException e) {
            throw new IllegalStateException("BoringSSL refused a client context: " + e.getMessage(), e);
        }
    }

    /** An engine for {@code peer} (the SNI name, or the host: netty sends it as SNI unless it is an IP literal). */
    static SSLEngine newEngine(Object context, String peer, int port) {
        return ((SslContext) context).newEngine(ALLOC, peer, port);
    }
}
