package io.pingora4j.server;

import io.pingora4j.engine.Server;
import io.pingora4j.server.metrics.ProxyMetrics;
import io.pingora4j.spi.HttpPeer;
import java.time.Duration;
import io.prometheus.client.Collector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Each upstream at scrape time: its established connections (open and idle, counted by each event
 * loop for its own pools), and each backend's requests and failures (the counters passive health
 * and the circuit breaker use), the failure rate they make, in flight, health and breaker state.
 */
final class BackendCollector extends Collector {

    private static final List<String> LABELS = List.of("upstream", "backend");

    private static final List<String> UPSTREAM = List.of("upstream");

    private final Map<String, UpstreamGroup> upstreams;
    private final Server server;

    BackendCollector(Map<String, UpstreamGroup> upstreams, Server server) {
        this.upstreams = upstreams;
        this.server = server;
    }

    /** Open and idle connections per upstream: the pool counts of its backends' peers. */
    private List<MetricFamilySamples> connections() {
        Map<String, Server.UpstreamConnections> byKey = server.upstreamConnections(Duration.ofSeconds(1));
        List<MetricFamilySamples.Sample> open = new ArrayList<>();
        List<MetricFamilySamples.Sample> idle = new ArrayList<>();
        String name = ProxyMetrics.PREFIX + "upstream_connections";
        for (Map.Entry<String, UpstreamGroup> e : upstreams.entrySet()) {
            long o = 0;
            long i = 0;
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (HttpPeer peer : e.getValue().snapshot().peers()) {
                Server.UpstreamConnections c = seen.add(peer.poolKey()) ? byKey.get(peer.poolKey()) : null;
                if (c != null) {
                    o += c.open();
                    i += c.idle();
                }
            }
            open.add(new MetricFamilySamples.Sample(name, UPSTREAM, List.of(e.getKey()), o));
            idle.add(new MetricFamilySamples.Sample(name + "_idle", UPSTREAM, List.of(e.getKey()), i));
        }
        return List.of(new MetricFamilySamples(name, Type.GAUGE, "Established upstream connections: connecting,"
                        + " in use, or idle in a pool", open),
                new MetricFamilySamples(name + "_idle", Type.GAUGE, "Upstream connections idle in a pool", idle));
    }

    @Override
    public List<MetricFamilySamples> collect() {
        List<MetricFamilySamples.Sample> requests = new ArrayList<>();
        List<MetricFamilySamples.Sample> failures = new ArrayList<>();
        List<MetricFamilySamples.Sample> rate = new ArrayList<>();
        List<MetricFamilySamples.Sample> inflight = new ArrayList<>();
        List<MetricFamilySamples.Sample> up = new ArrayList<>();
        List<MetricFamilySamples.Sample> circuit = new ArrayList<>();
        String p = ProxyMetrics.PREFIX + "upstream_backend_";
        for (Map.Entry<String, UpstreamGroup> e : upstreams.entrySet()) {
            for (UpstreamGroup.BackendStatus b : e.getValue().status()) {
                List<String> v = List.of(e.getKey(), b.address());
                requests.add(new MetricFamilySamples.Sample(p + "requests_total", LABELS, v, b.requests()));
                failures.add(new MetricFamilySamples.Sample(p + "failures_total", LABELS, v, b.failures()));
                rate.add(new MetricFamilySamples.Sample(p + "failure_rate", LABELS, v,
                        b.requests() == 0 ? 0 : 100.0 * b.failures() / b.requests()));
                inflight.add(new MetricFamilySamples.Sample(p + "requests_current", LABELS, v, b.inFlight()));
                up.add(new MetricFamilySamples.Sample(p + "up", LABELS, v, b.up() ? 1 : 0));
                circuit.add(new MetricFamilySamples.Sample(p + "circuit_state", LABELS, v, circuitState(b.breaker())));
            }
        }
        List<MetricFamilySamples> out = new ArrayList<>(connections());
        out.addAll(List.of(
                new MetricFamilySamples(p + "requests", Type.COUNTER, "Requests sent to the backend", requests),
                new MetricFamilySamples(p + "failures", Type.COUNTER, "Requests the backend failed (failure statuses,"
                        + " timeouts, resets)", failures),
                new MetricFamilySamples(p + "failure_rate", Type.GAUGE, "Failed requests in percent (0-100) since the"
                        + " backend was discovered; use rate() of the two counters for a window", rate),
                new MetricFamilySamples(p + "requests_current", Type.GAUGE, "Requests in flight to the backend", inflight),
                new MetricFamilySamples(p + "up", Type.GAUGE, "Whether health checks count the backend up (1) or down (0)",
                        up),
                new MetricFamilySamples(p + "circuit_state", Type.GAUGE, "Circuit breaker: 0 closed (or none), 1 open,"
                        + " 2 half-open", circuit)));
        return out;
    }

    private static int circuitState(String breaker) {
        if (breaker == null) {
            return 0;
        }
        return switch (breaker) {
            case "OPEN" -> 1;
            case "HALF_OPEN" -> 2;
            default -> 0;
        };
    }
}
