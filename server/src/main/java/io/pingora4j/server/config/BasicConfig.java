package io.pingora4j.server.config;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code [basic]} table. Immutable. Paths are kept as written; {@link ProxyConfig#resolve}
 * resolves a relative one against the configuration file's folder.
 *
 * @param name                      the instance name (default "pingora4j"), shown in the start line
 * @param threads                   event loops (default: available processors; Pingap's 0 also means that)
 * @param gracePeriod               time given to in-flight requests on shutdown (default 30s)
 * @param gracefulShutdownTimeout   after the grace period, the time closing the rest (access logs, health
 *                                  checks, certificate watcher) may take before the process exits anyway;
 *                                  null for the default ({@link #DEFAULT_GRACEFUL_SHUTDOWN_TIMEOUT})
 * @param pidFile                   where to write the PID; null for none
 * @param pluginsDir                folder of third-party plugin jars (default "plugins")
 * @param accessLog                 default access log (preset name or template) for servers without one; null for none
 * @param errorTemplate             HTML of error pages (inline, or a file path); null for the engine's plain text
 * @param logLevel                  log level name (default "info")
 * @param logFormatJson             Pingap's JSON logs; not applied (a warning says so when true)
 * @param upstreamKeepalivePoolSize idle upstream connections kept per backend per event loop; null for the
 *                                  engine's default (128)
 * @param acmeDir                   where ACME keeps its account key and certificates (default "acme")
 * @param certificateCheckInterval  how often certificate files (and the configuration's certificate tables)
 *                                  are checked for changes (default 5s)
 * @param tlsProvider               "openssl" (BoringSSL) or "jdk"; null: openssl where it loads, else the JDK's
 * @param tlsSessionTicketLifetime  how long a session-ticket key encrypts new tickets before it rotates (default 1h)
 * @param observability             tracing and the error log: {@code otlp_exporter}, {@code otlp_sampling_ratio},
 *                                  {@code error_log_interval}
 * @param upgradeSock               the upgrade control socket ({@code --upgrade}); null for the default, in the
 *                                  temporary folder, named after the configuration's location
 * @param extras                    Pingap keys accepted but not applied (user, group, webhook, admin_addr...),
 *                                  each reported as a warning when loaded; nothing reads them
 */
public record BasicConfig(String name, int threads, Duration gracePeriod, Duration gracefulShutdownTimeout,
                          String pidFile, String pluginsDir, String accessLog, String errorTemplate,
                          String logLevel, boolean logFormatJson, Integer upstreamKeepalivePoolSize,
                          String acmeDir, Duration certificateCheckInterval, String tlsProvider,
                          Duration tlsSessionTicketLifetime, Observability observability,
                          String upgradeSock, Map<String, Object> extras) {

    /**
     * Tracing and the proxy's error log.
     *
     * @param otlpExporter     where request spans go (servers may name their own), or null: no tracing
     * @param samplingRatio    the share of new traces recorded, 0..1 (a client's sampled flag is followed)
     * @param errorLogInterval the error log writes at most {@link #ERROR_LOG_BURST} lines per this
     *                         interval, then counts what it leaves out and says so once
     */
    public record Observability(OtlpExporter otlpExporter, double samplingRatio, Duration errorLogInterval) {
        public static final Duration DEFAULT_ERROR_LOG_INTERVAL = Duration.ofSeconds(1);
        public static final int ERROR_LOG_BURST = 10;
        public static final Observability DEFAULTS = new Observability(null, 1.0, DEFAULT_ERROR_LOG_INTERVAL);

        public Observability {
            Objects.requireNonNull(errorLogInterval, "errorLogInterval");
        }
    }

    public static final String DEFAULT_NAME = "pingora4j";
    public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(30);
    public static final Duration DEFAULT_GRACEFUL_SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);
    public static final String DEFAULT_PLUGINS_DIR = "plugins";
    public static final String DEFAULT_ACME_DIR = "acme";
    public static final Duration DEFAULT_CERTIFICATE_CHECK_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_TLS_SESSION_TICKET_LIFETIME = Duration.ofHours(1);

    public BasicConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(gracePeriod, "gracePeriod");
        Objects.requireNonNull(pluginsDir, "pluginsDir");
        Objects.requireNonNull(logLevel, "logLevel");
        Objects.requireNonNull(acmeDir, "acmeDir");
        Objects.requireNonNull(certificateCheckInterval, "certificateCheckInterval");
        Objects.requireNonNull(tlsSessionTicketLifetime, "tlsSessionTicketLifetime");
        Objects.requireNonNull(observability, "observability");
        extras = Map.copyOf(extras);
    }

    /** Every default: what an absent {@code [basic]} means. */
    public static BasicConfig defaults() {
        return new BasicConfig(DEFAULT_NAME, Runtime.getRuntime().availableProcessors(), DEFAULT_GRACE_PERIOD, null,
                null, DEFAULT_PLUGINS_DIR, null, null, "info", false, null, DEFAULT_ACME_DIR,
                DEFAULT_CERTIFICATE_CHECK_INTERVAL, null, DEFAULT_TLS_SESSION_TICKET_LIFETIME, Observability.DEFAULTS, null, Map.of());
    }

    /** {@link #gracefulShutdownTimeout}, or its default. */
    public Duration shutdownTimeout() {
        return gracefulShutdownTimeout == null ? DEFAULT_GRACEFUL_SHUTDOWN_TIMEOUT : gracefulShutdownTimeout;
    }
}
