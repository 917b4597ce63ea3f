package io.pingora4j.server.config;

import io.pingora4j.lb.Algorithm;
import io.pingora4j.lb.Backend;
import io.pingora4j.lb.CircuitBreaker;
import io.pingora4j.lb.HealthCheckSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * Reads a Pingap-style TOML file into a {@link ProxyConfig}: {@code [basic]}, {@code [upstreams.*]},
 * {@code [locations.*]}, {@code [servers.*]}, {@code [plugins.*]}, {@code [certificates.*]} (and
 * Pingap's {@code [storages.*]}), accepting both the seed's and Pingap's spellings. Every problem is
 * collected (syntax errors with line and column, wrong types, unknown keys, bad values, dangling
 * references) and reported together in one {@link ConfigException}.
 *
 * <p>Stateless and thread-safe; runs off the event loops (at start and at reload).
 */
public final class ConfigLoader {

    private static final List<String> SECTIONS =
            List.of("basic", "upstreams", "locations", "servers", "plugins", "certificates", "storages");

    private ConfigLoader() {
    }

    /**
     * Loads and validates a file, or a directory of {@code *.toml} files (Pingap's layout:
     * basic.toml, servers.toml, locations.toml...), read in name order as one document. Problems
     * name the file the offending table is in.
     */
    public static ProxyConfig load(Path path) throws ConfigException {
        if (Files.isDirectory(path)) {
            return loadDirectory(path);
        }
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigProblem(path.toString(), "", "cannot read: " + e)));
        }
        return parse(text, path.toString());
    }

    private static ProxyConfig loadDirectory(Path dir) throws ConfigException {
        Problems problems = new Problems(dir.toString());
        List<Path> files;
        try (var stream = Files.list(dir)) {
            files = stream.filter(f -> f.getFileName().toString().endsWith(".toml") && Files.isRegularFile(f))
                    .sorted().toList();
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigProblem(dir.toString(), "", "cannot list: " + e)));
        }
        if (files.isEmpty()) {
            throw new ConfigException(List.of(new ConfigProblem(dir.toString(), "", "no *.toml file in the directory")));
        }
        StringBuilder all = new StringBuilder();
        for (Path f : files) {
            String text;
            try {
                text = Files.readString(f, StandardCharsets.UTF_8);
            } catch (IOException e) {
                problems.add(f.toString(), "", "cannot read: " + e);
                continue;
            }
            TomlParseResult one = Toml.parse(text);
            if (one.hasErrors()) {
                for (TomlParseError e : one.errors()) {
                    problems.add(f.toString(), "", syntaxError(e));
                }
                continue;
            }
            for (String section : one.keySet()) {
                if (section.equals("basic")) {
                    if (problems.ownerOf("basic") != null) {
                        problems.add(f.toString(), "basic", "[basic] is also in " + problems.ownerOf("basic"));
                    }
                    problems.owner("basic", f.toString());
                } else if (one.get(List.of(section)) instanceof TomlTable t) {
                    for (String name : t.keySet()) {
                        String key = section + "." + name;
                        if (problems.ownerOf(key) != null) {
                            problems.add(f.toString(), key, "[" + key + "] is also in " + problems.ownerOf(key));
                        }
                        problems.owner(key, f.toString());
                    }
                } else {
                    problems.add(f.toString(), section, "expected a table such as [" + section + ".NAME], got "
                            + Problems.describe(one.get(List.of(section))));
                }
            }
            all.append(text).append('\n');
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.list);
        }
        return parse(all.toString(), problems);
    }

    /** Parses and validates TOML text; {@code sourceName} names it in problems. */
    public static ProxyConfig parse(String toml, String sourceName) throws ConfigException {
        return parse(toml, new Problems(sourceName));
    }

    private static String syntaxError(TomlParseError e) {
        return "TOML syntax error at line " + e.position().line() + ", column " + e.position().column() + ": "
                + e.getMessage();
    }

    private static ProxyConfig parse(String toml, Problems problems) throws ConfigException {
        String sourceName = problems.file;
        TomlParseResult result = Toml.parse(toml);
        if (result.hasErrors()) {
            for (TomlParseError e : result.errors()) {
                problems.add("", syntaxError(e));
            }
            throw new ConfigException(problems.list);
        }
        for (String key : result.keySet()) {
            if (!SECTIONS.contains(key)) {
                problems.add(key, "unknown section '" + key + "' (expected one of " + SECTIONS + ")");
            }
        }
        BasicConfig basic = readBasic(problems, result);
        Map<String, UpstreamConfig> upstreams = new LinkedHashMap<>();
        for (Map.Entry<String, TomlTable> e : namedTables(problems, result, "upstreams").entrySet()) {
            UpstreamConfig u = readUpstream(problems, e.getKey(), e.getValue());
            if (u != null) {
                upstreams.put(e.getKey(), u);
            }
        }
        Map<String, PluginSpec> plugins = new LinkedHashMap<>();
        for (Map.Entry<String, TomlTable> e : namedTables(problems, result, "plugins").entrySet()) {
            PluginSpec p = readPlugin(problems, e.getKey(), e.getValue());
            if (p != null) {
                plugins.put(e.getKey(), p);
            }
        }
        Map<String, TomlTable> locationTables = namedTables(problems, result, "locations");
        Map<String, LocationConfig> locations = new LinkedHashMap<>();
        for (Map.Entry<String, TomlTable> e : locationTables.entrySet()) {
            LocationConfig l = readLocation(problems, e.getKey(), e.getValue(), result);
            if (l != null) {
                locations.put(e.getKey(), l);
            }
        }
        Map<String, ServerConfig> servers = new LinkedHashMap<>();
        Map<String, String> listenOwners = new HashMap<>();
        for (Map.Entry<String, TomlTable> e : namedTables(problems, result, "servers").entrySet()) {
            ServerConfig s = readServer(problems, e.getKey(), e.getValue(), locationTables, listenOwners);
            if (s != null) {
                servers.put(e.getKey(), s);
            }
        }
        Map<String, CertificateConfig> certificates = new LinkedHashMap<>();
        for (Map.Entry<String, TomlTable> e : namedTables(problems, result, "certificates").entrySet()) {
            certificates.put(e.getKey(), readCertificate(problems, e.getKey(), e.getValue()));
        }
        Map<String, Map<String, Object>> storages = new LinkedHashMap<>();
        for (Map.Entry<String, TomlTable> e : namedTables(problems, result, "storages").entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> plain = (Map<String, Object>) TableReader.plain(e.getValue());
            storages.put(e.getKey(), plain);
        }
        // references from locations to upstreams are checked here, once all upstreams are read
        for (Map.Entry<String, TomlTable> e : locationTables.entrySet()) {
            Object up = e.getValue().keySet().contains("upstream") ? e.getValue().get(List.of("upstream")) : null;
            if (up instanceof String name && !name.isEmpty() && !upstreams.containsKey(name)
                    && !namedTables(new Problems(""), result, "upstreams").containsKey(name)) {
                problems.add("locations." + e.getKey() + ".upstream", "unknown upstream '" + name + "'"
                        + known(upstreams.keySet()));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.list);
        }
        return new ProxyConfig(sourceName, basic, upstreams, locations, servers, plugins, certificates, storages);
    }

    private static String known(Collection<String> names) {
        return names.isEmpty() ? " (none is defined)" : " (defined: " + String.join(", ", names) + ")";
    }

    /** The sub-tables of a section such as {@code [upstreams]}, each a problem if not a table. */
    private static Map<String, TomlTable> namedTables(Problems problems, TomlTable root, String section) {
        Map<String, TomlTable> out = new LinkedHashMap<>();
        if (!root.keySet().contains(section)) {
            return out;
        }
        Object v = root.get(List.of(section));
        if (!(v instanceof TomlTable t)) {
            problems.add(section, "expected a table, got " + Problems.describe(v));
            return out;
        }
        for (String name : t.keySet()) {
            Object item = t.get(List.of(name));
            if (item instanceof TomlTable table) {
                out.put(name, table);
            } else {
                problems.add(section + "." + name, "expected a table [" + section + "." + name + "], got "
                        + Problems.describe(item));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ basic

    private static BasicConfig readBasic(Problems problems, TomlTable root) {
        if (!root.keySet().contains("basic")) {
            return BasicConfig.defaults();
        }
        Object v = root.get(List.of("basic"));
        if (!(v instanceof TomlTable t)) {
            problems.add("basic", "expected a table, got " + Problems.describe(v));
            return BasicConfig.defaults();
        }
        TableReader r = new TableReader(problems, "basic", t);
        String name = r.string("name", BasicConfig.DEFAULT_NAME);
        Long threads = r.integer("threads", 0, 4096);
        int loops = threads == null || threads == 0 ? Runtime.getRuntime().availableProcessors() : threads.intValue();
        Duration grace = r.duration("grace_period");
        Duration shutdown = r.duration("graceful_shutdown_timeout");
        String pidFile = r.string("pid_file");
        String pluginsDir = r.string("plugins_dir", BasicConfig.DEFAULT_PLUGINS_DIR);
        String accessLog = r.string("access_log");
        String errorTemplate = r.string("error_template");
        String logLevel = r.string("log_level", "info");
        if (!List.of("trace", "debug", "info", "warn", "error", "off").contains(logLevel.toLowerCase(Locale.ROOT))) {
            r.problem("log_level", "unknown level '" + logLevel + "' (trace, debug, info, warn, error, off)");
        }
        boolean json = r.bool("log_format_json", false);
        Long pool = r.integer("upstream_keepalive_pool_size", 0, 1_000_000);
        r.keep("upgrade_sock", "user", "group", "work_stealing", "webhook", "webhook_type", "webhook_notifications",
                "log_buffered_size", "sentry", "pyroscope", "auto_restart_check_interval", "cache_directory",
                "cache_max_size", "acme_token_directory", "listener_tasks_per_fd", "log_compression",
                "log_compression_days", "admin_addr", "acme_dir", "certificate_check_interval", "tls_provider",
                "tls_session_ticket_lifetime");
        r.finish();
        return new BasicConfig(name, loops, grace == null ? BasicConfig.DEFAULT_GRACE_PERIOD : grace, shutdown, pidFile,
                pluginsDir, accessLog, errorTemplate, logLevel.toLowerCase(Locale.ROOT), json,
                pool == null ? null : pool.intValue(), r.extras());
    }

    // ------------------------------------------------------------------ upstreams

    private static UpstreamConfig readUpstream(Problems problems, String name, TomlTable t) {
        int before = problems.size();
        TableReader r = new TableReader(problems, "upstreams." + name, t);
        List<String> addrs = r.stringList("addrs");
        Object weightsRaw = r.raw("weights");
        List<Long> weights = null;
        if (weightsRaw != null) {
            if (weightsRaw instanceof TomlArray a) {
                weights = new ArrayList<>();
                for (int i = 0; i < a.size(); i++) {
                    Object w = a.get(i);
                    if (w instanceof Long l && l >= Backend.MIN_WEIGHT && l <= Backend.MAX_WEIGHT) {
                        weights.add(l);
                    } else {
                        problems.add(r.key("weights") + "[" + i + "]", "expected an integer in " + Backend.MIN_WEIGHT
                                + ".." + Backend.MAX_WEIGHT + ", got " + Problems.describe(w));
                    }
                }
            } else {
                r.problem("weights", "expected an array of integers, got " + Problems.describe(weightsRaw));
            }
        }
        List<Backend> backends = new ArrayList<>();
        if (addrs == null) {
            if (!t.keySet().contains("addrs")) {
                r.problem("addrs", "is required (e.g. addrs = [\"127.0.0.1:8080\"])");
            }
        } else if (addrs.isEmpty()) {
            r.problem("addrs", "must list at least one address");
        } else {
            for (int i = 0; i < addrs.size(); i++) {
                String a = addrs.get(i);
                try {
                    // Pingap defaults a missing port to 80
                    Backend b = Backend.parse(a, 80);
                    if (weights != null && i < weights.size()) {
                        if (b.weight() != 1 || a.strip().indexOf(' ') > 0) {
                            problems.add(r.key("addrs") + "[" + i + "]", "has an inline weight and 'weights' gives one too; keep one");
                        }
                        b = new Backend(b.host(), b.port(), weights.get(i).intValue(), b.address());
                    }
                    backends.add(b);
                } catch (IllegalArgumentException e) {
                    problems.add(r.key("addrs") + "[" + i + "]", e.getMessage());
                }
            }
            if (weights != null && weights.size() != addrs.size()) {
                r.problem("weights", "has " + weights.size() + " entries for " + addrs.size() + " addrs");
            }
        }
        String algoText = r.stringAlias("algorithm", "algo");
        Algorithm algorithm = Algorithm.DEFAULT;
        if (algoText != null) {
            try {
                algorithm = Algorithm.parse(algoText);
            } catch (IllegalArgumentException e) {
                r.problem(t.keySet().contains("algorithm") ? "algorithm" : "algo", e.getMessage());
            }
        }
        boolean unequal = backends.stream().mapToInt(Backend::weight).distinct().count() > 1;
        if (algorithm.kind() == Algorithm.Kind.ROUND_ROBIN && unequal
                && (algoText == null || t.keySet().contains("algo"))) {
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
        String alpn = r.string("alpn");
        if (alpn != null && !List.of("h1", "h2", "h2h1").contains(alpn.toLowerCase(Locale.ROOT))) {
            r.problem("alpn", "unknown ALPN choice '" + alpn + "' (h1, h2, h2h1)");
        }
        Long retries = r.integer("max_retries", 0, 100);
        String discovery = r.string("discovery");
        if (discovery != null && !discovery.isEmpty()
                && !List.of("static", "dns", "docker", "transparent").contains(discovery.toLowerCase(Locale.ROOT))) {
            r.problem("discovery", "unknown discovery '" + discovery + "' (static, dns, docker, transparent)");
        }
        Duration update = r.duration("update_frequency");
        if (update != null && update.isZero()) {
            r.problem("update_frequency", "must be greater than zero (e.g. \"30s\")");
        }
        // our additions (Pingap has no passive checks nor slow start): see UpstreamConfig
        Long passive = r.integer("passive_failures", 0, 1000);
        Duration slowStart = r.duration("slow_start");
        CircuitBreaker.Policy breaker = readCircuitBreaker(r, t);
        Set<Integer> failureStatuses = readFailureStatuses(r);
        r.keep("ipv4_only", "enable_tracer", "tcp_idle", "tcp_interval", "tcp_probe_count", "tcp_recv_buf",
                "tcp_fast_open", "includes", "remark", "dns_server", "dns_domain", "dns_search", "backup_addrs",
                "ca_file");
        r.finish();
        if (problems.size() != before) {
            return null;
        }
        return new UpstreamConfig(name, backends, algorithm, health, connect, total, read, write, idle, tls, sni,
                verify, alpn, retries == null ? null : retries.intValue(), discovery, update,
                passive == null ? 0 : passive.intValue(), slowStart == null ? Duration.ZERO : slowStart, breaker,
                failureStatuses, r.extras());
    }

    /** Pingap's defaults for the circuit_break_* keys (pingap-upstream, backend_circuit_state.rs). */
    private static final int BREAKER_CONSECUTIVE = 5;
    private static final int BREAKER_PERCENT = 50;
    private static final int BREAKER_MIN_REQUESTS = 10;
    private static final int BREAKER_HALF_OPEN = 5;
    private static final Duration BREAKER_OPEN = Duration.ofSeconds(10);
    /** Our default for backend_stats_interval, the window of the failure-percent rule. */
    private static final Duration BREAKER_WINDOW = Duration.ofSeconds(60);

    /**
     * Pingap's circuit breaker: on when {@code enable_backend_stats = true} or any
     * {@code circuit_break_*} key is written; a rule given as 0 is off; null when off.
     */
    private static CircuitBreaker.Policy readCircuitBreaker(TableReader r, TomlTable t) {
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
        boolean anyKey = t.keySet().stream().anyMatch(k -> k.startsWith("circuit_break_"));
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
    private static Set<Integer> readFailureStatuses(TableReader r) {
        List<String> codes = r.commaList("backend_failure_status_code");
        if (codes == null) {
            return Set.of();
        }
        Set<Integer> out = new java.util.TreeSet<>();
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

    // ------------------------------------------------------------------ plugins

    private static PluginSpec readPlugin(Problems problems, String name, TomlTable t) {
        Object category = t.keySet().contains("category") ? t.get(List.of("category")) : null;
        if (category == null) {
            problems.add("plugins." + name + ".category", "is required (which plugin this is, e.g. \"mock\")");
            return null;
        }
        if (!(category instanceof String c) || c.isBlank()) {
            problems.add("plugins." + name + ".category", "expected a string, got " + Problems.describe(category));
            return null;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> values = (Map<String, Object>) TableReader.plain(t);
        return new PluginSpec(name, c, values);
    }

    // ------------------------------------------------------------------ locations

    private static LocationConfig readLocation(Problems problems, String name, TomlTable t, TomlTable root) {
        int before = problems.size();
        TableReader r = new TableReader(problems, "locations." + name, t);
        String upstream = r.string("upstream");
        if (upstream != null && upstream.isEmpty()) {
            upstream = null;
        }
        List<HostPattern> hosts = new ArrayList<>();
        List<String> hostTexts = r.commaList("host");
        if (hostTexts != null) {
            for (String h : hostTexts) {
                try {
                    hosts.add(HostPattern.parse(h));
                } catch (IllegalArgumentException e) {
                    r.problem("host", e.getMessage());
                }
            }
        }
        PathMatch path = PathMatch.ANY;
        String pathText = r.string("path");
        String pathType = r.string("path_type");
        if (pathType != null) {
            String type = pathType.strip().toLowerCase(Locale.ROOT);
            String p = pathText == null ? "" : pathText.strip();
            try {
                path = switch (type) {
                    case "prefix" -> p.isEmpty() ? PathMatch.ANY : new PathMatch(PathMatch.Kind.PREFIX, p, null);
                    case "exact" -> new PathMatch(PathMatch.Kind.EXACT, p, null);
                    case "regex" -> PathMatch.regex(p);
                    default -> {
                        r.problem("path_type", "unknown path type '" + pathType + "' (prefix, exact or regex)");
                        yield PathMatch.ANY;
                    }
                };
            } catch (IllegalArgumentException e) {
                r.problem("path", e.getMessage());
            }
        } else if (pathText != null) {
            try {
                path = PathMatch.parsePingap(pathText);
            } catch (IllegalArgumentException e) {
                r.problem("path", e.getMessage());
            }
        }
        if ((path.kind() == PathMatch.Kind.PREFIX || path.kind() == PathMatch.Kind.EXACT)
                && !path.value().startsWith("/")) {
            r.problem("path", "a " + path.kind().name().toLowerCase(Locale.ROOT) + " path must start with '/', got '"
                    + path.value() + "'");
        }
        Long priority = r.integer("priority", Integer.MIN_VALUE, Integer.MAX_VALUE);
        Long weight = r.integer("weight", 0, 65_535);
        if (priority != null && weight != null) {
            r.problem("weight", "'priority' and 'weight' both set the routing order; keep one");
        }
        int effective = priority != null ? priority.intValue()
                : weight != null ? weight.intValue() : LocationConfig.pingapWeight(path, !hosts.isEmpty());
        RewriteRule rewrite = null;
        String rewriteText = r.string("rewrite");
        if (rewriteText != null && !rewriteText.isBlank()) {
            try {
                rewrite = RewriteRule.compile(rewriteText, path, LocationConfig.captureNames(hosts, path));
            } catch (IllegalArgumentException e) {
                r.problem("rewrite", e.getMessage());
            }
        }
        List<HeaderRule> proxySet = headerRules(r, "proxy_set_headers", true);
        List<HeaderRule> proxyAdd = headerRules(r, "proxy_add_headers", true);
        boolean reverseHeaders = r.bool("enable_reverse_proxy_headers", false);
        List<HeaderRule> headersSet = headerRules(r, "headers_set", false);
        List<HeaderRule> headersAdd = headerRules(r, "headers_add", false);
        List<String> headersRemove = r.stringList("headers_remove");
        if (headersRemove != null) {
            for (int i = 0; i < headersRemove.size(); i++) {
                if (!HeaderRule.isToken(headersRemove.get(i).strip())) {
                    problems.add(r.key("headers_remove") + "[" + i + "]", "'" + headersRemove.get(i)
                            + "' is not a valid header name");
                }
            }
            headersRemove = headersRemove.stream().map(String::strip).toList();
        }
        long maxBody = 0;
        Object size = r.raw("client_max_body_size");
        if (size instanceof Long l) {
            if (l < 0) {
                r.problem("client_max_body_size", "must not be negative, got " + l);
            }
            maxBody = Math.max(0, l);
        } else if (size instanceof String s) {
            try {
                maxBody = ByteSize.parse(s);
            } catch (IllegalArgumentException e) {
                r.problem("client_max_body_size", e.getMessage());
            }
        } else if (size != null) {
            r.problem("client_max_body_size", "expected a size such as \"1m\" or a number of bytes, got "
                    + Problems.describe(size));
        }
        List<String> pluginNames = r.stringList("plugins");
        if (pluginNames != null) {
            Map<String, TomlTable> defined = namedTables(new Problems(""), root, "plugins");
            for (int i = 0; i < pluginNames.size(); i++) {
                String p = pluginNames.get(i);
                // names with ':' are built-ins in Pingap's convention ("pingap:requestId")
                if (!defined.containsKey(p) && p.indexOf(':') < 0) {
                    problems.add(r.key("plugins") + "[" + i + "]", "unknown plugin '" + p + "'" + known(defined.keySet()));
                }
            }
        }
        Long retries = r.integer("max_retries", 0, 100);
        Duration retryWindow = r.duration("max_retry_window");
        Long maxProcessing = r.integer("max_processing", 0, Integer.MAX_VALUE);
        boolean grpcWeb = r.bool("grpc_web", false);
        r.keep("remark", "includes", "enable_reverse_proxy_headers_override");
        r.finish();
        if (problems.size() != before) {
            return null;
        }
        return new LocationConfig(name, upstream, hosts, path, effective, priority != null || weight != null, rewrite,
                proxySet, proxyAdd, reverseHeaders, headersSet, headersAdd,
                headersRemove == null ? List.of() : headersRemove, maxBody,
                pluginNames == null ? List.of() : pluginNames, retries == null ? null : retries.intValue(),
                retryWindow, maxProcessing == null ? 0 : maxProcessing.intValue(), grpcWeb, r.extras());
    }

    /**
     * Header rules from a table ({@code Name = "value"}, the seed's form) or an array of
     * "Name: value" strings (Pingap's form). Templates are compiled when {@code templates}.
     */
    private static List<HeaderRule> headerRules(TableReader r, String key, boolean templates) {
        Object v = r.raw(key);
        List<HeaderRule> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (v instanceof TomlTable t) {
            for (String name : t.keySet()) {
                Object value = t.get(List.of(name));
                String k = r.key(key) + "." + name;
                if (!(value instanceof String s)) {
                    r.problemAt(k, "expected a string, got " + Problems.describe(value));
                    continue;
                }
                HeaderRule rule = headerRule(r, k, name, s, templates);
                if (rule != null) {
                    out.add(rule);
                }
            }
        } else if (v instanceof TomlArray a) {
            for (int i = 0; i < a.size(); i++) {
                Object item = a.get(i);
                String k = r.key(key) + "[" + i + "]";
                if (!(item instanceof String s)) {
                    r.problemAt(k, "expected a \"Name: value\" string, got " + Problems.describe(item));
                    continue;
                }
                int colon = s.indexOf(':');
                if (colon < 0) {
                    r.problemAt(k, "expected \"Name: value\", got \"" + s + "\"");
                    continue;
                }
                HeaderRule rule = headerRule(r, k, s.substring(0, colon), s.substring(colon + 1), templates);
                if (rule != null) {
                    out.add(rule);
                }
            }
        } else {
            r.problem(key, "expected a table {Name = \"value\"} or an array of \"Name: value\", got "
                    + Problems.describe(v));
        }
        return out;
    }

    private static HeaderRule headerRule(TableReader r, String k, String name, String value, boolean templates) {
        String n = name.strip();
        String val = value.strip();
        if (!HeaderRule.isToken(n)) {
            r.problemAt(k, "'" + n + "' is not a valid header name");
            return null;
        }
        if (!HeaderRule.isFieldValue(val)) {
            r.problemAt(k, "header value has a control character (CR, LF, NUL...)");
            return null;
        }
        if (!templates) {
            return new HeaderRule(n, new HeaderTemplate(val, val.isEmpty() ? List.of()
                    : List.of(new HeaderTemplate.Part(val, null))));
        }
        try {
            return new HeaderRule(n, HeaderTemplate.compile(val));
        } catch (IllegalArgumentException e) {
            r.problemAt(k, e.getMessage());
            return null;
        }
    }

    // ------------------------------------------------------------------ servers

    private static ServerConfig readServer(Problems problems, String name, TomlTable t,
                                           Map<String, TomlTable> locationTables, Map<String, String> listenOwners) {
        int before = problems.size();
        TableReader r = new TableReader(problems, "servers." + name, t);
        List<ListenAddress> addrs = new ArrayList<>();
        List<String> addrTexts = r.commaList("addr");
        if (addrTexts == null) {
            if (!t.keySet().contains("addr")) {
                r.problem("addr", "is required (e.g. addr = \"0.0.0.0:80\")");
            }
        } else if (addrTexts.isEmpty()) {
            r.problem("addr", "must give at least one address");
        } else {
            for (String a : addrTexts) {
                try {
                    ListenAddress la = ListenAddress.parse(a);
                    String owner = listenOwners.putIfAbsent(la.toString(), name);
                    if (owner != null) {
                        r.problem("addr", "addr '" + la + "' is already used by server '" + owner + "'");
                    }
                    addrs.add(la);
                } catch (IllegalArgumentException e) {
                    r.problem("addr", e.getMessage());
                }
            }
        }
        List<String> locations = r.stringList("locations");
        if (locations != null) {
            for (String l : locations) {
                if (!locationTables.containsKey(l)) {
                    r.problem("locations", "server '" + name + "' lists unknown location '" + l + "'"
                            + known(locationTables.keySet()));
                }
            }
            if (locations.stream().distinct().count() != locations.size()) {
                r.problem("locations", "lists a location twice");
            }
        }
        String accessLog = r.string("access_log");
        Long threads = r.integer("threads", 0, 4096);
        boolean h2 = r.bool("enabled_h2", true);
        boolean global = r.bool("global_certificates", false);
        String cert = r.string("tls_cert");
        String key = r.string("tls_key");
        if ((cert == null) != (key == null)) {
            r.problem(cert == null ? "tls_cert" : "tls_key", "tls_cert and tls_key go together");
        }
        String min = r.string("tls_min_version");
        String max = r.string("tls_max_version");
        r.keep("tls_cipher_list", "tls_ciphersuites", "tls_client_auth", "tls_client_ca", "tls_handshake_timeout",
                "tcp_idle", "tcp_interval", "tcp_probe_count",
                "tcp_user_timeout", "tcp_fastopen", "prometheus_metrics", "otlp_exporter", "includes", "modules",
                "remark", "lets_encrypt", "enable_server_timing", "downstream_read_timeout",
                "downstream_write_timeout", "reuse_port");
        r.finish();
        if (problems.size() != before) {
            return null;
        }
        return new ServerConfig(name, addrs, locations == null ? List.of() : locations, accessLog,
                threads == null || threads == 0 ? null : threads.intValue(), h2, global, cert, key, min, max,
                r.extras());
    }

    // ------------------------------------------------------------------ certificates

    private static CertificateConfig readCertificate(Problems problems, String name, TomlTable t) {
        TableReader r = new TableReader(problems, "certificates." + name, t);
        List<String> domains = r.commaList("domains");
        String cert = r.string("tls_cert");
        String key = r.string("tls_key");
        String chain = r.string("tls_chain");
        boolean isDefault = r.bool("is_default", false);
        boolean isCa = r.bool("is_ca", false);
        String acme = r.string("acme");
        if (cert == null && key == null && acme == null) {
            r.problem("tls_cert", "a certificate needs tls_cert and tls_key, or acme");
        } else if ((cert == null) != (key == null) && acme == null) {
            r.problem(cert == null ? "tls_cert" : "tls_key", "tls_cert and tls_key go together");
        }
        r.keep("remark", "buffer_days", "dns_challenge", "dns_provider", "dns_service_url", "acme_directory",
                "acme_email", "acme_ca_file");
        r.finish();
        return new CertificateConfig(name, domains == null ? List.of() : domains, cert, key, chain, isDefault, isCa,
                acme, r.extras());
    }
}
