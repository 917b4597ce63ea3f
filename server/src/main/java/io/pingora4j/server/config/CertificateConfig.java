package io.pingora4j.server.config;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@code [certificates.NAME]} table, loaded and kept for the TLS layer. Immutable.
 *
 * @param name          NAME
 * @param domains       the names it serves (Pingap writes them comma-separated; an array is accepted)
 * @param tlsCert       PEM, base64 PEM or a file path of the certificate, or null (with acme)
 * @param tlsKey        PEM, base64 PEM or a file path of the private key, or null (with acme)
 * @param tlsChain      PEM or a file path of the chain after the leaf, or null
 * @param isDefault     whether it is used when no domain matches the SNI
 * @param isCa          Pingap's flag for a CA certificate (never served)
 * @param acme          whether ACME issues it ({@code acme = "lets_encrypt"})
 * @param acmeDirectory the ACME directory URL, or null for Let's Encrypt
 * @param acmeEmail     the ACME account's contact address, or null
 * @param acmeCaFile    PEM file the ACME directory's own TLS certificate must chain to, or null
 * @param bufferDays    renew this many days before expiry (default 14)
 * @param extras        Pingap keys accepted but not applied (dns_challenge...), each reported as a
 *                      warning when loaded; nothing reads them
 */
public record CertificateConfig(String name, List<String> domains, String tlsCert, String tlsKey, String tlsChain,
                                boolean isDefault, boolean isCa, boolean acme, URI acmeDirectory, String acmeEmail,
                                String acmeCaFile, int bufferDays, Map<String, Object> extras) {

    public static final int DEFAULT_BUFFER_DAYS = 14;

    public CertificateConfig {
        Objects.requireNonNull(name, "name");
        domains = List.copyOf(domains);
        extras = Map.copyOf(extras);
    }
}
