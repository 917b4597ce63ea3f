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

    /** A {@code [plugins.NAME]} at run time: its table and the filter made from it (kept by a reload while the table is unchanged). */
    record PluginInstance(PluginSpec spec, HttpFilter filter) {
    }

    /**
     * A listening address at run time: the server that owns it (as configured, e.g.
     * "127.0.0.1:8080"), the proxy it serves with, its TLS (null: plain) and HTTP/2 limits (null: none).
     */
    record Binding(String site, String address, PingapProxy proxy, ServerTls tls, H2Limits h2) {
    }

    final ProxyConfig config;
    /** The plugins folder this runtime loaded from (resolved), or null for the built-ins only. */
    final Path pluginsDir;
    final PluginRegistry plugins;
    final Map<String, PluginInstance> pluginInstances;
    /** Every listening address, in configuration order. */
    final List<Binding> bindings;
    final Map<String, UpstreamGroup> upstreams;
    final List<Site> sites;
    private final ActiveHealthChecker health = new ActiveHealthChecker();
    private final DnsDiscovery discovery = new DnsDiscovery();
    final TlsRuntime tls;
    final Observability observability;
    /** Keys of plugin tables their factory did not read, one "plugins.NAME.KEY: reason" each. */
    private final List<String> pluginWarnings;

    private ServerRuntime(ProxyConfig config, Path pluginsDir, PluginRegistry plugins,
                          Map<String, PluginInstance> pluginInstances, Map<String, UpstreamGroup> upstreams,
                          List<Site> sites, TlsRuntime tls, List<String> pluginWarnings, Observability observability) {
        this.config = config;
        this.pluginsDir = pluginsDir;
        this.pluginInstances = pluginInstances;
        this.observability = observability;
        this.pluginWarnings = List.copyOf(pluginWarnings);
        this.tls = tls;
        this.plugins = plugins;
        this.upstreams = upstreams;
        this.sites = sites;
        List<Binding> bs = new ArrayList<>();
        for (Site site : sites) {
            ServerTls serverTls = tls.serverTls.get(site.name);
            // a TLS server answers its own ACME challenges only on plain listeners (as HTTP-01 requires)
            PingapProxy proxy = new PingapProxy(site, serverTls == null ? tls.challenges : null);
            H2Limits h2 = site.config.enabledH2() ? site.config.h2Limits() : null;
            for (ListenAddress a : site.config.addrs()) {
                bs.add(new Binding(site.name, a.toString(), proxy, serverTls, h2));
            }
        }
        this.bindings = List.copyOf(bs);
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
        return build(config, pluginsDir, problems, resolver, null);
    }

    /**
     * As {@link #build(ProxyConfig, Path, List, UpstreamGroup.Resolver)} for a reload of
     * {@code previous} (null: a first start). What did not change is carried over rather than made
     * again: an upstream whose table is the same keeps its group (its backends' health, breakers
     * and counters; its pooled connections are the engine's, by address, and stay too), a plugin
     * whose table is the same keeps its filter, and the plugins folder, if it is the same, keeps its
     * registry. {@link #closeExcept} later closes only what the successor did not carry over.
     */
    static ServerRuntime build(ProxyConfig config, Path pluginsDir, List<String> problems, UpstreamGroup.Resolver resolver,
                               ServerRuntime previous) {
        boolean sameFolder = previous != null && java.util.Objects.equals(previous.pluginsDir, pluginsDir);
        PluginRegistry registry = sameFolder ? previous.plugins : PluginLoader.load(pluginsDir);
        for (String p : registry.problems()) {
            problems.add("basic.plugins_dir: " + p);
        }
        Map<String, UpstreamGroup> upstreams = new LinkedHashMap<>();
        for (UpstreamConfig u : config.upstreams().values()) {
            try {
                String caFile = u.caFile() == null ? null : config.resolve(u.caFile()).toString();
                UpstreamGroup old = previous == null ? null : previous.upstreams.get(u.name());
                if (old != null && old.config.equals(u) && java.util.Objects.equals(old.caFile(), caFile)) {
                    upstreams.put(u.name(), old);
                } else {
                    upstreams.put(u.name(), new UpstreamGroup(u, resolver, System::nanoTime, caFile));
                }
            } catch (RuntimeException e) {
                problems.add("upstreams." + u.name() + ": " + e.getMessage());
            }
        }
        problems.addAll(ActiveHealthChecker.problems(upstreams.values()));
        Map<String, HttpFilter> pluginFilters = new HashMap<>();
        Map<String, PluginInstance> instances = new LinkedHashMap<>();
        List<String> pluginWarnings = new ArrayList<>();
        for (PluginSpec spec : config.plugins().values()) {
            PluginInstance old = sameFolder ? previous.pluginInstances.get(spec.name()) : null;
            if (old != null && old.spec().equals(spec)) {
                pluginFilters.put(spec.name(), old.filter());
                instances.put(spec.name(), old);
                continue;
            }
            try {
                HttpFilter f = registry.create(spec.name(), spec.values(), pluginWarnings);
                pluginFilters.put(spec.name(), f);
                instances.put(spec.name(), new PluginInstance(spec, f));
            } catch (PluginConfigException e) {
                problems.add(e.getMessage());
            }
        }
        ErrorPage errorPage = errorPage(config, problems);
        Observability observability = Observability.build(config, previous == null ? null : previous.observability);
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
            closePlugins(registry, instances, previous == null ? Map.of() : previous.pluginInstances);
            if (!sameFolder) {
                registry.close();
            }
            observability.close();
            return null;
        }
        return new ServerRuntime(config, pluginsDir, registry, instances, upstreams, sites, tls, pluginWarnings,
                observability);
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
        return start(new LinkedHashMap<>());
    }

    /**
     * As {@link #start()}; {@code listeners} receives each listening address's switches (by address
     * as configured), through which a reload later changes what it serves.
     */
    Server start(Map<String, LiveListener> listeners) {
        Server.Builder b = Server.builder()
                .threads(config.basic().threads())
                .reusePort(true) // so that a process started with --upgrade can bind beside this one
                .gracePeriod(config.basic().gracePeriod())
                .clientTls(tls.clientTls)
                .tlsHandshakeTimeout(tls.handshakeTimeout);
        if (config.basic().upstreamKeepalivePoolSize() != null) {
            b.maxIdlePerPeer(config.basic().upstreamKeepalivePoolSize());
        }
        List<LiveListener> opened = new ArrayList<>();
        for (Binding binding : bindings) {
            LiveListener live = listener(binding);
            opened.add(live);
            String a = binding.address();
            if (live.tls() != null) {
                if (live.h2() != null) {
                    b.listenTls(a, live.proxy(), live.tls(), live.h2()); // ALPN h2 (TlsListenerSettings)
                } else {
                    b.listenTls(a, live.proxy(), live.tls());
                }
            } else if (live.h2() != null) {
                b.listen(a, live.proxy(), live.h2()); // h2c with prior knowledge beside HTTP/1.1
            } else {
                b.listen(a, live.proxy());
            }
        }
        ListenCheck.check(sites, config.basic().threads(), true);
        Server server;
        try {
            server = b.start();
        } catch (UncheckedIOException e) {
            throw ListenCheck.explain(sites, e);
        }
        List<java.net.InetSocketAddress> bound = server.addresses(); // in the order given
        for (int i = 0; i < bindings.size(); i++) {
            listeners.put(bindings.get(i).address(), opened.get(i).withBound(bound.get(i)));
        }
        startBackground(server);
        return server;
    }

    /** The switches a listener for {@code b} serves through, not yet bound. */
    static LiveListener listener(Binding b) {
        return new LiveListener(new ProxySwitch(b.proxy()), b.tls() == null ? null : new LiveListener.TlsSwitch(b.tls()),
                b.h2(), null);
    }

    /**
     * Starts what runs beside the engine: certificate watchers and ACME, active health checks,
     * DNS discovery, and the observability (metrics of this engine, pushes). At start, and for the
     * new runtime of a reload once it serves.
     */
    void startBackground(Server server) {
        tls.start();
        health.start(upstreams.values());
        discovery.start(upstreams.values());
        observability.start(server, upstreams);
    }

    /** A reload replaced this runtime: its health checks and DNS discovery stop now (the successor runs its own). */
    void stopBackground() {
        health.close();
        discovery.close();
    }

    /** Every proxy of this runtime has no request in flight: closing it now loses nothing. */
    boolean idle() {
        for (Binding b : bindings) {
            if (b.proxy().inFlight.sum() != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Closes this runtime except what {@code keep} (its successor of a reload, or the runtime a
     * refused candidate was built from) carried over: its plugin filters and registry.
     */
    void closeExcept(ServerRuntime keep) {
        observability.close();
        tls.close();
        health.close();
        discovery.close();
        for (Site site : sites) {
            if (site.accessLog != null) {
                site.accessLog.close();
            }
        }
        closePlugins(plugins, pluginInstances, keep == null ? Map.of() : keep.pluginInstances);
        if (keep == null || keep.plugins != plugins) {
            plugins.close();
        }
    }

    /** Closes the filters of {@code mine} that {@code kept} does not hold too (the same instance). */
    private static void closePlugins(PluginRegistry registry, Map<String, PluginInstance> mine,
                                     Map<String, PluginInstance> kept) {
        for (PluginInstance p : mine.values()) {
            PluginInstance k = kept.get(p.spec().name());
            if (k != null && k.filter() == p.filter()) {
                continue;
            }
            try {
                io.pingora4j.spi.FilterFactory f = registry.factory(p.spec().category());
                if (f != null) {
                    f.close(p.filter());
                }
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(ServerRuntime.class).warn("plugins.{}: close failed: {}",
                        p.spec().name(), e.toString());
            }
        }
    }

    @Override
    public void close() {
        closeExcept(null);
    }
}
