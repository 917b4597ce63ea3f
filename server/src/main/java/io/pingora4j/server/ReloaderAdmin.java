package io.pingora4j.server;

import io.pingora4j.server.admin.AdminBackend;
import io.pingora4j.server.admin.ConfigStore;
import io.pingora4j.server.admin.FileConfigStore;
import io.pingora4j.server.admin.Json;
import io.pingora4j.server.config.CertificateConfig;
import io.pingora4j.server.config.ConfigProblem;
import io.pingora4j.server.config.FileConfigSource;
import io.pingora4j.server.config.ProxyConfig;
import io.pingora4j.server.store.EtcdConfigSource;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The admin API's view of the running server, through its {@link ConfigReloader}: the same
 * loader and runtime build as {@code -t} to check a candidate, the reloader to apply it, and the
 * current runtime for health, certificates and figures. Thread-safe; off the loops.
 */
final class ReloaderAdmin implements AdminBackend {

    private final ConfigReloader reloader;

    ReloaderAdmin(ConfigReloader reloader) {
        this.reloader = reloader;
    }

    @Override
    public ConfigStore store() {
        if (reloader.source() instanceof FileConfigSource f) {
            return new FileConfigStore(f.path());
        }
        if (reloader.source() instanceof EtcdConfigSource e) {
            return e.adminStore();
        }
        return null;
    }

    @Override
    public List<ConfigProblem> validate(ProxyConfig config) {
        ServerRuntime current = reloader.current();
        List<String> lines = new ArrayList<>();
        ServerRuntime candidate = ServerRuntime.build(config, config.resolve(config.basic().pluginsDir()), lines,
                UpstreamGroup.SYSTEM_RESOLVER, current);
        if (candidate != null) {
            candidate.closeExcept(current);
            return List.of();
        }
        List<ConfigProblem> out = new ArrayList<>();
        for (String l : lines) {
            out.add(ConfigReloader.problem(config.source(), l));
        }
        return out;
    }

    @Override
    public CompletableFuture<List<ConfigProblem>> reload() {
        return reloader.reload().thenApply(ConfigReloader.Outcome::problems);
    }

    @Override
    public Map<String, Object> health() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (UpstreamGroup g : reloader.current().upstreams.values()) {
            List<Object> backends = new ArrayList<>();
            for (UpstreamGroup.BackendStatus b : g.status()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("address", b.address());
                m.put("healthy", b.up());
                m.put("breaker", b.breaker());
                m.put("requests", b.requests());
                m.put("failures", b.failures());
                m.put("in_flight", b.inFlight());
                backends.add(m);
            }
            out.put(g.name, backends);
        }
        return out;
    }

    @Override
    public List<Object> certificates() {
        ServerRuntime rt = reloader.current();
        List<Object> out = new ArrayList<>();
        for (CertificateConfig c : rt.config.certificates().values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("domains", c.domains());
            m.put("acme", c.acme());
            X509Certificate x = first(rt.config, c.tlsCert());
            m.put("not_after", x == null ? null : x.getNotAfter().toInstant().toString());
            m.put("subject", x == null ? null : x.getSubjectX500Principal().getName());
            out.add(m);
        }
        return out;
    }

    /** The first certificate of a PEM value (inline, or a file relative to the configuration), or null. */
    private static X509Certificate first(ProxyConfig config, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            byte[] pem = value.contains("-----BEGIN") ? value.getBytes(StandardCharsets.US_ASCII)
                    : Files.readAllBytes(config.resolve(value.strip()));
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem));
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> stats() {
        ServerRuntime rt = reloader.current();
        Map<String, Object> out = new LinkedHashMap<>();
        StatsJson stats = rt.observability.stats();
        if (stats != null) {
            out.putAll((Map<String, Object>) Json.parse(stats.json("")));
        }
        io.pingora4j.engine.Server.Stats s = reloader.server().stats();
        out.put("requests", s.requests());
        out.put("connections_accepted", s.connectionsAccepted());
        out.put("upstream_connects", s.upstreamConnects());
        out.put("upstream_reused", s.upstreamReused());
        out.put("time_ms", System.currentTimeMillis());
        return out;
    }

    @Override
    public Map<String, Object> reloads() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok_total", reloader.reloadsOk());
        out.put("refused_total", reloader.reloadsRefused());
        ConfigReloader.Outcome last = reloader.last();
        if (last != null) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("ok", last.ok());
            l.put("at", last.at().toString());
            List<Object> problems = new ArrayList<>();
            for (ConfigProblem p : last.problems()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("file", p.file());
                m.put("key", p.key());
                m.put("reason", p.reason());
                problems.add(m);
            }
            l.put("problems", problems);
            l.put("notes", last.notes());
            out.put("last", l);
        }
        return out;
    }
}
