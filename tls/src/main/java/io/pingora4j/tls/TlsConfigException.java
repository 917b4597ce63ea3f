package io.pingora4j.tls;

/**
 * A TLS setting, certificate or key that cannot be used. The message always names where the bad
 * value came from (a file path, "inline PEM in certificates.NAME (tls_cert)", or a config key such
 * as {@code tls_min_version}) and why it was refused, so it can be shown to the operator as is.
 *
 * <p>Unchecked so that it can cross {@link ClientEngineFactory#newClientEngine} (which reads a
 * CA bundle the first time it is named); config loaders should catch it and report it.
 */
public final class TlsConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final String reason;

    /**
     * @param source where the bad value came from: a file path, an inline PEM's config key, or a setting's key
     * @param reason why it was refused, e.g. "no private key in it"
     */
    public TlsConfigException(String source, String reason) {
        this(source, reason, null);
    }

    public TlsConfigException(String source, String reason, Throwable cause) {
        super(source + ": " + reason, cause);
        this.source = source;
        this.reason = reason;
    }

    /** The file path, inline PEM description or setting key the error is about. */
    public String source() {
        return source;
    }

    /** Why it was refused, without the source. */
    public String reason() {
        return reason;
    }
}
