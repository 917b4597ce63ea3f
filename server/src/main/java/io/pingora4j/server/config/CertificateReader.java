package io.pingora4j.server.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/** Reads {@code [certificates.NAME]}. Every key it knows is read unconditionally (see {@link TableReader}). */
final class CertificateReader {

    private static final List<String> ACME_PROVIDERS = List.of("lets_encrypt", "letsencrypt", "acme");

    private CertificateReader() {
    }

    static CertificateConfig read(TableReader r, String name) {
        List<String> domains = r.commaList("domains");
        String cert = r.string("tls_cert");
        String key = r.string("tls_key");
        String chain = r.string("tls_chain");
        boolean isDefault = r.bool("is_default", false);
        boolean isCa = r.bool("is_ca", false);
        String acme = r.string("acme");
        if (acme != null && !ACME_PROVIDERS.contains(acme.strip().toLowerCase(Locale.ROOT))) {
            r.problem("acme", "expected \"lets_encrypt\", got \"" + acme + "\"");
        }
        if (cert == null && key == null && acme == null) {
            r.problem("tls_cert", "a certificate needs tls_cert and tls_key, or acme");
        } else if ((cert == null) != (key == null) && acme == null) {
            r.problem(cert == null ? "tls_cert" : "tls_key", "tls_cert and tls_key go together");
        }
        URI directory = directory(r);
        String email = r.string("acme_email");
        if (email != null && (email.isBlank() || email.indexOf('@') <= 0)) {
            r.problem("acme_email", "'" + email + "' is not an e-mail address");
        }
        String acmeCa = r.path("acme_ca_file");
        Long days = r.integer("buffer_days", 0, 3650);
        r.string("remark");
        r.notApplied("dns_challenge", "ACME uses the HTTP-01 challenge");
        r.notApplied("dns_provider", "ACME uses the HTTP-01 challenge");
        r.notApplied("dns_service_url", "ACME uses the HTTP-01 challenge");
        return new CertificateConfig(name, domains == null ? List.of() : domains, cert, key, chain, isDefault, isCa,
                acme != null, directory, email, acmeCa, days == null ? CertificateConfig.DEFAULT_BUFFER_DAYS
                : days.intValue(), r.extras());
    }

    private static URI directory(TableReader r) {
        String text = r.string("acme_directory");
        if (text == null) {
            return null;
        }
        try {
            URI uri = new URI(text.strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
                r.problem("acme_directory", "'" + text + "' is not an http(s) URL");
                return null;
            }
            return uri;
        } catch (URISyntaxException e) {
            r.problem("acme_directory", "'" + text + "' is not a URL: " + e.getReason());
            return null;
        }
    }
}
