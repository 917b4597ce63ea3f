package io.pingora4j.server.config;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code [basic]} table. Immutable.
 *
 * @param name                    the instance name (default "pingora4j")
 * @param threads                 event loops (default: available processors; Pingap's 0 also means that)
 * @param gracePeriod             time given to in-flight requests on shutdown or reload (default 30s)
 * @param gracefulShutdownTimeout Pingap's second shutdown timer; null when not set
 * @param pidFile                 where to write the PID; null for none
 * @param pluginsDir              folder of third-party plugin jars (default "plugins")
 * @param accessLog               default access log (preset name or template) for servers without one; null for none
 * @param errorTemplate           HTML template of error pages; null for the built-in one
 * @param logLevel                log level name (default "info")
 * @param logFormatJson           whether logs are written as JSON
 * @param upstreamKeepalivePoolSize idle upstream connections kept per loop; null for the engine's default
 * @param extras                  other Pingap keys, kept but not interpreted (user, group, webhook, sentry...)
 */
public record BasicConfig(String name, int threads, Duration gracePeriod, Duration gracefulShutdownTimeout,
                          String pidFile, String pluginsDir, String accessLog, String errorTemplate,
                          String logLevel, boolean logFormatJson, Integer upstreamKeepalivePoolSize,
                          Map<String, Object> extras) {

    public static final String DEFAULT_NAME = "pingora4j";
    public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(30);
    public static final String DEFAULT_PLUGINS_DIR = "plugins";

    public BasicConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(gracePeriod, "gracePeriod");
        Objects.requireNonNull(pluginsDir, "pluginsDir");
        Objects.requireNonNull(logLevel, "logLevel");
        extras = Map.copyOf(extras);
    }

    /** Every default: what an absent {@code [basic]} means. */
    public static BasicConfig defaults() {
        return new BasicConfig(DEFAULT_NAME, Runtime.getRuntime().availableProcessors(), DEFAULT_GRACE_PERIOD, null,
                null, DEFAULT_PLUGINS_DIR, null, null, "info", false, null, Map.of());
    }
}
