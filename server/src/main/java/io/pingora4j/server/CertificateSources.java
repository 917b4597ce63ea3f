package io.pingora4j.server;

import io.pingora4j.server.config.CertificateConfig;
import io.pingora4j.server.config.ProxyConfig;
import io.pingora4j.server.config.ServerConfig;
import io.pingora4j.tls.CertificateSource;
import io.pingora4j.tls.PemSource;
import io.pingora4j.tls.TlsConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The certificates a TLS listener's store serves, as {@link CertificateSource}s made from the
 * configuration: a server's own {@code tls_cert}/{@code tls_key} first (its default), then, with
 * {@code global_certificates}, every {@code [certificates.NAME]} (an ACME one once issued into
 * {@code acme_dir}). A value is inline PEM, base64 of PEM (Pingap accepts both) or a file path,
 * relative to the configuration's folder.
 *
 * <p>Stateless.
 */
final class CertificateSources {

    private CertificateSources() {
    }

    /** The sources of the store of server {@code serverName}, or of the global store when null. */
    static List<CertificateSource> of(ProxyConfig config, String serverName, Path acmeDir) {
        List<CertificateSource> out = new ArrayList<>();
        boolean global = true;
        if (serverName != null) {
            ServerConfig s = config.servers().get(serverName);
            if (s == null || s.tlsCert() == null) {
                return out; // the server is gone from the file, or lost its own certificate: restart needed
            }
            String where = "servers." + serverName;
            out.add(new CertificateSource(where, pem(config, s.tlsCert(), where + " (tls_cert)"),
                    pem(config, s.tlsKey(), where + " (tls_key)"), List.of(), true));
            global = s.globalCertificates();
        }
        if (!global) {
            return out;
        }
        for (CertificateConfig c : config.certificates().values()) {
            if (c.isCa()) {
                continue;
            }
            if (c.acme()) {
                Path crt = acmeDir.resolve(c.name() + ".crt");
                Path key = acmeDir.resolve(c.name() + ".key");
                if (Files.isRegularFile(crt) && Files.isRegularFile(key)) {
                    out.add(new CertificateSource(c.name(), PemSource.file(crt), PemSource.file(key), c.domains(),
                            c.isDefault() && serverName == null));
                }
                continue;
            }
            String where = "certificates." + c.name();
            PemSource cert = pem(config, c.tlsCert(), where + " (tls_cert)");
            if (c.tlsChain() != null) {
                // the chain after the leaf, as one inline PEM (the chain file is read now)
                cert = PemSource.inline(text(cert) + "\n" + text(pem(config, c.tlsChain(), where + " (tls_chain)")),
                        where + " (tls_cert + tls_chain)");
            }
            out.add(new CertificateSource(c.name(), cert, pem(config, c.tlsKey(), where + " (tls_key)"), c.domains(),
                    c.isDefault() && serverName == null));
        }
        return out;
    }

    /** A PEM value: inline PEM, base64 of PEM, or a file path (relative to the configuration's folder). */
    static PemSource pem(ProxyConfig config, String value, String where) {
        String v = value.trim();
        if (v.isEmpty() || v.contains("-----BEGIN")) {
            return PemSource.of(v, where);
        }
        Path path = config.resolve(v);
        if (!Files.exists(path) && v.length() > 64 && v.matches("[A-Za-z0-9+/=\\s]+")) {
            try {
                String decoded = new String(Base64.getMimeDecoder().decode(v), StandardCharsets.US_ASCII);
                if (decoded.contains("-----BEGIN")) {
                    return PemSource.inline(decoded, "base64 PEM in " + where);
                }
            } catch (IllegalArgumentException notBase64) {
                // then it is a path, and reading it reports it missing
            }
        }
        return PemSource.file(path);
    }

    /**
     * The key a source's problem belongs to, e.g. {@code certificates.api.tls_key}: the table the
     * source came from, and which of its PEM values the exception names.
     */
    static String keyOf(CertificateSource source, TlsConfigException e) {
        String table = source.name().startsWith("servers.") ? source.name() : "certificates." + source.name();
        String field = e.source().equals(source.key().description()) ? "tls_key" : "tls_cert";
        return table + "." + field;
    }

    private static String text(PemSource s) {
        if (!s.isFile()) {
            return s.inlineText();
        }
        try {
            return Files.readString(s.path(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new TlsConfigException(s.path().toString(), "cannot read: " + e.getMessage());
        }
    }
}
