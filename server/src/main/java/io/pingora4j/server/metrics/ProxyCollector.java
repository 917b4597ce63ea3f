package io.pingora4j.server.metrics;

import io.pingora4j.server.plugins.shared.CountSync;
import io.pingora4j.server.store.EtcdConfigSource;
import io.prometheus.client.Collector;
import java.util.ArrayList;
import java.util.List;

/**
 * The request, upstream and plugin metrics: the shards of {@link ProxyMetrics}, summed at scrape
 * time into Pingap's metric families. A series that never saw a request is still written (zero),
 * so dashboards and alerts see every location and upstream from the first scrape; only status
 * codes are written when seen.
 */
final class ProxyCollector extends Collector {

    private static final List<String> LOCATION = List.of("location");
    private static final List<String> LOCATION_STATUS = List.of("location", "status");
    private static final List<String> UPSTREAM = List.of("upstream");
    private static final List<String> PLUGIN = List.of("plugin");
    private static final List<String> PLUGIN_RESULT = List.of("plugin", "result");

    private final ProxyMetrics metrics;

    ProxyCollector(ProxyMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        Layout l = metrics.layout();
        List<String> locations = new ArrayList<>(l.locations);
        locations.add(""); // the unrouted series
        List<MetricFamilySamples> out = new ArrayList<>();

        out.add(counter("http_requests", "Requests received, by location", LOCATION, locations, l.requests));
        long inflight = 0;
        for (int i = 0; i < locations.size(); i++) {
            inflight += metrics.sum(l.inflight + i);
        }
        out.add(gauge("http_requests_current", "Requests in flight", inflight));

        List<MetricFamilySamples.Sample> codes = new ArrayList<>();
        for (int i = 0; i < locations.size(); i++) {
            for (int st = 0; st < Layout.STATUSES; st++) {
                long n = metrics.sum(l.statuses + i * Layout.STATUSES + st);
                if (n != 0) {
                    codes.add(new MetricFamilySamples.Sample(ProxyMetrics.PREFIX + "http_responses_codes_total",
                            LOCATION_STATUS, List.of(locations.get(i), Integer.toString(st + 100)), n));
                }
            }
        }
        out.add(new MetricFamilySamples(ProxyMetrics.PREFIX + "http_responses_codes", Type.COUNTER,
                "Responses sent, by location and status", codes));

        out.add(histogram("http_response_time", "Response time from the request's first byte to the last byte"
                + " sent, in seconds", LOCATION, locations, l.responseTime, Buckets.SECONDS));
        out.add(counter("http_received", "Request body bytes received", LOCATION, locations, l.receivedBytes));
        out.add(histogram("http_received_bytes", "Request body size, in bytes", LOCATION, locations, l.receivedSize,
                Buckets.BYTES));
        out.add(counter("http_sent", "Response body bytes sent", LOCATION, locations, l.sentBytes));
        out.add(histogram("http_sent_bytes", "Response body size, in bytes", LOCATION, locations, l.sentSize,
                Buckets.BYTES));
        out.add(new MetricFamilySamples(ProxyMetrics.PREFIX + "connection_reuses", Type.COUNTER,
                "Requests on a client connection that had carried one before", List.of(new MetricFamilySamples.Sample(
                        ProxyMetrics.PREFIX + "connection_reuses_total", List.of(), List.of(),
                        metrics.sum(l.connectionReuses)))));

        List<String> ups = l.upstreams;
        out.add(gaugeSeries("upstream_connections_current", "Upstream connections in use by a request",
                UPSTREAM, ups, l.upstreamInUse));
        out.add(counter("upstream_requests", "Requests sent to the upstream (each attempt)", UPSTREAM, ups,
                l.upstreamRequests));
        out.add(counter("upstream_reuses", "Attempts that took a pooled upstream connection", UPSTREAM, ups,
                l.upstreamReuses));
        out.add(histogram("upstream_tcp_connect_time", "TCP connect time of new upstream connections, in seconds",
                UPSTREAM, ups, l.upstreamConnectTime, Buckets.SECONDS));
        out.add(histogram("upstream_tls_handshake_time", "TLS handshake time of new upstream connections,"
                + " in seconds", UPSTREAM, ups, l.upstreamTlsTime, Buckets.SECONDS));
        out.add(histogram("upstream_processing_time", "From the request sent upstream to the response head,"
                + " in seconds", UPSTREAM, ups, l.upstreamProcessingTime, Buckets.SECONDS));
        out.add(histogram("upstream_response_time", "From the request sent upstream to the response's last byte,"
                + " in seconds", UPSTREAM, ups, l.upstreamResponseTime, Buckets.SECONDS));

        List<MetricFamilySamples.Sample> cache = new ArrayList<>();
        for (int p = 0; p < l.cachePlugins.size(); p++) {
            for (int r = 0; r < Layout.CACHE_RESULTS.size(); r++) {
                cache.add(new MetricFamilySamples.Sample(ProxyMetrics.PREFIX + "cache_lookups_total", PLUGIN_RESULT,
                        List.of(l.cachePlugins.get(p), Layout.CACHE_RESULTS.get(r)),
                        metrics.sum(l.cache + p * Layout.CACHE_RESULTS.size() + r)));
            }
        }
        out.add(new MetricFamilySamples(ProxyMetrics.PREFIX + "cache_lookups", Type.COUNTER,
                "Cache plugin answers: hit, miss, stale (served stale) and expired (revalidated or fetched)", cache));
        out.add(counter("limit_refusals", "Requests a limit plugin refused (429)", PLUGIN, l.limitPlugins,
                l.limitRefusals));
        List<MetricFamilySamples.Sample> storeUp = new ArrayList<>();
        List<MetricFamilySamples.Sample> storeFailures = new ArrayList<>();
        for (CountSync sync : CountSync.all()) {
            storeUp.add(new MetricFamilySamples.Sample(ProxyMetrics.PREFIX + "limit_store_up", List.of("store"),
                    List.of(sync.describe()), sync.up() ? 1 : 0));
            storeFailures.add(new MetricFamilySamples.Sample(ProxyMetrics.PREFIX + "limit_store_failures_total",
                    List.of("store"), List.of(sync.describe()), sync.failures()));
        }
        out.add(new MetricFamilySamples(ProxyMetrics.PREFIX + "limit_store_up", Type.GAUGE,
                "Whether a shared limit store answered its last sync round (0: limiting locally)", storeUp));
        out.add(new MetricFamilySamples(ProxyMetrics.PREFIX + "limit_store_failures", Type.COUNTER,
                "Sync rounds that could not reach a shared limit store", storeFailures));
        List<MetricFamilySamples.Sample> configUp = new ArrayList<>();
        List<MetricFamilySamples.Sample> configFailures = new ArrayList<>();
        for (EtcdConfigSource source : EtcdConfigSource.watching()) {
            configUp.add(new MetricFamilySamples.Sample(ProxyMetrics.PREFIX + "config_store_up", List.of("store"),
                    List.of(source.describe()), source.up() ? 1 : 0));
            configFailures.add(new MetricFamilySamples.Sample(ProxyMetrics.PREFIX + "config_store_failures_total",
                    List.of("store"), List.of(source.describe()), source.failures()));
        }
        out.add(new MetricFamilySamples(ProxyMetrics.PREFIX + "config_store_up", Type.GAUGE,
                "Whether the configuration store's watch is connected (0: serving the last good configuration)",
                configUp));
        out.add(new MetricFamilySamples(ProxyMetrics.PREFIX + "config_store_failures", Type.COUNTER,
                "Times the configuration store's watch lost the store", configFailures));
        return out;
    }

    private MetricFamilySamples counter(String name, String help, List<String> labels, List<String> values, int base) {
        List<MetricFamilySamples.Sample> samples = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            samples.add(new MetricFamilySamples.Sample(ProxyMetrics.PREFIX + name + "_total", labels,
                    List.of(values.get(i)), metrics.sum(base + i)));
        }
        return new MetricFamilySamples(ProxyMetrics.PREFIX + name, Type.COUNTER, help, samples);
    }

    private MetricFamilySamples gaugeSeries(String name, String help, List<String> labels, List<String> values,
                                            int base) {
        List<MetricFamilySamples.Sample> samples = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            samples.add(new MetricFamilySamples.Sample(ProxyMetrics.PREFIX + name, labels, List.of(values.get(i)),
                    metrics.sum(base + i)));
        }
        return new MetricFamilySamples(ProxyMetrics.PREFIX + name, Type.GAUGE, help, samples);
    }

    static MetricFamilySamples gauge(String name, String help, double value) {
        return new MetricFamilySamples(ProxyMetrics.PREFIX + name, Type.GAUGE, help,
                List.of(new MetricFamilySamples.Sample(ProxyMetrics.PREFIX + name, List.of(), List.of(), value)));
    }

    private MetricFamilySamples histogram(String name, String help, List<String> labels, List<String> values,
                                          int base, Buckets buckets) {
        List<MetricFamilySamples.Sample> samples = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            histogramSamples(ProxyMetrics.PREFIX + name, labels, List.of(values.get(i)),
                    metrics.histogram(base, buckets, i), buckets, samples);
        }
        return new MetricFamilySamples(ProxyMetrics.PREFIX + name, Type.HISTOGRAM, help, samples);
    }

    /** Cumulative {@code _bucket} lines, then {@code _count} and {@code _sum}, from per-slot counts. */
    static void histogramSamples(String name, List<String> labels, List<String> values, long[] h, Buckets buckets,
                                 List<MetricFamilySamples.Sample> into) {
        List<String> le = new ArrayList<>(labels);
        le.add("le");
        long cumulative = 0;
        for (int b = 0; b < buckets.slots(); b++) {
            cumulative += h[b];
            List<String> v = new ArrayList<>(values);
            v.add(Collector.doubleToGoString(buckets.upperBound(b)));
            into.add(new MetricFamilySamples.Sample(name + "_bucket", le, v, cumulative));
        }
        // the count is the +Inf bucket, so the two agree even while loops record during the scrape
        into.add(new MetricFamilySamples.Sample(name + "_count", labels, values, cumulative));
        into.add(new MetricFamilySamples.Sample(name + "_sum", labels, values, h[buckets.slots() + 1] * buckets.scale()));
    }
}
