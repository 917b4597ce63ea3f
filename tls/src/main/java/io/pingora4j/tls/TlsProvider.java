package io.pingora4j.tls;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which implementation makes the SSLEngines: BoringSSL through netty-tcnative ({@link #OPENSSL},
 * the default where its native library loads) or the JDK's own ({@link #JDK}). Both sit behind
 * the same {@link ServerEngineFactory} / {@link ClientEngineFactory} and plain SSLEngine
 * wrap/unwrap, so nothing above the tls module knows which one runs.
 *
 * <p>Why BoringSSL by default: a new handshake costs a few hundred microseconds of X25519, ECDSA or
 * RSA arithmetic, which BoringSSL does in assembly and the JDK in Java; and BoringSSL resumes TLS
 * 1.3 sessions from tickets whose key we rotate (see {@link SessionTicketKeys}).
 */
public enum TlsProvider {
    /** BoringSSL (netty-tcnative-boringssl-static), where its native library loads. */
    OPENSSL,
    /** The JDK's JSSE engine. */
    JDK;

    private static final Logger LOG = LoggerFactory.getLogger(TlsProvider.class);
    private static volatile boolean fallbackLogged;

    /**
     * Parses {@code [basic] tls_provider}: "openssl" (also "boringssl", "native") or "jdk"; null
     * or blank means the default, {@link #preferred()}.
     *
     * @throws TlsConfigException naming {@code key} for anything else
     */
    public static TlsProvider parse(String key, String value) {
        if (value == null || value.isBlank()) {
            return preferred();
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "openssl", "boringssl", "native" -> OPENSSL;
            case "jdk", "jsse" -> JDK;
            default -> throw new TlsConfigException(key, "unknown TLS provider '" + value + "'; expected \"openssl\" or \"jdk\"");
        };
    }

    /**
     * As {@link #parse}, but null for null or blank (nothing configured), without deciding the
     * default: a configuration without TLS then never loads the native library.
     */
    public static TlsProvider parseConfigured(String key, String value) {
        return value == null || value.isBlank() ? null : parse(key, value);
    }

    /**
     * {@link #OPENSSL} if its native library loads here, else {@link #JDK} (logged once per
     * process, with the reason). Loads the library on first call.
     */
    public static TlsProvider preferred() {
        return OPENSSL.effective();
    }

    /**
     * The provider that will actually run: this one, or the JDK's when this is {@link #OPENSSL} and
     * the native library does not load, which is logged once per process with the reason.
     */
    public TlsProvider effective() {
        if (this == OPENSSL && !NativeTls.available()) {
            if (!fallbackLogged) {
                fallbackLogged = true;
                LOG.warn("TLS: BoringSSL does not load here ({}); using the JDK's TLS engine",
                        NativeTls.unavailabilityReason());
            }
            return JDK;
        }
        return this;
    }

    /** The name as configured: "openssl" or "jdk". */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
