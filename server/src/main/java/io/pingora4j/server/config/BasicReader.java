package io.pingora4j.server.config;

import java.time.Duration;
import java.util.List;

/** Reads {@code [basic]}. Every key it knows is read unconditionally (see {@link TableReader}). */
final class BasicReader {

    static final List<String> LOG_LEVELS = List.of("trace", "debug", "info", "warn", "error", "off");

    private BasicReader() {
    }

    static BasicConfig read(TableReader r) {
        String name = r.string("name", BasicConfig.DEFAULT_NAME);
        Long threads = r.integer("threads", 0, 4096);
        int loops = threads == null || threads == 0 ? Runtime.getRuntime().availableProcessors() : threads.intValue();
        Duration grace = r.duration("grace_period");
        Duration shutdown = r.duration("graceful_shutdown_timeout");
        String pidFile = r.path("pid_file");
        String pluginsDir = r.path("plugins_dir");
        String accessLog = r.string("access_log");
        String errorTemplate = r.string("error_template");
        String logLevel = r.choice("log_level", LOG_LEVELS);
        boolean json = r.bool("log_format_json", false);
        if (json) {
            r.warn("log_format_json", TableReader.notAppliedReason("logs are written as text"));
        }
        Long pool = r.integer("upstream_keepalive_pool_size", 0, 1_000_000);
        String acmeDir = r.path("acme_dir");
        Duration checkInterval = r.positiveDuration("certificate_check_interval", "5s");
        String tlsProvider = r.choice("tls_provider", List.of("openssl", "jdk"));
        Duration ticketLifetime = r.positiveDuration("tls_session_ticket_lifetime", "1h");
        OtlpExporter otlp = r.otlpExporter("otlp_exporter");
        Double sampling = r.number("otlp_sampling_ratio", 0, 1);
        Duration errorLogInterval = r.positiveDuration("error_log_interval", "1s");
        r.string("remark");
        r.notApplied("admin_addr", "use --admin=user:pass@addr[/prefix] or an admin plugin on a location");
        r.notApplied("webhook", "no webhook notifications yet");
        r.notApplied("webhook_type", "no webhook notifications yet");
        r.notApplied("webhook_notifications", "no webhook notifications yet");
        r.notApplied("sentry", "no Sentry reporting");
        r.notApplied("pyroscope", "no Pyroscope profiling");
        r.notApplied("user", "the process keeps the user it was started as");
        r.notApplied("group", "the process keeps the group it was started as");
        String upgradeSock = r.path("upgrade_sock");
        r.notApplied("auto_restart_check_interval", "no restarts: --autoreload and SIGHUP reload in place");
        r.notApplied("work_stealing", "each event loop serves its own connections");
        r.notApplied("listener_tasks_per_fd", "each event loop accepts on its own socket");
        r.notApplied("log_buffered_size", "logs are not buffered by size");
        r.notApplied("log_compression", "log files are not rotated or compressed");
        r.notApplied("log_compression_days", "log files are not rotated or compressed");
        r.notApplied("cache_directory", "the cache plugin's own directory key chooses its folder");
        r.notApplied("cache_max_size", "the cache plugin's own max_size applies");
        r.notApplied("acme_token_directory", "HTTP-01 tokens are answered from memory");
        r.notApplied("trusted_proxies", "the client IP is the TCP peer's");
        return new BasicConfig(name, loops, grace == null ? BasicConfig.DEFAULT_GRACE_PERIOD : grace, shutdown,
                pidFile, pluginsDir == null ? BasicConfig.DEFAULT_PLUGINS_DIR : pluginsDir, accessLog, errorTemplate,
                logLevel == null ? "info" : logLevel, json,
                pool == null ? null : pool.intValue(), acmeDir == null ? BasicConfig.DEFAULT_ACME_DIR : acmeDir,
                checkInterval == null ? BasicConfig.DEFAULT_CERTIFICATE_CHECK_INTERVAL : checkInterval, tlsProvider,
                ticketLifetime == null ? BasicConfig.DEFAULT_TLS_SESSION_TICKET_LIFETIME : ticketLifetime,
                new BasicConfig.Observability(otlp, sampling == null ? 1.0 : sampling,
                        errorLogInterval == null ? BasicConfig.Observability.DEFAULT_ERROR_LOG_INTERVAL : errorLogInterval),
                upgradeSock, r.extras());
    }
}
