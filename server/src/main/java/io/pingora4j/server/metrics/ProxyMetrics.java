package io.pingora4j.server.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The proxy's figures: per-loop {@link Recorder}s written on the hot path, merged only when read,
 * as Prometheus text ({@link #scrape()}: Pingap's metric names under {@code pingora4j_}) or as
 * plain numbers for code ({@link #figures()}: what the stats plugin and the admin API read).
 *
 * <p>Label values (locations, upstreams, plugins) are fixed when the configuration is loaded;
 * recording takes a series number, never a label. Other sources (the engine's counters, the
 * process, the backends, the tracer) join the exposition as {@link Collector}s read at scrape time.
 *
 * <p>Thread-safe: recorders are per thread; reading may happen on any thread, and should happen
 * off the event loops (reading the process touches files).
 */
public final class ProxyMetrics {

    /** Every metric name starts with this. */
    public static final String PREFIX = "pingora4j_";

    private final Layout layout;
    private final List<Shard> shards = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Recorder> recorders;
    private final CollectorRegistry registry = new CollectorRegistry(true);
    private final java.util.Map<String, Collector> roles = new java.util.HashMap<>();

    /**
     * @param locations    every location name (label {@code location})
     * @param upstreams    every upstream name (label {@code upstream})
     * @param cachePlugins names of the cache plugins (label {@code plugin})
     * @param limitPlugins names of the limit plugins (label {@code plugin})
     */
    public ProxyMetrics(List<String> locations, List<String> upstreams, List<String> cachePlugins,
                        List<String> limitPlugins) {
        this.layout = new Layout(locations, upstreams, cachePlugins, limitPlugins);
        this.recorders = ThreadLocal.withInitial(() -> {
            Shard s = new Shard(layout);
            shards.add(s);
            return new Recorder(layout, s);
        });
        registry.register(new ProxyCollector(this));
        registry.register(new ProcessCollector());
    }

    /** This thread's recorder (an event loop's own); made on a thread's first request. */
    public Recorder recorder() {
        return recorders.get();
    }

    /** The series of location {@code name}; the unrouted series for null or an unknown name. */
    public int location(String name) {
        return layout.location(name);
    }

    /** The series of requests no location took. */
    public int unrouted() {
        return layout.unrouted();
    }

    /** The series of upstream {@code name}, or -1. */
    public int upstream(String name) {
        return layout.upstream(name);
    }

    /** The series of cache plugin {@code name}, or -1. */
    public int cachePlugin(String name) {
        return layout.cachePlugin(name);
    }

    /** The series of limit plugin {@code name}, or -1. */
    public int limitPlugin(String name) {
        return layout.limitPlugin(name);
    }

    /** Adds a source read at every scrape (the engine's counters, the backends, the tracer's). */
    public void register(Collector collector) {
        registry.register(collector);
    }

    /**
     * Registers {@code collector} as the one that plays {@code role} (the engine's counters, the
     * reload counters...), unregistering the one that played it before: when a reloaded
     * configuration keeps these metrics, its own collectors take over from the old ones'.
     */
    public synchronized void replace(String role, Collector collector) {
        Collector old = roles.put(role, collector);
        if (old != null) {
            registry.unregister(old);
        }
        registry.register(collector);
    }

    /** The collector of the engine's counters, read from {@code stats} at every scrape. */
    public static Collector engineCollector(Supplier<io.pingora4j.engine.Server> server) {
        return new EngineCollector(server);
    }

    /**
     * Whether these metrics count exactly these names: a reloaded configuration with the same
     * locations, upstreams and cache and limit plugins keeps them, so counters do not restart.
     */
    public boolean counts(List<String> locations, List<String> upstreams, List<String> cachePlugins,
                          List<String> limitPlugins) {
        return layout.locations.equals(locations) && layout.upstreams.equals(upstreams)
                && layout.cachePlugins.equals(cachePlugins) && layout.limitPlugins.equals(limitPlugins);
    }

    /** Every metric, in Prometheus's text format 0.0.4. */
    public String scrape() {
        StringWriter out = new StringWriter(16 * 1024);
        try {
            TextFormat.write004(out, registry.metricFamilySamples());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /** The registry the exposition and a Pushgateway push read. */
    public CollectorRegistry registry() {
        return registry;
    }

    // ------------------------------------------------------------------ reading the shards

    long sum(int valueIndex) {
        long n = 0;
        for (Shard s : shards) {
            n += Shard.read(s.values, valueIndex);
        }
        return n;
    }

    /** A histogram series merged over the shards: bucket counts, then count, then sum. */
    long[] histogram(int base, Buckets buckets, int series) {
        int from = Layout.series(base, buckets, series);
        long[] out = new long[buckets.slots() + 2];
        for (Shard s : shards) {
            for (int i = 0; i < out.length; i++) {
                out[i] += Shard.read(s.histograms, from + i);
            }
        }
        return out;
    }

    Layout layout() {
        return layout;
    }

    /**
     * The figures now, as numbers: requests accepted and in flight, in all and per location, and
     * the response time histogram of all locations together. For the stats plugin and the admin
     * API; take two and call {@link Figures#ratePerSecond} for requests/s.
     */
    public Figures figures() {
        List<Figures.LocationFigures> locations = new ArrayList<>();
        long accepted = 0;
        long processing = 0;
        long[] latency = new long[Buckets.SECONDS.slots() + 2];
        for (int l = 0; l <= layout.locations.size(); l++) {
            long a = sum(layout.requests + l);
            long p = sum(layout.inflight + l);
            accepted += a;
            processing += p;
            long[] h = histogram(layout.responseTime, Buckets.SECONDS, l);
            for (int i = 0; i < h.length; i++) {
                latency[i] += h[i];
            }
            if (l < layout.locations.size()) {
                locations.add(new Figures.LocationFigures(layout.locations.get(l), a, p));
            }
        }
        long[] statusClasses = new long[6];
        for (int l = 0; l <= layout.locations.size(); l++) {
            for (int st = 0; st < Layout.STATUSES; st++) {
                long n = sum(layout.statuses + l * Layout.STATUSES + st);
                if (n != 0) {
                    statusClasses[(st + 100) / 100] += n;
                }
            }
        }
        return new Figures(System.nanoTime(), accepted, processing, Collections.unmodifiableList(locations),
                statusClasses, latency);
    }
}
