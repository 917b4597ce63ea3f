package io.pingora4j.tls;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a TLS listener negotiates, apart from its certificates: versions, cipher suites, ALPN,
 * client certificates, handshake timeout. Immutable; build with {@link #builder()}, whose string
 * setters take Pingap's config values and throw {@link TlsConfigException} naming the key.
 *
 * <p>Defaults (Mozilla's "intermediate"): TLS 1.2 and 1.3; TLS 1.2 suites only with ECDHE key
 * exchange and AEAD ciphers (AES-GCM, ChaCha20-Poly1305), so no CBC, no RSA key exchange, no
 * SHA-1; all three TLS 1.3 suites; the client's preference among them (all are strong, and clients
 * without AES hardware prefer ChaCha20); ALPN http/1.1 only; no client certificates; 10 s to
 * complete a handshake.
 */
public final class ServerTlsSettings {

    /** Whether the server asks for a client certificate (mutual TLS). */
    public enum ClientAuth {
        /** Not asked for. */
        NONE,
        /** Asked for; a client without one is let in, a client with a bad one is refused. */
        OPTIONAL,
        /** Required, and must chain to the configured CA bundle. */
        REQUIRED
    }

    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    static {
        JsseProperties.apply();
    }

    private final TlsVersion minVersion;
    private final TlsVersion maxVersion;
    private final List<String> tls12CipherSuites;
    private final List<String> tls13CipherSuites;
    private final List<String> alpn;
    private final ClientAuth clientAuth;
    private final List<X509Certificate> clientCas;
    private final Duration handshakeTimeout;
    private final boolean preferServerCipherOrder;

    private ServerTlsSettings(Builder b) {
        this.minVersion = b.minVersion;
        this.maxVersion = b.maxVersion;
        this.tls12CipherSuites = List.copyOf(b.tls12CipherSuites);
        this.tls13CipherSuites = List.copyOf(b.tls13CipherSuites);
        this.alpn = List.copyOf(b.alpn);
        this.clientAuth = b.clientAuth;
        this.clientCas = List.copyOf(b.clientCas);
        this.handshakeTimeout = b.handshakeTimeout;
        this.preferServerCipherOrder = b.preferServerCipherOrder;
    }

    /** The defaults described above. */
    public static ServerTlsSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public TlsVersion minVersion() {
        return minVersion;
    }

    public TlsVersion maxVersion() {
        return maxVersion;
    }

    /** JSSE protocol names for the enabled versions, e.g. ["TLSv1.3", "TLSv1.2"]. */
    public List<String> protocols() {
        List<String> out = new ArrayList<>(2);
        for (int i = maxVersion.ordinal(); i >= minVersion.ordinal(); i--) {
            out.add(TlsVersion.values()[i].jsseName());
        }
        return out;
    }

    /** IANA names of the TLS 1.2 suites, in preference order. */
    public List<String> tls12CipherSuites() {
        return tls12CipherSuites;
    }

    /** IANA names of the TLS 1.3 suites, in preference order. */
    public List<String> tls13CipherSuites() {
        return tls13CipherSuites;
    }

    /** The suites to enable for the enabled versions (1.3 first). */
    public List<String> enabledCipherSuites() {
        List<String> out = new ArrayList<>();
        if (maxVersion == TlsVersion.TLS_1_3) {
            out.addAll(tls13CipherSuites);
        }
        if (minVersion == TlsVersion.TLS_1_2) {
            out.addAll(tls12CipherSuites);
        }
        return out;
    }

    /** ALPN protocols the server speaks, most preferred first, e.g. ["h2", "http/1.1"]. */
    public List<String> alpn() {
        return alpn;
    }

    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /** The CAs a client certificate must chain to; empty when {@link #clientAuth()} is NONE. */
    public List<X509Certificate> clientCas() {
        return clientCas;
    }

    /**
     * How long a connection may take to complete its handshake. The TLS transport enforces it
     * (this module does no I/O); nginx's equivalent is its header timeout.
     */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /** Whether the server's suite order wins over the client's (nginx's ssl_prefer_server_ciphers). */
    public boolean preferServerCipherOrder() {
        return preferServerCipherOrder;
    }

    @Override
    public String toString() {
        return "ServerTlsSettings[" + protocols() + " suites=" + enabledCipherSuites() + " alpn=" + alpn
                + " clientAuth=" + clientAuth + " timeout=" + handshakeTimeout + "]";
    }

    /** Collects settings; every setter validates at once and names its config key in errors. */
    public static final class Builder {
        private TlsVersion minVersion = TlsVersion.TLS_1_2;
        private TlsVersion maxVersion = TlsVersion.TLS_1_3;
        private List<String> tls12CipherSuites = CipherSuites.DEFAULT_TLS12;
        private List<String> tls13CipherSuites = CipherSuites.DEFAULT_TLS13;
        private List<String> alpn = List.of("http/1.1");
        private ClientAuth clientAuth = ClientAuth.NONE;
        private List<X509Certificate> clientCas = List.of();
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private boolean preferServerCipherOrder;

        private Builder() {
        }

        public Builder minVersion(TlsVersion v) {
            this.minVersion = Objects.requireNonNull(v);
            return this;
        }

        public Builder maxVersion(TlsVersion v) {
            this.maxVersion = Objects.requireNonNull(v);
            return this;
        }

        /** Pingap's {@code tls_min_version} ("tlsv1.2", "TLSv1.3", "1.2"); null or blank keeps the default. */
        public Builder minVersion(String value) {
            if (value != null && !value.isBlank()) {
                this.minVersion = TlsVersion.parse("tls_min_version", value);
            }
            return this;
        }

        /** Pingap's {@code tls_max_version}; null or blank keeps the default. */
        public Builder maxVersion(String value) {
            if (value != null && !value.isBlank()) {
                this.maxVersion = TlsVersion.parse("tls_max_version", value);
            }
            return this;
        }

        /**
         * Pingap's {@code tls_cipher_list}: TLS 1.2 suites separated by ':', IANA or OpenSSL names
         * ("ECDHE-RSA-AES128-GCM-SHA256"); null or blank keeps the default. Any suite the JDK
         * implements is accepted (the operator's call), not only the default's strong ones.
         */
        public Builder cipherList(String value) {
            if (value != null && !value.isBlank()) {
                this.tls12CipherSuites = CipherSuites.parse("tls_cipher_list", value, false);
            }
            return this;
        }

        /** Pingap's {@code tls_ciphersuites}: TLS 1.3 suites separated by ':'; null or blank keeps the default. */
        public Builder cipherSuites(String value) {
            if (value != null && !value.isBlank()) {
                this.tls13CipherSuites = CipherSuites.parse("tls_ciphersuites", value, true);
            }
            return this;
        }

        /** ALPN protocols in server preference order; empty disables ALPN. */
        public Builder alpn(List<String> protocols) {
            for (String p : protocols) {
                if (p == null || p.isEmpty() || p.length() > 255) {
                    throw new TlsConfigException("alpn", "'" + p + "' is not an ALPN protocol id");
                }
            }
            this.alpn = List.copyOf(protocols);
            return this;
        }

        /** Pingap's {@code enabled_h2}: ALPN ["h2", "http/1.1"] when true, ["http/1.1"] when false. */
        public Builder enableH2(boolean h2) {
            return alpn(h2 ? List.of("h2", "http/1.1") : List.of("http/1.1"));
        }

        /**
         * Client certificates.
         *
         * @param caBundle the CAs client certificates must chain to (required unless mode is NONE)
         * @throws TlsConfigException if the bundle is missing for OPTIONAL/REQUIRED, or unreadable
         */
        public Builder clientAuth(ClientAuth mode, PemSource caBundle) {
            Objects.requireNonNull(mode, "mode");
            if (mode == ClientAuth.NONE) {
                this.clientAuth = mode;
                this.clientCas = List.of();
                return this;
            }
            if (caBundle == null) {
                throw new TlsConfigException("tls_client_ca", "client certificates are " + mode
                        + " but no CA bundle to verify them is configured");
            }
            this.clientCas = PemReader.readCertificates(caBundle);
            this.clientAuth = mode;
            return this;
        }

        public Builder handshakeTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new TlsConfigException("handshake_timeout", "must be positive, was " + timeout);
            }
            this.handshakeTimeout = timeout;
            return this;
        }

        public Builder preferServerCipherOrder(boolean prefer) {
            this.preferServerCipherOrder = prefer;
            return this;
        }

        /** @throws TlsConfigException if tls_min_version is above tls_max_version */
        public ServerTlsSettings build() {
            if (minVersion.compareTo(maxVersion) > 0) {
                throw new TlsConfigException("tls_min_version", minVersion.jsseName() + " is above tls_max_version "
                        + maxVersion.jsseName());
            }
            return new ServerTlsSettings(this);
        }
    }
}
