package io.pingora4j.tls.acme;

import java.nio.file.Path;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * A certificate in ACME storage: the chain (leaf first) as written to {@code certificateFile}, and
 * the file holding its PKCS#8 private key. Immutable.
 */
public record IssuedCertificate(String name, Path certificateFile, Path keyFile, List<X509Certificate> chain) {

    public IssuedCertificate {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("certificate " + name + ": empty chain");
        }
        chain = List.copyOf(chain);
    }

    /** The leaf certificate. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    public Instant notBefore() {
        return certificate().getNotBefore().toInstant();
    }

    public Instant notAfter() {
        return certificate().getNotAfter().toInstant();
    }

    /** The leaf's DNS subject alternative names, lower case. */
    public List<String> dnsNames() {
        try {
            Collection<List<?>> sans = certificate().getSubjectAlternativeNames();
            List<String> names = new ArrayList<>();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(2).equals(san.get(0))) { // dNSName, RFC 5280 §4.2.1.6
                        names.add(((String) san.get(1)).toLowerCase(Locale.ROOT));
                    }
                }
            }
            return names;
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }

    /** Whether the leaf names {@code domain} (exactly; a wildcard SAN covers only a wildcard domain). */
    public boolean covers(String domain) {
        return dnsNames().contains(domain.toLowerCase(Locale.ROOT));
    }
}
