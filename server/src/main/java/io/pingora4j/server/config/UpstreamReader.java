package io.pingora4j.server.config;

import io.pingora4j.lb.Algorithm;
import io.pingora4j.lb.Backend;
import io.pingora4j.lb.CircuitBreaker;
import io.pingora4j.lb.HealthCheckSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.tomlj.TomlArray;

/** Reads {@code [upstreams.NAME]}. Every key it knows is read unconditionally (see {@link TableReader}). */
final class UpstreamReader {

    /** Pingap's defaults for the circuit_break_* keys (pingap-upstream, backend_circuit_state.rs). */
    private static final int BREAKER_CONSECUTIVE = 5;
    private static final int BREAKER_PERCENT = 50;
    private static final int BREAKER_MIN_REQUESTS = 10;
    private static final int BREAKER_HALF_OPEN = 5;
    private static final Duration BREAKER_OPEN = Duration.ofSeconds(10);
    /** Our default for backend_stats_interval, the window of the failure-percent rule. */
    private static final Duration BREAKER_WINDOW = Duration.ofSeconds(60);

    private UpstreamReader() {
    }

    /** The upstream, or null when the table has a problem (recorded). */
    static UpstreamConfig read(TableReader r, String name) {
        int before = r.problemCount();
        List<Long> weights = weights(r);
        List<Backend> backends = backends(r, weights);
        String algoText = r.stringAlias("algorithm", "algo");
        Algorithm algorithm = Algorithm.DEFAULT;
        if (algoText != null) {
            try {
                algorithm = Algorithm.parse(algoText);
            } catch (IllegalArgumentException e) {
                r.problem(r.has("algorithm") ? "algorithm" : "algo", e.getMessage());
            }
        }
        boolean unequal = backends.stream().mapToInt(Backend::weight).distinct().count() > 1;
        if (algorithm.kind() == Algorithm.Kind.ROUND_ROBIN && unequal && (algoText == null || r.has("algo"))) {
            algorithm = new Algorithm(Algorithm.Kind.WEIGHTED_ROUND_ROBIN, null);
        }
        HealthCheckSpec health = null;
        String hc = r.string("health_check");
        if (hc != null && !hc.isBlank()) {
            try {
                health = HealthCheckSpec.parse(hc);
            } catch (IllegalArgumentException e) {
                r.problem("health_check", e.getMessage());
            }
        }
        Duration connect = r.duration("connection_timeout");
        Duration total = r.duration("total_connection_timeout");
        Duration read = r.duration("read_timeout");
        Duration write = r.duration("write_timeout");
        Duration idle = r.duration("idle_timeout");
        String sni = r.string("sni");
        Boolean tlsFlag = r.bool("tls");
        Boolean https = r.bool("https");
        boolean tls = tlsFlag != null ? tlsFlag : https != null ? https : sni != null && !sni.isEmpty();
        boolean verify = r.bool("verify_cert", true);
        String caFile = r.path("ca_file");
        String alpn = r.choice("alpn", List.of("h1", "h2", "h2h1"));
        if ("h2h1".equals(alpn) && !tls) {
            r.warn("alpn", "\"h2h1\" is negotiated by TLS, and this upstream is plain: HTTP/1.1 is used"
                    + " (alpn = \"h2\" speaks h2c, HTTP/2 with prior knowledge)");
        }
        Long retries = r.integer("max_retries", 0, 100);
        String discovery = r.choice("discovery", List.of("static", "dns", "docker", "transparent"));
        if ("docker".equals(discovery) || "transparent".equals(discovery)) {
            r.warn("discovery", TableReader.notAppliedReason("discovery \"" + discovery
                    + "\" is not supported; the addrs are used as written"));
        }
        Duration update = r.positiveDuration("update_frequency", "30s");
        boolean ipv4Only = r.bool("ipv4_only", false);
        // our additions (Pingap has no passive checks nor slow start): see UpstreamConfig
        Long passive = r.integer("passive_failures", 0, 1000);
        Duration slowStart = r.duration("slow_start");
        CircuitBreaker.Policy breaker = circuitBreaker(r);
        Set<Integer> failureStatuses = failureStatuses(r);
        r.string("remark");
        r.notApplied("includes", "[storages] fragments are not merged");
        r.notApplied("backup_addrs", "no backup backends");
        r.notApplied("enable_tracer",
                "upstream attempts are traced (CLIENT spans) whenever the server's requests are: see otlp_exporter");
        r.notApplied("dns_server", "host names are resolved by the system resolver");
        r.notApplied("dns_domain", "host names are resolved by the system resolver");
        r.notApplied("dns_search", "host names are resolved by the system resolver");
        r.notApplied("tcp_idle", "no TCP keepalive tuning");
        r.notApplied("tcp_interval", "no TCP keepalive tuning");
        r.notApplied("tcp_probe_count", "no TCP keepalive tuning");
        r.notApplied("tcp_recv_buf", "the system's socket buffers are used");
        r.notApplied("tcp_fast_open", "no TCP Fast Open");
        if (r.problemCount() != before) {
            return null;
        }
        return new UpstreamConfig(name, backends, algorithm, health, connect, total, read, write, idle, tls, sni,
                verify, alpn, retries == null ? null : retries.intValue(), discovery, update,
                passive == null ? 0 : passive.intValue(), slowStart == null ? Duration.ZERO : slowStart, breaker,
                failureStatuses, caFile, ipv4Only, r.extras());
    }

    /** The seed's {@code weights = [3, 1]}, by position; null when absent. */
    private static List<Long> weights(TableReader r) {
        Object raw = r.raw("weights");
        if (raw == null) {
            return null;
        }
        if (!(raw instanceof TomlArray a)) {
            r.problem("weights", "expected an array of integers, got " + Problems.describe(raw));
            return null;
        }
        List<Long> weights = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            Object w = a.get(i);
            if (w instanceof Long l && l >= Backend.MIN_WEIGHT && l <= Backend.MAX_WEIGHT) {
                weights.add(l);
            } else {
                r.problemAt(r.key("weights") + "[" + i + "]", "expected an integer in " + Backend.MIN_WEIGHT
                        + ".." + Backend.MAX_WEIGHT + ", got " + Problems.describe(w));
            }
        }
        return weights;
    }

    /** {@code addrs}: "host:port" or Pingap's "host:port weight" (a missing port is 80, as in Pingap). */
    private static List<Backend> backends(TableReader r, List<Long> weights) {
        List<String> addrs = r.stringList("addrs");
        List<Backend> backends = new ArrayList<>();
        if (addrs == null) {
            if (!r.has("addrs")) {
                r.problem("addrs", "is required (e.g. addrs = [\"127.0.0.1:8080\"])");
            }
            return backends;
        }
        if (addrs.isEmpty()) {
            r.problem("addrs", "must list at least one address");
            return backends;
        }
        for (int i = 0; i < addrs.size(); i++) {
            String a = addrs.get(i);
            try {
                Backend b = Backend.parse(a, 80);
                if (weights != null && i < weights.size()) {
                    if (b.weight() != 1 || a.strip().indexOf(' ') > 0) {
                        r.problemAt(r.key("addrs") + "[" + i + "]", "has an inline weight and 'weights' gives one too; keep one");
                    }
                    b = new Backend(b.host(), b.port(), weights.get(i).intValue(), b.address());
                }
                backends.add(b);
            } catch (IllegalArgumentException e) {
                r.problemAt(r.key("addrs") + "[" + i + "]", e.getMessage());
            }
        }
        if (weights != null && weights.size() != addrs.size()) {
            r.problem("weights", "has " + weights.size() + " entries for " + addrs.size() + " addrs");
        }
        return backends;
    }

    /**
     * Pingap's circuit breaker: on when {@code enable_backend_stats = true} or any
     * {@code circuit_break_*} key is written; a rule given as 0 is off; null when off.
     */
    private static CircuitBreaker.Policy circuitBreaker(TableReader r) {
        Boolean enabled = r.bool("enable_backend_stats");
        Long consecutive = r.integer("circuit_break_max_consecutive_failures", 0, 1_000_000);
        Long percent = r.integer("circuit_break_max_failure_percent", 0, 100);
        // Pingap takes 0 here; with no request there is no rate to judge, so 0 means the same as 1
        Long minRequests = r.integer("circuit_break_min_requests_threshold", 0, 1_000_000_000);
        Long probes = r.integer("circuit_break_half_open_consecutive_success_threshold", 1, 1_000_000);
        Duration open = r.duration("circuit_break_open_duration");
        Duration window = r.duration("backend_stats_interval");
        if (open != null && open.isZero()) {
            r.problem("circuit_break_open_duration", "must be greater than zero (e.g. \"10s\")");
            return null;
        }
        if (window != null && window.isZero()) {
            r.problem("backend_stats_interval", "must be greater than zero (e.g. \"60s\")");
            return null;
        }
        boolean anyKey = r.presentKeys().stream().anyMatch(k -> k.startsWith("circuit_break_"));
        if (Boolean.FALSE.equals(enabled) || (enabled == null && !anyKey)) {
            return null;
        }
        int c = consecutive == null ? BREAKER_CONSECUTIVE : consecutive.intValue();
        int p = percent == null ? BREAKER_PERCENT : percent.intValue();
        if (c == 0 && p == 0) {
            r.problem("circuit_break_max_consecutive_failures", "and circuit_break_max_failure_percent are both 0:"
                    + " the breaker could never open; set one, or enable_backend_stats = false");
            return null;
        }
        try {
            return new CircuitBreaker.Policy(c, p,
                    minRequests == null ? BREAKER_MIN_REQUESTS : Math.max(1, minRequests.intValue()),
                    window == null ? BREAKER_WINDOW : window, open == null ? BREAKER_OPEN : open,
                    probes == null ? BREAKER_HALF_OPEN : probes.intValue());
        } catch (IllegalArgumentException e) {
            r.problem("circuit_break_max_consecutive_failures", e.getMessage());
            return null;
        }
    }

    /** Pingap's backend_failure_status_code: "500,502,503" (a string or a list); empty = every 5xx. */
    private static Set<Integer> failureStatuses(TableReader r) {
        List<String> codes = r.commaList("backend_failure_status_code");
        if (codes == null) {
            return Set.of();
        }
        Set<Integer> out = new TreeSet<>();
        for (String c : codes) {
            int v;
            try {
                v = Integer.parseInt(c);
            } catch (NumberFormatException e) {
                v = -1;
            }
            if (v < 100 || v > 599) {
                r.problem("backend_failure_status_code", "'" + c + "' is not an HTTP status in 100..599");
                return Set.of();
            }
            out.add(v);
        }
        return out;
    }
}
