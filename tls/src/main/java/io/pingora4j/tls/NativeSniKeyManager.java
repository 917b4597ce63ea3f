package io.pingora4j.tls;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The SNI certificate choice for BoringSSL engines. Netty asks its key manager for one alias per
 * key type in the order of the server's own cipher list, not of what the client can use, so a name
 * with an RSA and an EC certificate would get whichever comes first. Instead this answers the first
 * call with the best-matching name's first certificate (netty installs it), and, when the name has
 * more than one, also hands BoringSSL every one of them as credentials, which it tries first and in
 * order against the client's suites and signature algorithms.
 *
 * <p>Chain and key lookups by alias are {@link SniKeyManager}'s, whose alias scheme this shares.
 * Thread-safe.
 */
final class NativeSniKeyManager extends X509ExtendedKeyManager {

    private final CertificateStore store;
    private final SniKeyManager aliases;
    private final NativeCredentials credentials;

    NativeSniKeyManager(CertificateStore store, NativeCredentials credentials) {
        this.store = store;
        this.aliases = new SniKeyManager(store);
        this.credentials = credentials;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        String sni = engine == null ? null : SniKeyManager.requestedHostName(engine.getHandshakeSession());
        CertificateStore.Snapshot snap = store.snapshot();
        List<CertifiedKey> candidates = snap.candidates(sni);
        if (candidates.isEmpty()) {
            return null;
        }
        if (candidates.size() > 1 && engine instanceof ReferenceCountedOpenSslEngine e) {
            try {
                long ssl = e.sslPointer();
                for (CertifiedKey ck : candidates) {
                    credentials.addTo(ssl, alias(snap, ck), ck);
                }
            } catch (Exception failed) {
                // BoringSSL then has only the first certificate: a client that cannot use it fails
            }
        }
        return alias(snap, candidates.get(0));
    }

    private static String alias(CertificateStore.Snapshot snap, CertifiedKey ck) {
        return snap.generation() + ":" + snap.indexOf(ck);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return aliases.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return aliases.getPrivateKey(alias);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return aliases.getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null; // engines only
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }
}
