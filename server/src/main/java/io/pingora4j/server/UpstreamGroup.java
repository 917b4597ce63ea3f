package io.pingora4j.server;

import io.pingora4j.lb.Backend;
import io.pingora4j.lb.BackendSet;
import io.pingora4j.lb.CircuitBreaker;
import io.pingora4j.lb.HealthPolicy;
import io.pingora4j.lb.Selector;
import io.pingora4j.server.config.UpstreamConfig;
import io.pingora4j.spi.HttpPeer;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code [upstreams.NAME]} at run time. Its backends (with their counters, health and circuit
 * breakers), the selector its algorithm makes, and one {@link HttpPeer} per backend (made once so
 * choosing a backend allocates nothing) form an immutable {@link Snapshot}.
 *
 * <p>With DNS discovery ({@code discovery = "dns"}, or a host name in {@code addrs}) the host names
 * are resolved to addresses here, and {@link #refresh()} (run off the event loops, every
 * {@code update_frequency}) resolves them again and, when the answer changed, swaps in a new
 * snapshot. A request reads the snapshot once, when it picks its backend, and keeps it to the end,
 * so a swap never takes the peer or the counters from under a request in flight.
 *
 * <p>Thread-safe: the snapshot is a volatile reference to an immutable value whose parts are
 * thread-safe; {@link #refresh()} is serialised on this object.
 */
final class UpstreamGroup {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamGroup.class);

    /** How often host names are resolved again when {@code update_frequency} is not written. */
    static final Duration DEFAULT_UPDATE_FREQUENCY = Duration.ofSeconds(30);

    /** Resolves a host name to IP literals. Blocking: called at build time and by the discovery thread only. */
    @FunctionalInterface
    interface Resolver {
        List<String> resolve(String host) throws IOException;
    }

    static final Resolver SYSTEM_RESOLVER = host -> {
        List<String> out = new ArrayList<>();
        for (InetAddress a : InetAddress.getAllByName(host)) {
            out.add(a.getHostAddress());
        }
        return out;
    };

    /**
     * The backends as of one resolution: a request keeps the one it started with.
     *
     * @param set      backends with their health, breakers and counters
     * @param selector the algorithm's selector over {@code set}
     * @param peers    peer i connects to backend i
     */
    record Snapshot(BackendSet set, Selector selector, HttpPeer[] peers) {
    }

    /** A backend to connect to and the host name it was resolved from (null for an IP literal). */
    private record Target(Backend backend, String hostName) {
    }

    final String name;
    final UpstreamConfig config;
    /** Tries for one request, the first included. */
    final int attempts;
    /** Whether host names are resolved here and {@link #refresh()} has work to do. */
    final boolean dnsDiscovery;
    private final Resolver resolver;
    private final LongSupplier nanoClock;
    /** The CA bundle origins' certificates must chain to, as preloaded into the client TLS; null for the JDK's. */
    private final String caFile;
    private volatile Snapshot snapshot;
    private List<Target> targets; // guarded by this: what the current snapshot was built from

    /** {@code ca_file} as resolved, or null. */
    String caFile() {
        return caFile;
    }

    UpstreamGroup(UpstreamConfig config) {
        this(config, SYSTEM_RESOLVER, System::nanoTime);
    }

    /**
     * @param resolver  host names to IP literals (tests inject a fake one)
     * @param nanoClock monotonic clock for slow start and breakers ({@code System::nanoTime} in production)
     */
    UpstreamGroup(UpstreamConfig config, Resolver resolver, LongSupplier nanoClock) {
        this(config, resolver, nanoClock, config.caFile());
    }

    /**
     * @param caFile {@code ca_file} resolved against the configuration's folder (the name the client
     *               TLS preloaded it under), or null
     */
    UpstreamGroup(UpstreamConfig config, Resolver resolver, LongSupplier nanoClock, String caFile) {
        this.name = config.name();
        this.caFile = caFile;
        this.config = config;
        this.resolver = resolver;
        this.nanoClock = nanoClock;
        this.dnsDiscovery = config.dnsDiscovery();
        List<Target> initial = dnsDiscovery ? resolve() : null;
        if (initial == null) {
            // no discovery, or the names do not resolve yet: connect by name until a refresh resolves them
            initial = new ArrayList<>();
            for (Backend b : config.backends()) {
                initial.add(new Target(b, null));
            }
        }
        synchronized (this) {
            this.targets = initial;
            this.snapshot = build(initial, null);
        }
        int backends = config.backends().size();
        int retries = config.maxRetries() == null ? Math.min(2, backends - 1) : config.maxRetries();
        this.attempts = Math.max(1, retries + 1);
    }

    /** The backends now; read once per request and kept for it. */
    Snapshot snapshot() {
        return snapshot;
    }

    /**
     * One backend's state and counters, for metrics and admin pages: a copy taken now.
     *
     * @param breaker      the circuit breaker's state, or null when the upstream has none
     * @param timesOpened  how often the breaker opened (0 without one)
     */
    record BackendStatus(String address, boolean up, boolean rampingUp, String breaker, long timesOpened,
                         long requests, long failures, long inFlight) {
    }

    /** Every backend of the current snapshot, in order. Counters start afresh when discovery swaps the backends. */
    List<BackendStatus> status() {
        BackendSet set = snapshot.set();
        List<BackendStatus> out = new ArrayList<>(set.size());
        for (int i = 0; i < set.size(); i++) {
            CircuitBreaker cb = set.breaker(i);
            out.add(new BackendStatus(set.backend(i).address(), set.health(i).isUp(), set.health(i).isRamping(),
                    cb == null ? null : cb.state().name(), cb == null ? 0 : cb.timesOpened(),
                    set.stats(i).requests(), set.stats(i).failures(), set.stats(i).inFlight()));
        }
        return out;
    }

    /** How often {@link #refresh()} should run. */
    Duration updateFrequency() {
        Duration d = config.updateFrequency();
        return d == null || d.isZero() ? DEFAULT_UPDATE_FREQUENCY : d;
    }

    /**
     * Resolves the host names again; when the addresses changed, builds a new snapshot and swaps it
     * in. A backend kept across the swap (same address) keeps being down if it was down; counters,
     * breakers and slow start start afresh in the new snapshot. When a name does not resolve, the
     * current snapshot stays.
     *
     * <p>Blocking (DNS): never call on an event loop.
     *
     * @return true if a new snapshot was swapped in
     */
    synchronized boolean refresh() {
        if (!dnsDiscovery) {
            return false;
        }
        List<Target> next = resolve();
        if (next == null || next.equals(targets)) {
            return false;
        }
        Snapshot old = snapshot;
        Snapshot fresh = build(next, old.set());
        targets = next;
        snapshot = fresh; // volatile write: requests from now on pick from the new backends
        LOG.info("upstream '{}': backends are now {}", name, fresh.set().backends());
        return true;
    }

    /** Every configured backend with its host name resolved, in order; null if a name did not resolve. */
    private List<Target> resolve() {
        List<Target> out = new ArrayList<>();
        for (Backend b : config.backends()) {
            if (UpstreamConfig.isIpLiteral(b.host())) {
                out.add(new Target(b, null));
                continue;
            }
            List<String> ips;
            try {
                ips = resolver.resolve(b.host());
            } catch (IOException | RuntimeException e) {
                LOG.warn("upstream '{}': cannot resolve '{}': {}; keeping the backends it had", name, b.host(), e.toString());
                return null;
            }
            if (ips != null && config.ipv4Only()) {
                ips = ips.stream().filter(ip -> ip.indexOf(':') < 0).toList(); // Pingap's ipv4_only
            }
            if (ips == null || ips.isEmpty()) {
                LOG.warn("upstream '{}': '{}' resolved to no address; keeping the backends it had", name, b.host());
                return null;
            }
            for (String ip : ips) {
                String address = ip.indexOf(':') >= 0 ? "[" + ip + "]:" + b.port() : ip + ":" + b.port();
                out.add(new Target(new Backend(ip, b.port(), b.weight(), address), b.host()));
            }
        }
        return out;
    }

    private Snapshot build(List<Target> targets, BackendSet previous) {
        List<Backend> backends = new ArrayList<>(targets.size());
        for (Target t : targets) {
            backends.add(t.backend());
        }
        HealthPolicy policy = config.healthCheck() == null
                ? new HealthPolicy(HealthPolicy.DEFAULT.successThreshold(), HealthPolicy.DEFAULT.failureThreshold(),
                        config.passiveFailures(), config.slowStart())
                : HealthPolicy.of(config.healthCheck(), config.passiveFailures(), config.slowStart());
        BackendSet set = new BackendSet(backends, policy, config.circuitBreaker(), nanoClock);
        if (previous != null) {
            for (int i = 0; i < set.size(); i++) {
                int was = previous.indexOf(set.backend(i).address());
                if (was >= 0 && !previous.health(was).isUp()) {
                    set.health(i).forceDown(); // a re-resolution must not bring a failing backend back
                }
            }
        }
        Selector selector = config.algorithm().newSelector(set);
        HttpPeer[] peers = new HttpPeer[set.size()];
        for (int i = 0; i < peers.length; i++) {
            peers[i] = peer(set.backend(i), targets.get(i).hostName(), i);
        }
        return new Snapshot(set, selector, peers);
    }

    /** Pingap's alpn: "h2" (h2c on a plain upstream), "h2h1" (over TLS the origin picks), else HTTP/1.1. */
    static HttpPeer.Alpn alpn(UpstreamConfig config) {
        if ("h2".equals(config.alpn())) {
            return HttpPeer.Alpn.H2;
        }
        return "h2h1".equals(config.alpn()) && config.tls() ? HttpPeer.Alpn.H2H1 : HttpPeer.Alpn.H1;
    }

    private HttpPeer peer(Backend b, String hostName, int index) {
        HttpPeer.Builder p = HttpPeer.builder(b.host(), b.port()).tag(index).alpn(alpn(config));
        Duration connect = config.connectionTimeout() != null ? config.connectionTimeout() : config.totalConnectionTimeout();
        if (connect != null && !connect.isZero()) {
            p.connectTimeout(connect);
        }
        if (config.readTimeout() != null && !config.readTimeout().isZero()) {
            p.readTimeout(config.readTimeout());
        }
        if (config.writeTimeout() != null && !config.writeTimeout().isZero()) {
            p.writeTimeout(config.writeTimeout());
        }
        if (config.idleTimeout() != null && !config.idleTimeout().isZero()) {
            p.idleTimeout(config.idleTimeout());
        }
        if (config.tls()) {
            p.tls(true).verifyCert(config.verifyCert());
            if (caFile != null) {
                p.caFile(caFile);
            }
            if (config.sni() != null && !config.sni().isEmpty()) {
                p.sni(config.sni());
            } else if (hostName != null) {
                p.sni(hostName); // resolved by us: the certificate names the host, not the address
            }
        }
        return p.build();
    }
}
