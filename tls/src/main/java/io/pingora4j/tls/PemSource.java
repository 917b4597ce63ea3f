package io.pingora4j.tls;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where PEM text comes from: a file, or text inlined in the configuration. Pingap's
 * {@code tls_cert}/{@code tls_key} take either; a value containing {@code "-----BEGIN"} is inline
 * PEM, anything else is a path.
 *
 * @param path the file, or null for inline text
 * @param inlineText the PEM text, or null for a file
 * @param description what error messages call it: the path, or "inline PEM in certificates.NAME (tls_cert)"
 */
public record PemSource(Path path, String inlineText, String description) {

    public PemSource {
        if ((path == null) == (inlineText == null)) {
            throw new IllegalArgumentException("exactly one of path and inlineText");
        }
        Objects.requireNonNull(description, "description");
    }

    /** A PEM (or DER) file. */
    public static PemSource file(Path path) {
        return new PemSource(path, null, path.toString());
    }

    /** PEM text from the configuration; {@code where} names it in errors, e.g. "certificates.api (tls_key)". */
    public static PemSource inline(String pem, String where) {
        return new PemSource(null, pem, "inline PEM in " + where);
    }

    /**
     * A config value that is either inline PEM or a path.
     *
     * @param value the configured text
     * @param where the config key it came from, used to describe inline PEM in errors
     * @throws TlsConfigException if the value is empty
     */
    public static PemSource of(String value, String where) {
        if (value == null || value.isBlank()) {
            throw new TlsConfigException(where, "empty: expected a file path or inline PEM");
        }
        if (value.contains("-----BEGIN")) {
            return inline(value, where);
        }
        return file(Path.of(value.strip()));
    }

    public boolean isFile() {
        return path != null;
    }

    @Override
    public String toString() {
        return description;
    }
}
