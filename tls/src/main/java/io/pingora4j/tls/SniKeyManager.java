package io.pingora4j.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A server key manager that picks the certificate from a {@link CertificateStore} by the SNI name
 * the client sent. JSSE asks once per key type it could use for the negotiated parameters ("EC",
 * "RSA", "RSASSA-PSS", "EdDSA"...), in its own order of preference; this answers only with a
 * certificate of the best-matching name whose key has that type, so a name with both an RSA and an
 * EC certificate is served whichever the client can verify.
 *
 * <p>Aliases are {@code "<generation>:<index>"} into a store snapshot. JSSE resolves the alias
 * (chain, key) immediately after choosing it, and the store keeps the snapshot before the current
 * one, so a {@link CertificateStore#replace} between the two calls still resolves.
 *
 * <p>No certificate for the name (and no default) → null alias → JSSE fails the handshake with a
 * handshake_failure alert; the listener is unaffected. Thread-safe.
 */
public final class SniKeyManager extends X509ExtendedKeyManager {

    private final CertificateStore store;

    public SniKeyManager(CertificateStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return choose(keyType, engine == null ? null : engine.getHandshakeSession());
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        SSLSession session = socket instanceof javax.net.ssl.SSLSocket s ? s.getHandshakeSession() : null;
        return choose(keyType, session);
    }

    private String choose(String keyType, SSLSession handshake) {
        String sni = requestedHostName(handshake);
        CertificateStore.Snapshot snap = store.snapshot();
        for (CertifiedKey ck : snap.candidates(sni)) {
            if (keyType == null || keyType.equals(ck.keyType())) {
                return snap.generation() + ":" + snap.indexOf(ck);
            }
        }
        return null;
    }

    /** The host_name the client asked for, or null if it sent none (or the session is not extended). */
    static String requestedHostName(SSLSession session) {
        if (!(session instanceof ExtendedSSLSession ext)) {
            return null;
        }
        List<SNIServerName> names = ext.getRequestedServerNames();
        for (SNIServerName n : names) {
            if (n.getType() == StandardConstants.SNI_HOST_NAME) {
                return n instanceof SNIHostName h ? h.getAsciiName()
                        : new String(n.getEncoded(), java.nio.charset.StandardCharsets.US_ASCII);
            }
        }
        return null;
    }

    private CertifiedKey resolve(String alias) {
        if (alias == null) {
            return null;
        }
        int colon = alias.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        try {
            CertificateStore.Snapshot snap = store.snapshot(Long.parseLong(alias.substring(0, colon)));
            return snap == null ? null : snap.get(Integer.parseInt(alias.substring(colon + 1)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        CertifiedKey ck = resolve(alias);
        return ck == null ? null : ck.chain().toArray(new X509Certificate[0]);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        CertifiedKey ck = resolve(alias);
        return ck == null ? null : ck.key();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        CertificateStore.Snapshot snap = store.snapshot();
        List<CertifiedKey> all = snap.certificates();
        return java.util.stream.IntStream.range(0, all.size())
                .filter(i -> keyType == null || keyType.equals(all.get(i).keyType()))
                .mapToObj(i -> snap.generation() + ":" + i)
                .toArray(String[]::new);
    }

    /** This manager only serves; it presents no client certificates. */
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
