package io.pingora4j.engine;

import io.pingora4j.codec.h1.H1Limits;
import io.pingora4j.tls.ClientEngineFactory;
import java.time.Duration;
import java.util.Objects;

/**
 * How the engine behaves: threads, buffers, limits and timeouts. Immutable; built through
 * {@link Server.Builder}. Timeouts default as nginx's do.
 *
 * @param threads            event loops (default: available processors)
 * @param bufferSize         bytes of each pooled read buffer (default 32 KiB); a head that does
 *                           not fit moves to a buffer of {@link H1Limits#maxHeadBytes()}
 * @param limits             the HTTP/1.1 parser's limits for client requests
 * @param headerReadTimeout  from a request's first byte to the end of its head (slowloris): 408
 * @param keepAliveTimeout   how long an idle client connection is kept between requests
 * @param writeTimeout       how long a client may leave our response bytes untaken
 * @param gracePeriod        on shutdown, how long in-flight requests may take to finish
 * @param maxIdlePerPeer     idle upstream connections kept per peer per loop
 * @param maxAttempts        tries per request when a failure is retryable (1 = no retry)
 * @param xForwardedFor      append the client IP to X-Forwarded-For on the upstream request
 * @param xForwardedProto    set X-Forwarded-Proto to the client's scheme
 * @param xForwardedHost     set X-Forwarded-Host to the client's Host
 * @param tlsHandshakeTimeout how long a TLS handshake may take, client side or origin side (default
 *                           10 s); a connection that takes longer is closed (an origin's: 504)
 * @param clientTls          makes the SSLEngine for each TLS connection to an origin (default: the
 *                           JDK's trust store and host name checks)
 * @param reusePort          SO_REUSEPORT on every listener even with one loop, so another process can
 *                           bind beside it and take over (default off)
 */
public record EngineOptions(int threads, int bufferSize, H1Limits limits, Duration headerReadTimeout,
                            Duration keepAliveTimeout, Duration writeTimeout, Duration gracePeriod,
                            int maxIdlePerPeer, int maxAttempts, boolean xForwardedFor,
                            boolean xForwardedProto, boolean xForwardedHost, Duration tlsHandshakeTimeout,
                            ClientEngineFactory clientTls, boolean reusePort) {

    /** The default {@link #tlsHandshakeTimeout()}. */
    public static final Duration DEFAULT_TLS_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    public static EngineOptions defaults() {
        return new EngineOptions(Runtime.getRuntime().availableProcessors(), 32 * 1024, H1Limits.DEFAULTS,
                Duration.ofSeconds(60), Duration.ofSeconds(75), Duration.ofSeconds(60), Duration.ofSeconds(30),
                128, 3, false, false, false, DEFAULT_TLS_HANDSHAKE_TIMEOUT, new io.pingora4j.tls.ClientTls(), false);
    }

    public EngineOptions {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (bufferSize < 1024) {
            throw new IllegalArgumentException("bufferSize must be >= 1024, got " + bufferSize);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
        }
        if (maxIdlePerPeer < 0) {
            throw new IllegalArgumentException("maxIdlePerPeer must be >= 0, got " + maxIdlePerPeer);
        }
        Objects.requireNonNull(clientTls, "clientTls");
        for (Duration d : new Duration[] {headerReadTimeout, keepAliveTimeout, writeTimeout, tlsHandshakeTimeout}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive, got " + d);
            }
        }
        if (gracePeriod.isNegative()) {
            throw new IllegalArgumentException("gracePeriod must not be negative, got " + gracePeriod);
        }
    }
}
