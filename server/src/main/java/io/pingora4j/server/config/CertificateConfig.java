package io.pingora4j.server.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@code [certificates.NAME]} table, loaded and kept for the TLS layer. Immutable.
 *
 * @param name      NAME
 * @param domains   the names it serves (Pingap writes them comma-separated; an array is accepted)
 * @param tlsCert   PEM or base64 PEM certificate, or null
 * @param tlsKey    PEM or base64 PEM private key, or null
 * @param tlsChain  PEM chain, or null
 * @param isDefault whether it is used when no domain matches the SNI
 * @param isCa      Pingap's flag for a CA certificate
 * @param acme      ACME provider ("lets_encrypt"), or null
 * @param extras    other keys, kept (remark, buffer_days...)
 */
public record CertificateConfig(String name, List<String> domains, String tlsCert, String tlsKey, String tlsChain,
                                boolean isDefault, boolean isCa, String acme, Map<String, Object> extras) {

    public CertificateConfig {
        Objects.requireNonNull(name, "name");
        domains = List.copyOf(domains);
        extras = Map.copyOf(extras);
    }
}
