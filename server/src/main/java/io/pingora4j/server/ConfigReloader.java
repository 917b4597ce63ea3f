package io.pingora4j.server;

import io.pingora4j.engine.Server;
import io.pingora4j.server.config.ConfigException;
import io.pingora4j.server.config.ConfigProblem;
import io.pingora4j.server.config.ConfigSource;
import io.pingora4j.server.config.ProxyConfig;
import io.pingora4j.server.metrics.ProxyMetrics;
import io.prometheus.client.Collector;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a new configuration to the running engine. A reload reads the {@link ConfigSource}
 * (parse and validate, exactly what {@code -t} runs), builds the new {@link ServerRuntime} (router,
 * plugin chains, upstream groups; what did not change is carried over), opens the listeners the new
 * configuration adds, then flips every listener's switches: new requests see the new configuration,
 * requests in flight finish on the one they started with. Listeners the new configuration dropped
 * stop accepting and their connections drain. The old runtime is closed once its last request is
 * logged (or after the grace period).
 *
 * <p>A configuration that does not load or build is refused: the old one keeps serving, and the
 * refusal's "file: key: reason" lines go to the log, to {@link #last()} (the admin API) and to the
 * {@code pingora4j_config_reloads_total{result="refused"}} counter.
 *
 * <p>Thread-safe: reloads run one at a time on the reloader's own thread, never on an event loop;
 * {@link #reload()} may be called from anywhere (a signal handler, the file watch, the admin API).
 */
final class ConfigReloader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);
    /** How often a retired runtime is checked for requests still in flight. */
    private static final long RETIRE_POLL_MILLIS = 50;

    /**
     * What a reload did.
     *
     * @param ok       whether the new configuration serves
     * @param at       when the reload finished
     * @param problems why it was refused, one "file: key: reason" each (empty when ok)
     * @param notes    what it could not apply in place (a listener that needs a restart), and warnings
     */
    record Outcome(boolean ok, Instant at, List<ConfigProblem> problems, List<String> notes) {
    }

    private final ConfigSource source;
    private final Server server;
    /** Listening addresses by their configured name; only the reload thread changes it after start. */
    private final Map<String, LiveListener> listeners;
    private final UpstreamGroup.Resolver resolver;
    private final ScheduledExecutorService thread;
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong retired = new AtomicLong();
    private volatile ServerRuntime current;
    private volatile Outcome last;
    private volatile AutoCloseable watch;
    private final ReloaderAdmin admin;

    /**
     * @param runtime   the runtime serving now (started with {@code listeners})
     * @param listeners what {@link ServerRuntime#start(Map)} filled
     */
    ConfigReloader(ConfigSource source, Server server, ServerRuntime runtime, Map<String, LiveListener> listeners) {
        this(source, server, runtime, listeners, UpstreamGroup.SYSTEM_RESOLVER);
    }

    ConfigReloader(ConfigSource source, Server server, ServerRuntime runtime, Map<String, LiveListener> listeners,
                   UpstreamGroup.Resolver resolver) {
        this.source = source;
        this.server = server;
        this.current = runtime;
        this.listeners = new LinkedHashMap<>(listeners);
        this.resolver = resolver;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pingora4j-reload");
            t.setDaemon(true);
            return t;
        });
        this.admin = new ReloaderAdmin(this);
        registerMetrics(runtime);
        bindAdmin(runtime);
    }

    /** The admin API's view of this server (for {@code --admin} and the admin plugins). */
    ReloaderAdmin admin() {
        return admin;
    }

    /** Gives the runtime's admin plugins this server to answer about (their API starts with the first). */
    private void bindAdmin(ServerRuntime runtime) {
        for (ServerRuntime.PluginInstance p : runtime.pluginInstances.values()) {
            if (p.filter() instanceof io.pingora4j.server.admin.AdminFilterFactory.AdminFilter a) {
                try {
                    a.bind(admin);
                } catch (java.io.UncheckedIOException e) {
                    LOG.error("plugins.{}: {}", p.spec().name(), e.getMessage());
                }
            }
        }
    }

    /** The runtime serving new requests. */
    ServerRuntime current() {
        return current;
    }

    ConfigSource source() {
        return source;
    }

    Server server() {
        return server;
    }

    /** The last reload's outcome, or null before the first. */
    Outcome last() {
        return last;
    }

    long reloadsOk() {
        return ok.get();
    }

    long reloadsRefused() {
        return refused.get();
    }

    /** Replaced runtimes closed so far (each after its last request in flight, or its grace period). */
    long runtimesRetired() {
        return retired.get();
    }

    /** Reloads soon, on the reloader's thread; the future completes with the outcome. */
    CompletableFuture<Outcome> reload() {
        CompletableFuture<Outcome> f = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                try {
                    f.complete(reloadNow());
                } catch (RuntimeException | Error e) {
                    LOG.error("reload failed", e);
                    f.complete(refuse(List.of(new ConfigProblem(source.describe(), "", "reload failed: " + e))));
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    /** Reloads on every change the source reports ({@code --autoreload}). */
    void watch() throws ConfigException {
        watch = source.watch(() -> reload());
    }

    private Outcome reloadNow() {
        ProxyConfig config;
        try {
            config = source.load();
        } catch (ConfigException e) {
            return refuse(e.problems());
        }
        ServerRuntime old = current;
        List<String> built = new ArrayList<>();
        ServerRuntime next = ServerRuntime.build(config, config.resolve(config.basic().pluginsDir()), built, resolver, old);
        if (next == null) {
            List<ConfigProblem> problems = new ArrayList<>();
            for (String p : built) {
                problems.add(problem(config.source(), p));
            }
            return refuse(problems);
        }
        bindAdmin(next); // before any listener serves with it: a new admin plugin answers from its first request
        List<String> notes = new ArrayList<>(next.warnings());
        notes.addAll(restartOnly(old, next));
        // 1. open what is new (or must be reopened); a failure here undoes it and refuses the reload
        Map<String, ServerRuntime.Binding> wanted = new LinkedHashMap<>();
        for (ServerRuntime.Binding b : next.bindings) {
            wanted.put(b.address(), b);
        }
        List<String> reopened = new ArrayList<>();
        Map<String, LiveListener> opened = new LinkedHashMap<>();
        for (ServerRuntime.Binding b : next.bindings) {
            LiveListener live = listeners.get(b.address());
            if (live != null && live.carries(b)) {
                continue;
            }
            if (live != null) {
                // other protocols on the same address: the old listener has to go first to free the port
                server.removeListener(live.bound()).join();
                reopened.add(b.address());
            }
            LiveListener fresh = ServerRuntime.listener(b);
            try {
                InetSocketAddress bound = server.addListener(Server.Builder.parseAddress(b.address()), fresh.proxy(),
                        fresh.tls(), fresh.h2());
                opened.put(b.address(), fresh.withBound(bound));
            } catch (UncheckedIOException | IllegalArgumentException e) {
                for (LiveListener l : opened.values()) {
                    server.removeListener(l.bound());
                }
                for (String a : reopened) { // put back what was closed to reopen (same protocols as before)
                    LiveListener was = listeners.get(a);
                    try {
                        listeners.put(a, was.withBound(server.addListener(was.bound(), was.proxy(), was.tls(), was.h2())));
                    } catch (UncheckedIOException again) {
                        LOG.error("servers: {} could not be reopened after a refused reload: {}", a, again.getMessage());
                        listeners.remove(a);
                    }
                }
                next.closeExcept(old);
                return refuse(List.of(new ConfigProblem(config.source(), "servers." + b.site() + ".addr",
                        "cannot listen on " + b.address() + ": " + e.getMessage())));
            }
        }
        // 2. flip: every listener that stays serves the new runtime from its next request on
        for (ServerRuntime.Binding b : next.bindings) {
            LiveListener live = opened.get(b.address());
            if (live != null) {
                listeners.put(b.address(), live);
            } else {
                listeners.get(b.address()).set(b);
            }
        }
        current = next;
        // 3. close what the new configuration dropped: no more accepting; their connections drain
        for (var it = listeners.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!wanted.containsKey(e.getKey())) {
                server.removeListener(e.getValue().bound());
                it.remove();
            }
        }
        next.startBackground(server);
        registerMetrics(next);
        old.stopBackground();
        retireWhenIdle(old, next, System.nanoTime() + old.config.basic().gracePeriod().toNanos());
        ok.incrementAndGet();
        Outcome outcome = new Outcome(true, Instant.now(), List.of(), List.copyOf(notes));
        last = outcome;
        LOG.info("{}: configuration reloaded", source.describe());
        for (String n : notes) {
            LOG.warn("{}", n);
        }
        return outcome;
    }

    /** Settings of the engine itself, which a running engine keeps until a restart. */
    private static List<String> restartOnly(ServerRuntime old, ServerRuntime next) {
        List<String> notes = new ArrayList<>();
        var a = old.config.basic();
        var b = next.config.basic();
        if (a.threads() != b.threads()) {
            notes.add(next.config.source() + ": basic.threads: changed; applies at the next restart");
        }
        if (!a.gracePeriod().equals(b.gracePeriod())) {
            notes.add(next.config.source() + ": basic.grace_period: changed; applies at the next restart");
        }
        if (!java.util.Objects.equals(a.upstreamKeepalivePoolSize(), b.upstreamKeepalivePoolSize())) {
            notes.add(next.config.source() + ": basic.upstream_keepalive_pool_size: changed; applies at the next restart");
        }
        return notes;
    }

    /** Closes {@code old} (all but what {@code next} carried over) once no request runs on it, or at the deadline. */
    private void retireWhenIdle(ServerRuntime old, ServerRuntime next, long deadline) {
        if (old.idle() || System.nanoTime() - deadline >= 0) {
            old.closeExcept(next);
            retired.incrementAndGet();
            return;
        }
        try {
            thread.schedule(() -> retireWhenIdle(old, next, deadline), RETIRE_POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            old.closeExcept(next); // shutting down
        }
    }

    private Outcome refuse(List<ConfigProblem> problems) {
        refused.incrementAndGet();
        Outcome outcome = new Outcome(false, Instant.now(), List.copyOf(problems), List.of());
        last = outcome;
        StringBuilder sb = new StringBuilder();
        for (ConfigProblem p : problems) {
            sb.append("\n  ").append(p);
        }
        LOG.error("{}: new configuration refused; the previous one keeps serving:{}", source.describe(), sb);
        return outcome;
    }

    /** A "key: reason" line of {@link ServerRuntime#build} as a problem of {@code file}. */
    static ConfigProblem problem(String file, String line) {
        int colon = line.indexOf(": ");
        if (colon > 0 && line.lastIndexOf(' ', colon) < 0) { // a key has no spaces
            return new ConfigProblem(file, line.substring(0, colon), line.substring(colon + 2));
        }
        return new ConfigProblem(file, "", line);
    }

    /** Adds the reload counters to {@code runtime}'s metrics (in place of any before, when they are kept). */
    private void registerMetrics(ServerRuntime runtime) {
        ProxyMetrics metrics = runtime.observability.metrics;
        if (metrics == null) {
            return;
        }
        metrics.replace("config_reloads", new Collector() {
            @Override
            public List<MetricFamilySamples> collect() {
                String name = ProxyMetrics.PREFIX + "config_reloads";
                return List.of(new MetricFamilySamples(name, Type.COUNTER,
                        "Configuration reloads by result: ok (serving) or refused (the previous one kept serving)",
                        List.of(new MetricFamilySamples.Sample(name + "_total", List.of("result"), List.of("ok"), ok.get()),
                                new MetricFamilySamples.Sample(name + "_total", List.of("result"), List.of("refused"),
                                        refused.get()))));
            }
        });
    }

    /** Stops watching and reloading; the current runtime is the caller's to close. */
    @Override
    public void close() {
        AutoCloseable w = watch;
        if (w != null) {
            try {
                w.close();
            } catch (Exception e) {
                // stopping anyway
            }
        }
        thread.shutdownNow();
    }
}
