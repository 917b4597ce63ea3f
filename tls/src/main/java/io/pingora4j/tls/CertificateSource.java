package io.pingora4j.tls;

import java.util.List;
import java.util.Objects;

/**
 * One {@code [certificates.NAME]} entry as configured, before loading.
 *
 * @param name the entry's name
 * @param cert {@code tls_cert}: the chain, a file or inline PEM
 * @param key {@code tls_key}: the private key, a file or inline PEM
 * @param domains {@code domains}; empty to serve the names in the certificate
 * @param isDefault {@code is_default}
 */
public record CertificateSource(String name, PemSource cert, PemSource key, List<String> domains,
        boolean isDefault) {

    public CertificateSource {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
        domains = domains == null ? List.of() : List.copyOf(domains);
    }

    /**
     * From Pingap's config values, each of {@code tlsCert}/{@code tlsKey} a path or inline PEM.
     *
     * @throws TlsConfigException if either is empty
     */
    public static CertificateSource of(String name, String tlsCert, String tlsKey, List<String> domains,
            boolean isDefault) {
        return new CertificateSource(name, PemSource.of(tlsCert, "certificates." + name + " (tls_cert)"),
                PemSource.of(tlsKey, "certificates." + name + " (tls_key)"), domains, isDefault);
    }

    /** Reads and checks the chain and key. */
    public CertifiedKey load() {
        return CertifiedKey.load(name, cert, key, domains, isDefault);
    }
}
