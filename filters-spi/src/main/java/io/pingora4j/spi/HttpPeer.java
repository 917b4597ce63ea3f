package io.pingora4j.spi;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Where to send a request, and how (Pingora's {@code HttpPeer}): the origin's address, TLS and SNI,
 * and the timeouts for this hop. Immutable; make peers once (at configuration time) and return the
 * same instance for every request, so choosing one allocates nothing.
 *
 * <p>Upstream connections are pooled by {@link #poolKey()}: host, port, the protocol
 * ({@link #alpn()}), and for TLS the SNI, whether the certificate is verified, and the CA file
 * trusted (a connection made under laxer checks is never handed to a peer that asks for stricter
 * ones).
 */
public final class HttpPeer {

    /**
     * The HTTP version spoken to the origin (Pingap's and Pingora's {@code alpn}). Over TLS it is
     * what ALPN offers; on a plain connection {@link #H2} means HTTP/2 with prior knowledge (h2c).
     */
    public enum Alpn {
        /** HTTP/1.1 (ALPN "http/1.1"). The default. */
        H1,
        /** HTTP/2 only: ALPN "h2" over TLS (an origin that picks anything else fails the connect), h2c on plain TCP. */
        H2,
        /** Over TLS, offers "h2" then "http/1.1" and speaks what the origin picks; plain TCP speaks HTTP/1.1. */
        H2H1
    }

    /** Defaults as nginx's proxy module: 60 s to connect, read and write; 90 s idle in the pool. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(90);

    private final String host;
    private final int port;
    private final boolean tls;
    private final String sni;
    private final boolean verifyCert;
    private final String caFile;
    private final long connectTimeoutNanos;
    private final long readTimeoutNanos;
    private final long writeTimeoutNanos;
    private final long idleTimeoutNanos;
    private final Alpn alpn;
    private final String poolKey;
    private final Object tag;

    private HttpPeer(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.tls = b.tls;
        this.sni = b.sni == null ? (b.tls ? b.host : "") : b.sni;
        this.verifyCert = b.verifyCert;
        this.caFile = b.caFile;
        this.connectTimeoutNanos = b.connectTimeout.toNanos();
        this.readTimeoutNanos = b.readTimeout.toNanos();
        this.writeTimeoutNanos = b.writeTimeout.toNanos();
        this.idleTimeoutNanos = b.idleTimeout.toNanos();
        this.tag = b.tag;
        this.alpn = b.alpn;
        this.poolKey = (tls ? "https://" : "http://") + host + ":" + port
                + (tls ? "/" + sni + (verifyCert ? "" : "/noverify") + (caFile == null ? "" : "/ca=" + caFile) : "")
                + (alpn == Alpn.H1 ? "" : "/" + alpn.name().toLowerCase(Locale.ROOT));
    }

    /** A plain-HTTP peer with default timeouts. */
    public static HttpPeer of(String host, int port) {
        return builder(host, port).build();
    }

    public static Builder builder(String host, int port) {
        return new Builder(host, port);
    }

    /** Host name or IP literal to connect to. */
    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** Whether to speak TLS to the origin. */
    public boolean tls() {
        return tls;
    }

    /** The SNI to send (the host by default); empty for plain HTTP. */
    public String sni() {
        return sni;
    }

    /** Whether the origin's certificate must verify (default true). */
    public boolean verifyCert() {
        return verifyCert;
    }

    /**
     * A PEM file of CA certificates trusted for this origin besides the system trust store, or
     * null (the system trust store alone).
     */
    public String caFile() {
        return caFile;
    }

    public long connectTimeoutNanos() {
        return connectTimeoutNanos;
    }

    /** Longest wait for the next byte from the origin. */
    public long readTimeoutNanos() {
        return readTimeoutNanos;
    }

    /** Longest wait for the origin to take our bytes. */
    public long writeTimeoutNanos() {
        return writeTimeoutNanos;
    }

    /** How long an idle pooled connection to this peer is kept. */
    public long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    /** The HTTP version spoken to the origin (default {@link Alpn#H1}). */
    public Alpn alpn() {
        return alpn;
    }

    /** Connections are pooled and reused per distinct key. */
    public String poolKey() {
        return poolKey;
    }

    /** Whatever the proxy attached (e.g. the backend this peer stands for); null if nothing. */
    public Object tag() {
        return tag;
    }

    /** "host:port", as access logs print the upstream address. */
    public String address() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    @Override
    public String toString() {
        return poolKey;
    }

    /** Builds an {@link HttpPeer}. */
    public static final class Builder {
        private final String host;
        private final int port;
        private boolean tls;
        private String sni;
        private boolean verifyCert = true;
        private String caFile;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private Duration writeTimeout = DEFAULT_WRITE_TIMEOUT;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private Alpn alpn = Alpn.H1;
        private Object tag;

        private Builder(String host, int port) {
            this.host = Objects.requireNonNull(host, "host");
            if (host.isEmpty()) {
                throw new IllegalArgumentException("peer host is empty");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("peer port must be 1-65535, got " + port);
            }
            this.port = port;
        }

        public Builder tls(boolean value) {
            this.tls = value;
            return this;
        }

        public Builder sni(String value) {
            this.sni = value;
            return this;
        }

        public Builder verifyCert(boolean value) {
            this.verifyCert = value;
            return this;
        }

        /** Trusts the CA certificates in this PEM file too (null: the system trust store alone). */
        public Builder caFile(String path) {
            if (path != null && path.isBlank()) {
                throw new IllegalArgumentException("caFile is blank");
            }
            this.caFile = path;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive("connectTimeout", d);
            return this;
        }

        public Builder readTimeout(Duration d) {
            this.readTimeout = positive("readTimeout", d);
            return this;
        }

        public Builder writeTimeout(Duration d) {
            this.writeTimeout = positive("writeTimeout", d);
            return this;
        }

        public Builder idleTimeout(Duration d) {
            this.idleTimeout = positive("idleTimeout", d);
            return this;
        }

        /** The HTTP version to speak to the origin (default {@link Alpn#H1}). */
        public Builder alpn(Alpn value) {
            this.alpn = Objects.requireNonNull(value, "alpn");
            return this;
        }

        public Builder tag(Object value) {
            this.tag = value;
            return this;
        }

        public HttpPeer build() {
            return new HttpPeer(this);
        }

        private static Duration positive(String name, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
            return d;
        }
    }
}
