package io.pingora4j.server;

import io.pingora4j.codec.h2.H2Limits;
import io.pingora4j.engine.Server;
import io.pingora4j.server.accesslog.AccessLog;
import io.pingora4j.server.accesslog.AccessLogWriter;
import io.pingora4j.server.config.LocationConfig;
import io.pingora4j.server.config.ListenAddress;
import io.pingora4j.server.config.PluginSpec;
import io.pingora4j.server.config.ProxyConfig;
import io.pingora4j.server.config.ServerConfig;
import io.pingora4j.server.config.UpstreamConfig;
import io.pingora4j.server.location.LocationFilters;
import io.pingora4j.server.plugins.PluginLoader;
import io.pingora4j.server.plugins.PluginRegistry;
import io.pingora4j.server.route.Route;
import io.pingora4j.server.route.Router;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfigException;
import io.pingora4j.tls.ServerTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A configuration made runnable: upstream groups, each server's router and location chains
 * (location rules, then plugins), access logs, and the plugins loaded from the plugins folder.
 * Building it checks everything a file can get wrong that the loader could not: plugin tables
 * (each factory validates its own) and access-log templates. Every problem is collected.
 *
 * <p>Immutable once built, shared by every event loop.
 */
final class ServerRuntime implements AutoCloseable {

    /**
     * A location at run time: its config, its filter chain, its upstream (or null), and the count
     * of its requests in flight for {@code max_processing}.
     */
    record Location(LocationConfig config, HttpFilter[] chain, UpstreamGroup upstream,
                    java.util.concurrent.atomic.AtomicInteger processing, Series series) {

        /** The metrics series of the location. */
        int locationSeries() {
            return series.location;
        }

        int upstreamSeries() {
            return series.upstream;
        }

        int cacheSeries() {
            return series.cache;
        }

        /** Tries a request may take on this location: its own max_retries, else its upstream's. */
        int attempts() {
            return attempts(upstream);
        }

        /** As {@link #attempts()} for a request sent to {@code chosen} (a plugin's choice) instead. */
        int attempts(UpstreamGroup chosen) {
            Integer r = config.maxRetries();
            return r != null ? Math.max(1, r + 1) : chosen == null ? 1 : chosen.attempts;
        }
    }

    /**
     * A location's metrics series, resolved once at load: its own, its upstream's (-1: none) and
     * its first cache plugin's (-1: none). All 0/-1 when metrics are off.
     */
    record Series(int location, int upstream, int cache) {
        static final Series NONE = new Series(0, -1, -1);
    }

    /** A {@code [servers.NAME]} at run time. */
    static final class Site {
        final String name;
        final ServerConfig config;
        final Router router;
        final Location[] locations;
        final AccessLog accessLog;
        /** {@code [basic] error_template}, or null for the engine's plain-text error answers. */
        final ErrorPage errorPage;
        /** Every upstream by name, for a plugin that picks another than the location's (traffic_splitting). */
        final Map<String, UpstreamGroup> upstreams;
        /** Metrics, error log and tracers of the whole configuration. */
        final Observability observability;
        /** This server's {@code prometheus_metrics} path answer, or null. */
        final MetricsEndpoint metricsEndpoint;
        /** The tracer of this server's requests, or null when they are not traced. */
        final io.pingora4j.server.tracing.Tracer tracer;

        Site(String name, ServerConfig config, Router router, Location[] locations, AccessLog accessLog,
             ErrorPage errorPage, Observability observability, Map<String, UpstreamGroup> upstreams) {
            this.name = name;
            this.config = config;
            this.router = router;
            this.locations = locations;
            this.accessLog = accessLog;
            this.errorPage = errorPage;
            this.observability = observability;
            this.metricsEndpoint = observability.endpoint(config);
            this.tracer = observability.tracer(name);
            this.upstreams = upstreams;
        }
    }

    final ProxyConfig config;
    final PluginRegistry plugins;
    final Map<String, UpstreamGroup> upstreams;
    final List<Site> sites;
    private final ActiveHealthChecker health = new ActiveHealthChecker();
    private final DnsDiscovery discovery = new DnsDiscovery();
    final TlsRuntime tls;
    final Observability observability;
    /** Keys of plugin tables their factory did not read, one "plugins.NAME.KEY: reason" each. */
    private final List<String> pluginWarnings;

    private ServerRuntime(ProxyConfig config, PluginRegistry plugins, Map<String, UpstreamGroup> upstreams, List<Site> sites,
                          TlsRuntime tls, List<String> pluginWarnings, Observability observability) {
        this.config = config;
        this.observability = observability;
        this.pluginWarnings = List.copyOf(pluginWarnings);
        this.tls = tls;
        this.plugins = plugins;
        this.upstreams = upstreams;
        this.sites = sites;
    }

    /**
     * Builds the runtime; {@code problems} receives one "key: reason" line per problem, and the
     * result is null when there is any.
     *
     * @param pluginsDir the plugins folder (resolved), or null for the built-in plugins only
     */
    static ServerRuntime build(ProxyConfig config, Path pluginsDir, List<String> problems) {
        return build(config, pluginsDir, problems, UpstreamGroup.SYSTEM_RESOLVER);
    }

    /** As {@link #build(ProxyConfig, Path, List)}, resolving upstream host names with {@code resolver}. */
    static ServerRuntime build(ProxyConfig config, Path pluginsDir, List<String> problems, UpstreamGroup.Resolver resolver) {
        PluginRegistry registry = PluginLoader.load(pluginsDir);
        for (String p : registry.problems()) {
            problems.add("basic.plugins_dir: " + p);
        }
        Map<String, UpstreamGroup> upstreams = new LinkedHashMap<>();
        for (UpstreamConfig u : config.upstreams().values()) {
            try {
                String caFile = u.caFile() == null ? null : config.resolve(u.caFile()).toString();
                upstreams.put(u.name(), new UpstreamGroup(u, resolver, System::nanoTime, caFile));
            } catch (RuntimeException e) {
                problems.add("upstreams." + u.name() + ": " + e.getMessage());
            }
        }
        problems.addAll(ActiveHealthChecker.problems(upstreams.values()));
        Map<String, HttpFilter> pluginFilters = new HashMap<>();
        List<String> pluginWarnings = new ArrayList<>();
        for (PluginSpec spec : config.plugins().values()) {
            try {
                pluginFilters.put(spec.name(), registry.create(spec.name(), spec.values(), pluginWarnings));
            } catch (PluginConfigException e) {
                problems.add(e.getMessage());
            }
        }
        ErrorPage errorPage = errorPage(config, problems);
        Observability observability = Observability.build(config);
        List<Site> sites = new ArrayList<>();
        for (ServerConfig s : config.servers().values()) {
            Router router;
            try {
                router = Router.forServer(config, s.name());
            } catch (RuntimeException e) {
                problems.add("servers." + s.name() + ": " + e.getMessage());
                continue;
            }
            List<Route> routes = router.routes();
            Location[] locations = new Location[routes.size()];
            for (Route r : routes) {
                LocationConfig lc = r.location();
                List<HttpFilter> chain = new ArrayList<>(LocationFilters.forLocation(lc));
                for (String p : lc.plugins()) {
                    HttpFilter f = pluginFilters.get(p);
                    if (f instanceof io.pingora4j.server.plugins.StatsFilterFactory.StatsFilter stats) {
                        f = stats.bind(observability.stats(), lc.name()); // this location's figures
                    }
                    if (f != null) {
                        chain.add(f);
                    } else if (!config.plugins().containsKey(p)) {
                        problems.add("locations." + lc.name() + ".plugins: unknown plugin '" + p + "'");
                    }
                }
                UpstreamGroup up = lc.upstream() == null || lc.upstream().isEmpty() ? null : upstreams.get(lc.upstream());
                locations[r.index()] = new Location(lc, chain.toArray(new HttpFilter[0]), up,
                        new java.util.concurrent.atomic.AtomicInteger(), series(observability, lc, config));
            }
            AccessLog log = null;
            String directive = s.accessLog() != null ? s.accessLog() : config.basic().accessLog();
            if (directive != null && !directive.isBlank()) {
                try {
                    log = AccessLog.open(directive, AccessLogWriter.DEFAULT_CAPACITY, config.directory());
                } catch (IOException | RuntimeException e) {
                    problems.add((s.accessLog() != null ? "servers." + s.name() : "basic") + ".access_log: "
                            + e.getMessage());
                }
            }
            sites.add(new Site(s.name(), s, router, locations, log, errorPage, observability, upstreams));
        }
        TlsRuntime tls = TlsRuntime.build(config, problems);
        if (!problems.isEmpty()) {
            if (tls != null) {
                tls.close();
            }
            for (Site site : sites) {
                if (site.accessLog != null) {
                    site.accessLog.close();
                }
            }
            registry.close();
            observability.close();
            return null;
        }
        return new ServerRuntime(config, registry, upstreams, sites, tls, pluginWarnings, observability);
    }

    /** A location's metrics series (see {@link Series}). */
    private static Series series(Observability o, LocationConfig lc, ProxyConfig config) {
        if (o.metrics == null) {
            return Series.NONE;
        }
        int cache = -1;
        for (String p : lc.plugins()) {
            PluginSpec spec = config.plugins().get(p);
            if (spec != null && spec.category().equals("cache")) {
                cache = o.metrics.cachePlugin(p);
                break;
            }
        }
        return new Series(o.metrics.location(lc.name()), o.metrics.upstream(lc.upstream()), cache);
    }

    /** {@code [basic] error_template}: inline HTML, or a file (relative to the configuration's folder). */
    private static ErrorPage errorPage(ProxyConfig config, List<String> problems) {
        String value = config.basic().errorTemplate();
        if (value == null || value.isBlank()) {
            return null;
        }
        String html = value;
        if (!ErrorPage.isInline(value)) {
            Path file = config.resolve(value.strip());
            try {
                html = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                problems.add("basic.error_template: cannot read " + file + ": " + e);
                return null;
            }
        }
        return new ErrorPage(html, Main.version());
    }

    /**
     * What this configuration accepted but will not apply, and what it found in the plugins
     * folder: the configuration's warnings, then an explicitly set {@code plugins_dir} that does
     * not exist. One "file: key: reason" line each.
     */
    List<String> warnings() {
        List<String> out = new ArrayList<>();
        for (var w : config.warnings()) {
            out.add(w.toString());
        }
        for (String w : pluginWarnings) {
            out.add(config.source() + ": " + w);
        }
        Path folder = plugins.folder();
        if (folder != null && !Files.isDirectory(folder)
                && !config.basic().pluginsDir().equals(io.pingora4j.server.config.BasicConfig.DEFAULT_PLUGINS_DIR)) {
            out.add(config.source() + ": basic.plugins_dir: " + folder + " does not exist; only the built-in plugins"
                    + " are available");
        }
        return out;
    }

    /**
     * Starts the engine: every server's addresses, each with its proxy, on shared event loops.
     *
     * @throws ListenCheck.ListenException naming the server and the address that cannot be bound
     */
    Server start() {
        Server.Builder b = Server.builder()
                .threads(config.basic().threads())
                .reusePort(true) // so that a process started with --upgrade can bind beside this one
                .gracePeriod(config.basic().gracePeriod())
                .clientTls(tls.clientTls)
                .tlsHandshakeTimeout(tls.handshakeTimeout);
        if (config.basic().upstreamKeepalivePoolSize() != null) {
            b.maxIdlePerPeer(config.basic().upstreamKeepalivePoolSize());
        }
        for (Site site : sites) {
            ServerTls serverTls = tls.serverTls.get(site.name);
            // a TLS server answers its own ACME challenges only on plain listeners (as HTTP-01 requires)
            PingapProxy proxy = new PingapProxy(site, serverTls == null ? tls.challenges : null);
            H2Limits h2 = site.config.enabledH2() ? site.config.h2Limits() : null;
            for (ListenAddress a : site.config.addrs()) {
                if (serverTls != null) {
                    if (h2 != null) {
                        b.listenTls(a.toString(), proxy, serverTls, h2); // ALPN h2 (TlsListenerSettings)
                    } else {
                        b.listenTls(a.toString(), proxy, serverTls);
                    }
                } else if (h2 != null) {
                    b.listen(a.toString(), proxy, h2); // h2c with prior knowledge beside HTTP/1.1
                } else {
                    b.listen(a.toString(), proxy);
                }
            }
        }
        ListenCheck.check(sites, config.basic().threads(), true);
        Server server;
        try {
            server = b.start();
        } catch (UncheckedIOException e) {
            throw ListenCheck.explain(sites, e);
        }
        tls.start();
        health.start(upstreams.values());
        discovery.start(upstreams.values());
        observability.start(server, upstreams);
        return server;
    }

    @Override
    public void close() {
        observability.close();
        tls.close();
        health.close();
        discovery.close();
        for (Site site : sites) {
            if (site.accessLog != null) {
                site.accessLog.close();
            }
        }
        plugins.close();
    }
}
