package io.pingora4j.server;

import io.pingora4j.engine.Server;
import io.pingora4j.server.metrics.Figures;
import io.pingora4j.server.metrics.LiveFigures;
import io.pingora4j.server.metrics.ProcessFigures;
import io.pingora4j.server.plugins.StatsFilterFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The {@code stats} plugin's document: Pingap's fields ({@code processing}, {@code accepted},
 * {@code location_processing}, {@code location_accepted}, host, version, uptime, memory, threads,
 * descriptors) and ours (requests/s over 10 s, latency quantiles over the last minute, responses
 * by class, upstream connection reuse). Built off the loops. Thread-safe.
 */
final class StatsJson implements StatsFilterFactory.Source {

    private final LiveFigures live;
    private final Supplier<Server> server;
    private final Executor executor;
    private final String version;

    StatsJson(LiveFigures live, Supplier<Server> server, Executor executor, String version) {
        this.live = live;
        this.server = server;
        this.executor = executor;
        this.version = version;
    }

    @Override
    public Executor executor() {
        return executor;
    }

    @Override
    public String json(String location) {
        Figures f = live.current();
        ProcessFigures p = ProcessFigures.now();
        StringBuilder b = new StringBuilder(1024).append('{');
        field(b, "processing", f.processing());
        field(b, "accepted", f.accepted());
        for (Figures.LocationFigures l : f.locations()) {
            if (l.name().equals(location)) {
                field(b, "location_processing", l.processing());
                field(b, "location_accepted", l.accepted());
            }
        }
        field(b, "requests_per_second", round(live.requestsPerSecond(Duration.ofSeconds(10))));
        field(b, "latency_p50_ms", round(live.latencyQuantileSeconds(0.5, Duration.ofMinutes(1)) * 1000));
        field(b, "latency_p99_ms", round(live.latencyQuantileSeconds(0.99, Duration.ofMinutes(1)) * 1000));
        b.append("\"responses\":{");
        for (int c = 1; c <= 5; c++) {
            b.append('"').append(c).append("xx\":").append(f.statusClasses()[c]).append(c < 5 ? "," : "");
        }
        b.append("},");
        string(b, "hostname", hostname());
        string(b, "version", version);
        string(b, "java_version", System.getProperty("java.version"));
        field(b, "start_time", p.startMillis() / 1000);
        string(b, "uptime", human(Duration.ofMillis(p.uptimeMillis())));
        field(b, "memory_mb", p.residentBytes() < 0 ? -1 : p.residentBytes() / 1048576);
        string(b, "memory", p.residentBytes() < 0 ? "-" : String.format(Locale.ROOT, "%.1f MB", p.residentBytes() / 1048576.0));
        field(b, "heap_used_mb", p.heapUsedBytes() / 1048576);
        field(b, "direct_buffer_mb", p.directBufferBytes() / 1048576);
        string(b, "arch", System.getProperty("os.arch"));
        field(b, "cpus", p.cpus());
        field(b, "threads", p.threads());
        field(b, "fd_count", p.openFds());
        Server s = server.get();
        if (s != null) {
            Server.Stats st = s.stats();
            field(b, "connections_accepted", st.connectionsAccepted());
            field(b, "upstream_connects", st.upstreamConnects());
            field(b, "upstream_reuse_ratio", round(st.reuseRatio()));
            field(b, "h2_streams", st.h2Streams());
        }
        b.setLength(b.length() - 1);
        return b.append('}').toString();
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static void field(StringBuilder b, String name, long v) {
        b.append('"').append(name).append("\":").append(v).append(',');
    }

    private static void field(StringBuilder b, String name, double v) {
        b.append('"').append(name).append("\":").append(v).append(',');
    }

    private static void string(StringBuilder b, String name, String v) {
        b.append('"').append(name).append("\":\"");
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append("\",");
    }

    /** "3days 4h 12m" as Pingap writes it; "42s" under a minute. */
    static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 60) {
            return s + "s";
        }
        StringBuilder b = new StringBuilder();
        long days = s / 86400;
        long hours = s % 86400 / 3600;
        long minutes = s % 3600 / 60;
        if (days > 0) {
            b.append(days).append(days == 1 ? "day " : "days ");
        }
        if (days > 0 || hours > 0) {
            b.append(hours).append("h ");
        }
        return b.append(minutes).append('m').toString();
    }

    private static String hostname() {
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) {
            return h.strip();
        }
        try {
            return Files.readString(Path.of("/etc/hostname")).strip();
        } catch (java.io.IOException | RuntimeException e) {
            return "-";
        }
    }
}
