package io.pingora4j.server.metrics;

import io.prometheus.client.Collector;
import java.util.ArrayList;
import java.util.List;

/** The process's figures ({@link ProcessFigures}) at scrape time: memory, descriptors, threads, buffers, GC. */
final class ProcessCollector extends Collector {

    private static final List<String> GC = List.of("gc");

    @Override
    public List<MetricFamilySamples> collect() {
        ProcessFigures p = ProcessFigures.now();
        List<MetricFamilySamples> out = new ArrayList<>();
        if (p.residentBytes() >= 0) {
            out.add(ProxyCollector.gauge("memory", "Resident memory of the process, in MB (as Pingap)",
                    p.residentBytes() / 1048576.0));
            out.add(ProxyCollector.gauge("resident_memory_bytes", "Resident memory of the process, in bytes",
                    p.residentBytes()));
        }
        if (p.openFds() >= 0) {
            // Pingap's fd_count: a _count suffix is reserved for histograms, and promtool says so
            out.add(ProxyCollector.gauge("open_fds", "Open file descriptors", p.openFds()));
        }
        if (p.maxFds() >= 0) {
            out.add(ProxyCollector.gauge("max_fds", "The limit on open file descriptors", p.maxFds()));
        }
        out.add(ProxyCollector.gauge("threads", "Live threads of the JVM", p.threads()));
        out.add(ProxyCollector.gauge("direct_buffer_bytes", "Memory held by direct buffers, in bytes",
                p.directBufferBytes()));
        out.add(ProxyCollector.gauge("direct_buffers", "Direct buffers allocated", p.directBufferCount()));
        out.add(ProxyCollector.gauge("heap_used_bytes", "Java heap in use, in bytes", p.heapUsedBytes()));
        out.add(ProxyCollector.gauge("start_time_seconds", "When the process started, in seconds since the epoch",
                p.startMillis() / 1000.0));
        List<MetricFamilySamples.Sample> runs = new ArrayList<>();
        List<MetricFamilySamples.Sample> time = new ArrayList<>();
        for (ProcessFigures.Gc gc : p.gcs()) {
            runs.add(new MetricFamilySamples.Sample(ProxyMetrics.PREFIX + "gc_collections_total", GC,
                    List.of(gc.name()), gc.collections()));
            time.add(new MetricFamilySamples.Sample(ProxyMetrics.PREFIX + "gc_seconds_total", GC,
                    List.of(gc.name()), gc.millis() / 1000.0));
        }
        out.add(new MetricFamilySamples(ProxyMetrics.PREFIX + "gc_collections", Type.COUNTER,
                "Garbage collections, by collector", runs));
        out.add(new MetricFamilySamples(ProxyMetrics.PREFIX + "gc_seconds", Type.COUNTER,
                "Time spent in garbage collections, by collector, in seconds", time));
        return out;
    }
}
