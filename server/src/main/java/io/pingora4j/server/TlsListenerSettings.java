package io.pingora4j.server;

import io.pingora4j.server.config.ProxyConfig;
import io.pingora4j.server.config.ServerConfig;
import io.pingora4j.tls.ServerTlsSettings;

/**
 * A TLS server's negotiation settings from its {@code [servers.NAME]} keys (versions, cipher
 * suites, client certificates, handshake timeout). The keys are typed by the configuration reader;
 * what is checked here needs the JDK (a cipher suite it implements) or a file (the client CA bundle).
 *
 * <p>Stateless.
 */
final class TlsListenerSettings {

    private TlsListenerSettings() {
    }

    /** @throws io.pingora4j.tls.TlsConfigException naming the key ({@code tls_cipher_list}...) */
    static ServerTlsSettings of(ProxyConfig config, ServerConfig s) {
        ServerTlsSettings.Builder b = ServerTlsSettings.builder();
        if (s.tlsMinVersion() != null) {
            b.minVersion(s.tlsMinVersion());
        }
        if (s.tlsMaxVersion() != null) {
            b.maxVersion(s.tlsMaxVersion());
        }
        b.cipherList(s.tlsCipherList());
        b.cipherSuites(s.tlsCiphersuites());
        b.enableH2(s.enabledH2()); // ALPN offers h2 first, then http/1.1
        if (s.tlsClientAuth() != null) {
            b.clientAuth(s.tlsClientAuth(), s.tlsClientCa() == null ? null
                    : CertificateSources.pem(config, s.tlsClientCa(), "servers." + s.name() + " (tls_client_ca)"));
        }
        if (s.tlsHandshakeTimeout() != null) {
            b.handshakeTimeout(s.tlsHandshakeTimeout());
        }
        return b.build();
    }
}
