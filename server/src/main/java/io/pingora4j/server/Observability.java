package io.pingora4j.server;

import io.pingora4j.engine.Server;
import io.pingora4j.server.config.BasicConfig;
import io.pingora4j.server.config.PluginSpec;
import io.pingora4j.server.config.PrometheusMetrics;
import io.pingora4j.server.config.ProxyConfig;
import io.pingora4j.server.config.ServerConfig;
import io.pingora4j.server.config.OtlpExporter;
import io.pingora4j.server.metrics.ProxyMetrics;
import io.pingora4j.server.tracing.Tracer;
import io.prometheus.client.Collector;
import io.prometheus.client.exporter.BasicAuthHttpConnectionFactory;
import io.prometheus.client.exporter.PushGateway;
import java.net.MalformedURLException;
import java.net.URL;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a configuration asks to observe: the metrics (when a server has
 * {@code prometheus_metrics} or a {@code stats} plugin needs them), the tracers (one per OTLP
 * endpoint and service name), the error log, and the one thread that scrapes and pushes off the
 * event loops.
 *
 * <p>Thread-safe; built with the runtime, started with the engine, closed with the runtime.
 */
final class Observability implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Observability.class);

    /** The proxy's metrics, or null when nothing reads them (then nothing is recorded either). */
    final ProxyMetrics metrics;
    final ErrorLog errorLog;
    /** The last minute's figures (sampled each second), or null with metrics off. */
    final io.pingora4j.server.metrics.LiveFigures live;
    /** Server name to its tracer; absent when the server's requests are not traced. */
    private final Map<String, Tracer> tracers;
    private final ProxyConfig config;
    private final ScheduledExecutorService thread;
    /** Pushes to Pushgateways, on a thread of their own: a gateway that hangs must not delay scrapes. */
    private volatile ScheduledExecutorService pushes;
    private volatile Server server;

    /** True when {@link #metrics} were the previous configuration's: collectors take over at {@link #start}. */
    private final boolean sharedMetrics;

    private Observability(ProxyConfig config, ProxyMetrics metrics, boolean sharedMetrics, ErrorLog errorLog,
                          Map<String, Tracer> tracers) {
        this.config = config;
        this.metrics = metrics;
        this.sharedMetrics = sharedMetrics;
        this.errorLog = errorLog;
        this.tracers = tracers;
        this.live = metrics == null ? null : new io.pingora4j.server.metrics.LiveFigures(metrics);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pingora4j-observability");
            t.setDaemon(true);
            return t;
        });
        if (metrics != null) {
            if (!sharedMetrics) {
                registerCollectors();
            }
            thread.scheduleAtFixedRate(live::sample, 0, 1, TimeUnit.SECONDS);
        }
    }

    /** This configuration's collectors of engine and tracing figures, in place of any before them. */
    private void registerCollectors() {
        metrics.replace("engine", ProxyMetrics.engineCollector(() -> server));
        metrics.replace("tracing", new TracingCollector());
    }

    static Observability build(ProxyConfig config) {
        return build(config, null);
    }

    /**
     * The observability of {@code config}. With {@code previous} (a reload), the previous metrics
     * are kept when they count the same names, so counters and histograms go on rather than restart;
     * this configuration's collectors replace the previous ones' when it starts serving.
     */
    static Observability build(ProxyConfig config, Observability previous) {
        boolean wanted = config.plugins().values().stream()
                        .anyMatch(p -> p.category().equals("stats") || p.category().equals("admin")) // admin: api/stats
                || config.servers().values().stream().anyMatch(s -> s.prometheusMetrics() != null);
        ProxyMetrics metrics = null;
        if (wanted) {
            List<String> cache = new ArrayList<>();
            List<String> limit = new ArrayList<>();
            for (PluginSpec p : config.plugins().values()) {
                if (p.category().equals("cache")) {
                    cache.add(p.name());
                } else if (p.category().equals("limit")) {
                    limit.add(p.name());
                }
            }
            List<String> locations = List.copyOf(config.locations().keySet());
            List<String> upstreams = List.copyOf(config.upstreams().keySet());
            if (previous != null && previous.metrics != null
                    && previous.metrics.counts(locations, upstreams, List.copyOf(cache), List.copyOf(limit))) {
                metrics = previous.metrics;
            } else {
                metrics = new ProxyMetrics(locations, upstreams, cache, limit);
            }
        }
        boolean shared = metrics != null && previous != null && metrics == previous.metrics;
        BasicConfig.Observability o = config.basic().observability();
        return new Observability(config, metrics, shared, new ErrorLog(o.errorLogInterval(), BasicConfig.Observability.ERROR_LOG_BURST),
                tracers(config));
    }

    /**
     * A tracer per server that exports spans: the server's {@code otlp_exporter}, else
     * {@code [basic] otlp_exporter}. Servers with the same endpoint and service name share one.
     */
    private static Map<String, Tracer> tracers(ProxyConfig config) {
        BasicConfig.Observability o = config.basic().observability();
        Map<String, Tracer> byTarget = new HashMap<>();
        Map<String, Tracer> byServer = new LinkedHashMap<>();
        for (ServerConfig s : config.servers().values()) {
            OtlpExporter e = s.otlpExporter() != null ? s.otlpExporter() : o.otlpExporter();
            if (e == null) {
                continue;
            }
            String service = e.serviceName() != null ? e.serviceName() : config.basic().name();
            Tracer t = byTarget.computeIfAbsent(e.endpoint() + " " + service,
                    k -> new Tracer(e.endpoint(), service, Main.version(), o.samplingRatio()));
            byServer.put(s.name(), t);
        }
        return byServer;
    }

    /** The tracer of server {@code name}'s requests, or null. */
    Tracer tracer(String name) {
        return tracers.get(name);
    }

    /** The endpoint a server answers its {@code prometheus_metrics} path with, or null. */
    MetricsEndpoint endpoint(ServerConfig s) {
        PrometheusMetrics pm = s.prometheusMetrics();
        if (pm == null || pm.push() || metrics == null) {
            return null;
        }
        return new MetricsEndpoint(pm.path(), metrics, thread);
    }

    /** The stats plugin's figures, or null with metrics off. */
    StatsJson stats() {
        return live == null ? null : new StatsJson(live, () -> server, thread, Main.version());
    }

    /** Where the stats plugin and the scrapes do their reading: off the loops. */
    java.util.concurrent.Executor executor() {
        return thread;
    }

    /** The engine is serving: its counters join the metrics, and pushes begin. */
    void start(Server server, Map<String, UpstreamGroup> upstreams) {
        this.server = server;
        if (metrics == null) {
            return;
        }
        if (sharedMetrics) {
            registerCollectors();
        }
        metrics.replace("backends", new BackendCollector(upstreams, server));
        for (ServerConfig s : config.servers().values()) {
            PrometheusMetrics pm = s.prometheusMetrics();
            if (pm != null && pm.push()) {
                startPush(s.name(), pm);
            }
        }
    }

    private void startPush(String serverName, PrometheusMetrics pm) {
        PushGateway gateway;
        try {
            gateway = new PushGateway(new URL(pm.gateway()));
        } catch (MalformedURLException e) {
            LOG.warn("servers.{}.prometheus_metrics: {}", serverName, e.getMessage());
            return;
        }
        if (pm.user() != null) {
            gateway.setConnectionFactory(new BasicAuthHttpConnectionFactory(pm.user(), pm.password()));
        }
        long every = pm.interval().toMillis();
        boolean[] failing = {false};
        if (pushes == null) {
            pushes = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "pingora4j-metrics-push");
                t.setDaemon(true);
                return t;
            });
        }
        pushes.scheduleAtFixedRate(() -> {
            try {
                gateway.push(metrics.registry(), pm.job(), Map.of("instance", config.basic().name()));
                if (failing[0]) {
                    LOG.info("servers.{}.prometheus_metrics: pushing to {} again", serverName, pm.gateway());
                    failing[0] = false;
                }
            } catch (java.io.IOException | RuntimeException e) {
                if (!failing[0]) { // once per outage, not once per interval
                    LOG.warn("servers.{}.prometheus_metrics: push to {} failed: {}", serverName, pm.gateway(),
                            e.getMessage());
                    failing[0] = true;
                }
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        thread.shutdownNow();
        if (pushes != null) {
            pushes.shutdownNow();
        }
        for (Tracer t : new java.util.HashSet<>(tracers.values())) {
            t.close(); // what is queued is sent, within the export timeout
        }
    }

    /** The tracers' export counters and the error log's, at scrape time. */
    private final class TracingCollector extends Collector {
        @Override
        public List<MetricFamilySamples> collect() {
            long exported = 0;
            long dropped = 0;
            long failed = 0;
            for (Tracer t : new java.util.HashSet<>(tracers.values())) {
                exported += t.exportedSpans();
                dropped += t.droppedSpans();
                failed += t.failedSpans();
            }
            return List.of(
                    counter("trace_spans_exported", "Spans the OTLP exporter accepted", exported),
                    counter("trace_spans_dropped", "Spans dropped because the export queue was full", dropped),
                    counter("trace_spans_failed", "Spans whose export failed (exporter down, refusing, or too slow)",
                            failed),
                    counter("error_log_lines", "Lines written to the error log", errorLog.written()),
                    counter("error_log_suppressed", "Error log lines left out by its rate limit", errorLog.suppressed()));
        }

        private MetricFamilySamples counter(String name, String help, long value) {
            return new MetricFamilySamples(ProxyMetrics.PREFIX + name, Type.COUNTER, help, List.of(
                    new MetricFamilySamples.Sample(ProxyMetrics.PREFIX + name + "_total", List.of(), List.of(), value)));
        }
    }
}
