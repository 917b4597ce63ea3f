package io.pingora4j.engine;

import io.pingora4j.codec.h1.H1Limits;
import io.pingora4j.codec.h2.H2Limits;
import io.pingora4j.spi.ProxyHttp;
import io.pingora4j.tls.ClientEngineFactory;
import io.pingora4j.tls.ServerEngineFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running proxy: event loops serving one or more listeners, each with its {@link ProxyHttp}.
 *
 * <pre>{@code
 * Server server = Server.builder()
 *         .threads(2)
 *         .listen("127.0.0.1:8080", new MyProxy())
 *         .listenTls("127.0.0.1:8443", new MyProxy(), serverTls) // HTTP/1.1 over TLS
 *         .start();
 * ...
 * server.close(); // graceful: in-flight requests finish within the grace period
 * }</pre>
 *
 * Each loop binds its own socket to every listen address with SO_REUSEPORT, so the kernel spreads
 * connections over loops; where the option is missing, loop 0 accepts and hands sockets to the
 * others. Port 0 binds an ephemeral port; {@link #port()} tells which.
 *
 * <p>TLS handshakes run on the loops; the expensive parts (the SSLEngine's delegated tasks:
 * signatures, key agreement, certificate checks) run on a small pool shared by the loops, whose
 * threads exist only while handshakes keep them busy.
 *
 * <p>Thread-safe.
 */
public final class Server implements AutoCloseable {

    private final EngineOptions options;
    private final List<EventLoop> loops = new ArrayList<>();
    /** Listening addresses in the order bound; changed at run time by {@link #addListener}/{@link #removeListener}. */
    private final List<InetSocketAddress> bound = new java.util.concurrent.CopyOnWriteArrayList<>();
    private boolean reusePort;
    private final AtomicInteger next = new AtomicInteger();
    private final ThreadPoolExecutor tlsTasks;
    private boolean singleAcceptor;
    private volatile boolean closed;

    private Server(EngineOptions options) {
        this.options = options;
        // handshake crypto is the costly part of TLS: give it every core, whatever the number of loops
        int n = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        AtomicInteger ids = new AtomicInteger();
        this.tlsTasks = new ThreadPoolExecutor(n, n, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "pingora4j-tls-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        tlsTasks.allowCoreThreadTimeOut(true);
    }

    /** Where TLS handshakes' delegated tasks run, off the loops. */
    Executor tlsTasks() {
        return tlsTasks;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The addresses actually bound, in the order given (ephemeral ports resolved). */
    public List<InetSocketAddress> addresses() {
        return List.copyOf(bound);
    }

    /** The port of the first listener. */
    public int port() {
        return bound.get(0).getPort();
    }

    public EngineOptions options() {
        return options;
    }

    /** Counters summed over the loops (each loop's own may be a little stale). */
    public Stats stats() {
        long accepted = 0;
        long requests = 0;
        long connects = 0;
        long reused = 0;
        long failures = 0;
        long retries = 0;
        long discarded = 0;
        long h2Connections = 0;
        long h2Streams = 0;
        long h2Refused = 0;
        long h2GoAways = 0;
        long buffers = 0;
        long leased = 0;
        long tlsBuffers = 0;
        for (EventLoop l : loops) {
            buffers += l.buffers.allocatedCount() + l.smallBuffers.allocatedCount();
            leased += l.buffers.leasedCount() + l.smallBuffers.leasedCount();
            tlsBuffers += l.recordBuffers.outstanding();
            EngineStats s = l.stats;
            accepted += s.downstreamAccepted;
            requests += s.requests;
            connects += s.upstreamConnects;
            reused += s.upstreamReused;
            failures += s.upstreamConnectFailures;
            retries += s.retries;
            discarded += s.upstreamDiscarded;
            h2Connections += s.h2Connections;
            h2Streams += s.h2Streams;
            h2Refused += s.h2StreamsRefused;
            h2GoAways += s.h2GoAways;
        }
        return new Stats(accepted, requests, connects, reused, failures, retries, discarded, h2Connections, h2Streams,
                h2Refused, h2GoAways, buffers, leased, tlsBuffers);
    }

    /**
     * HTTP/2 connections ended with GOAWAY for an error, by error code: index 0x0..0xd is the code
     * (RFC 9113 §7), the last index any other code. Summed over the loops.
     */
    public long[] h2GoAwaysByCode() {
        long[] out = new long[EngineStats.H2_ERROR_CODES + 1];
        for (EventLoop l : loops) {
            for (int i = 0; i < out.length; i++) {
                out[i] += l.stats.h2GoAwaysByCode[i];
            }
        }
        return out;
    }

    /**
     * Client TLS handshakes completed, summed over the loops: {@code counts[i]} took at most
     * {@code boundsNanos[i]} (and more than the bound before); the last count, longer than every bound.
     */
    public record HandshakeTimes(long[] boundsNanos, long[] counts, long sumNanos) {
        public long count() {
            long n = 0;
            for (long c : counts) {
                n += c;
            }
            return n;
        }
    }

    public HandshakeTimes tlsHandshakeTimes() {
        long[] counts = new long[EngineStats.TLS_HANDSHAKE_BOUNDS_NANOS.length + 1];
        long sum = 0;
        for (EventLoop l : loops) {
            for (int i = 0; i < counts.length; i++) {
                counts[i] += l.stats.tlsHandshakes[i];
            }
            sum += l.stats.tlsHandshakeNanos;
        }
        return new HandshakeTimes(EngineStats.TLS_HANDSHAKE_BOUNDS_NANOS.clone(), counts, sum);
    }

    /** Upstream connections to one origin (an {@link io.pingora4j.spi.HttpPeer#poolKey()}), over every loop. */
    public record UpstreamConnections(long open, long idle) {
    }

    /**
     * Open upstream connections (connecting, in use or idle in a pool) and idle ones, by pool key,
     * summed over the loops. Each loop counts its own on its thread when asked; a loop that does not
     * answer within {@code timeout} (shutting down, or stuck) is left out. Call it off the loops.
     */
    public java.util.Map<String, UpstreamConnections> upstreamConnections(Duration timeout) {
        List<java.util.concurrent.CompletableFuture<java.util.Map<String, long[]>>> asks = new ArrayList<>();
        for (EventLoop l : loops) {
            java.util.concurrent.CompletableFuture<java.util.Map<String, long[]>> f = new java.util.concurrent.CompletableFuture<>();
            l.execute(() -> f.complete(l.upstreams.connectionCounts()));
            asks.add(f);
        }
        java.util.Map<String, long[]> sum = new java.util.HashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (var f : asks) {
            try {
                var counts = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                counts.forEach((k, v) -> {
                    long[] s = sum.computeIfAbsent(k, x -> new long[2]);
                    s[0] += v[0];
                    s[1] += v[1];
                });
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // that loop's connections are left out of this answer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        java.util.Map<String, UpstreamConnections> out = new java.util.HashMap<>();
        sum.forEach((k, v) -> out.put(k, new UpstreamConnections(v[0], v[1])));
        return out;
    }

    /**
     * Engine counters.
     *
     * @param upstreamConnects new upstream connections dialled
     * @param upstreamReused   requests that took a pooled upstream connection
     * @param upstreamDiscarded upstream connections closed rather than pooled or reused because they
     *                         were readable (unread bytes, or the origin's EOF): see {@code UpstreamPool}
     * @param h2Connections    client connections that spoke HTTP/2
     * @param h2Streams        HTTP/2 request streams (each also counts in {@code requests})
     * @param h2StreamsRefused HTTP/2 streams refused before a request (malformed heads, too many streams)
     * @param h2GoAways        HTTP/2 connections ended by an error (protocol errors, the attack limits)
     * @param buffersAllocated pooled read buffers ever allocated: bounded by concurrency, not by bytes moved
     * @param buffersOutstanding pooled buffers lent to connections now: connections with bytes in flight
     *                         hold them, idle ones (clients and pooled origin connections) none
     * @param tlsBuffersOutstanding TLS record buffers lent to connections now: connections with bytes in
     *                         flight hold them, idle ones none
     */
    public record Stats(long connectionsAccepted, long requests, long upstreamConnects, long upstreamReused,
                        long upstreamConnectFailures, long retries, long upstreamDiscarded,
                        long h2Connections, long h2Streams, long h2StreamsRefused, long h2GoAways,
                        long buffersAllocated, long buffersOutstanding, long tlsBuffersOutstanding) {
        /** Share of upstream connection uses that came from the pool. */
        public double reuseRatio() {
            long uses = upstreamConnects + upstreamReused;
            return uses == 0 ? 0 : (double) upstreamReused / uses;
        }
    }

    boolean singleAcceptor() {
        return singleAcceptor;
    }

    int loopCount() {
        return loops.size();
    }

    EventLoop nextLoop() {
        return loops.get(Math.floorMod(next.getAndIncrement(), loops.size()));
    }

    /**
     * Stops accepting, lets requests in flight finish for up to {@code grace}, closes idle
     * keep-alive connections at once, then closes what is left. Returns when every loop stopped.
     */
    public void shutdown(Duration grace) {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + grace.toNanos();
        for (EventLoop l : loops) {
            l.shutdown(deadline);
        }
        try {
            for (EventLoop l : loops) {
                l.awaitTermination(grace.toMillis() + 5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            tlsTasks.shutdownNow();
        }
    }

    /**
     * Hands the listeners over to another process bound to the same addresses (SO_REUSEPORT, see
     * {@link Builder#reusePort}): stops accepting (with {@code net.ipv4.tcp_migrate_req = 1} Linux
     * moves connections still queued on the closed listeners to the other process's), answers
     * requests in flight with {@code Connection: close}, keeps idle keep-alive connections up to
     * {@code idleLinger} so a request already sent on one is answered rather than reset, and
     * returns when every loop stopped (at the latest after {@code grace}).
     */
    public void handOver(Duration grace, Duration idleLinger) {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + grace.toNanos();
        for (EventLoop l : loops) {
            l.shutdown(deadline, Math.max(1, idleLinger.toNanos()));
        }
        try {
            for (EventLoop l : loops) {
                l.awaitTermination(grace.toMillis() + 5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            tlsTasks.shutdownNow();
        }
    }

    /** {@link #shutdown(Duration)} with the configured grace period. */
    @Override
    public void close() {
        shutdown(options.gracePeriod());
    }

    private void start(List<Binding> bindings) throws IOException {
        try {
            for (int i = 0; i < options.threads(); i++) {
                loops.add(new EventLoop(i, this, options));
            }
            reusePort = ServerSocketChannel.open().supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
            singleAcceptor = !reusePort && loops.size() > 1;
            for (Binding b : bindings) {
                List<EventLoop.Listener> ls = bind(b);
                for (int i = 0; i < ls.size(); i++) {
                    loops.get(i).addListener(ls.get(i));
                }
                bound.add((InetSocketAddress) ls.get(0).channel().getLocalAddress());
            }
        } catch (IOException | RuntimeException e) {
            for (EventLoop l : loops) {
                l.shutdown(System.nanoTime());
            }
            tlsTasks.shutdownNow();
            throw e;
        }
        for (EventLoop l : loops) {
            l.start();
        }
    }

    /**
     * Binds one listening socket per loop (one in all with the single acceptor) to the binding's
     * address; the first socket fixes an ephemeral port for the others. On failure nothing stays open.
     */
    private List<EventLoop.Listener> bind(Binding b) throws IOException {
        List<EventLoop.Listener> out = new ArrayList<>();
        InetSocketAddress actual = null;
        int perAddress = singleAcceptor ? 1 : loops.size();
        try {
            for (int i = 0; i < perAddress; i++) {
                ServerSocketChannel ssc = ServerSocketChannel.open();
                out.add(new EventLoop.Listener(ssc, b.proxy, b.tls, b.h2));
                ssc.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                if (reusePort && (loops.size() > 1 || options.reusePort())) {
                    ssc.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                }
                ssc.bind(actual == null ? b.address : actual, 4096);
                if (actual == null) {
                    actual = (InetSocketAddress) ssc.getLocalAddress();
                }
            }
        } catch (IOException | RuntimeException e) {
            for (EventLoop.Listener l : out) {
                try {
                    l.channel().close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
            throw e;
        }
        return out;
    }

    /**
     * Starts listening on {@code address} while running (a server added by a reload): binds here,
     * on the caller's thread, then each loop starts accepting on its socket when it next runs its
     * tasks, without blocking. Call it off the loops.
     *
     * @param tls null for plain HTTP
     * @param h2  null for HTTP/1.1 only
     * @return the address bound (an ephemeral port resolved)
     * @throws UncheckedIOException if the address cannot be bound; nothing changed then
     */
    @SuppressWarnings("unchecked")
    public InetSocketAddress addListener(InetSocketAddress address, ProxyHttp<?> proxy, ServerEngineFactory tls,
                                         H2Limits h2) {
        if (closed) {
            throw new IllegalStateException("the server is shut down");
        }
        List<EventLoop.Listener> ls;
        InetSocketAddress actual;
        try {
            ls = bind(new Binding(Objects.requireNonNull(address, "address"),
                    (ProxyHttp<Object>) Objects.requireNonNull(proxy, "proxy"), tls, h2));
            actual = (InetSocketAddress) ls.get(0).channel().getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < ls.size(); i++) {
            loops.get(i).addListenerLive(ls.get(i));
        }
        bound.add(actual);
        return actual;
    }

    /**
     * Stops accepting on {@code address} (as {@link #addresses()} names it) while running: each
     * loop closes its socket for it on its own thread; connections already accepted carry on
     * until they close (they finish the request in flight; keep-alive ones end at their idle
     * timeout or when the client closes). The future completes when every loop has closed its socket.
     */
    public java.util.concurrent.CompletableFuture<Void> removeListener(InetSocketAddress address) {
        bound.remove(address);
        List<java.util.concurrent.CompletableFuture<Void>> done = new ArrayList<>();
        for (EventLoop l : loops) {
            done.add(l.removeListenerLive(address));
        }
        return java.util.concurrent.CompletableFuture.allOf(done.toArray(new java.util.concurrent.CompletableFuture[0]));
    }

    /** A listen address, its proxy, the TLS it speaks (null: plain) and its HTTP/2 limits (null: no HTTP/2). */
    private record Binding(InetSocketAddress address, ProxyHttp<Object> proxy, ServerEngineFactory tls, H2Limits h2) {
    }

    /** Configures and starts a {@link Server}. */
    public static final class Builder {
        private final List<Binding> bindings = new ArrayList<>();
        private int threads = Runtime.getRuntime().availableProcessors();
        private int bufferSize = 32 * 1024;
        private H1Limits limits = H1Limits.DEFAULTS;
        private Duration headerReadTimeout = Duration.ofSeconds(60);
        private Duration keepAliveTimeout = Duration.ofSeconds(75);
        private Duration writeTimeout = Duration.ofSeconds(60);
        private Duration gracePeriod = Duration.ofSeconds(30);
        private int maxIdlePerPeer = 128;
        private int maxAttempts = 3;
        private boolean xff;
        private boolean xfp;
        private boolean xfh;
        private Duration tlsHandshakeTimeout = EngineOptions.DEFAULT_TLS_HANDSHAKE_TIMEOUT;
        private ClientEngineFactory clientTls;
        private boolean reusePort;

        private Builder() {
        }

        public Builder threads(int n) {
            this.threads = n;
            return this;
        }

        /** Listens on "host:port" ("[::1]:8080" for IPv6; port 0 for an ephemeral one). */
        public Builder listen(String hostPort, ProxyHttp<?> proxy) {
            return listen(parseAddress(hostPort), proxy);
        }

        public Builder listen(InetSocketAddress address, ProxyHttp<?> proxy) {
            return bind(address, proxy, null, null);
        }

        /**
         * Listens on "host:port" for HTTP/1.1 and, beside it on the same port, HTTP/2 with prior
         * knowledge (h2c: a connection that opens with the HTTP/2 preface). {@code Upgrade: h2c}
         * stays refused. {@code h2} holds the HTTP/2 settings and security limits.
         */
        public Builder listen(String hostPort, ProxyHttp<?> proxy, H2Limits h2) {
            return bind(parseAddress(hostPort), proxy, null, Objects.requireNonNull(h2, "h2"));
        }

        /**
         * Listens on "host:port" for HTTP/1.1 over TLS: each accepted connection gets an engine
         * from {@code tls} (certificate, versions, ALPN, client certificates are its business),
         * and {@link io.pingora4j.spi.Session#scheme()} says "https".
         */
        public Builder listenTls(String hostPort, ProxyHttp<?> proxy, ServerEngineFactory tls) {
            return listenTls(parseAddress(hostPort), proxy, tls);
        }

        public Builder listenTls(InetSocketAddress address, ProxyHttp<?> proxy, ServerEngineFactory tls) {
            return bind(address, proxy, Objects.requireNonNull(tls, "tls"), null);
        }

        /**
         * Listens on "host:port" over TLS for HTTP/2 and HTTP/1.1, as the client picks by ALPN:
         * {@code tls} must offer "h2" (and "http/1.1") in its ALPN protocols; a connection that
         * negotiated "h2" speaks HTTP/2 with {@code h2}'s settings and limits.
         */
        public Builder listenTls(String hostPort, ProxyHttp<?> proxy, ServerEngineFactory tls, H2Limits h2) {
            return bind(parseAddress(hostPort), proxy, Objects.requireNonNull(tls, "tls"), Objects.requireNonNull(h2, "h2"));
        }

        @SuppressWarnings("unchecked")
        private Builder bind(InetSocketAddress address, ProxyHttp<?> proxy, ServerEngineFactory tls, H2Limits h2) {
            bindings.add(new Binding(Objects.requireNonNull(address, "address"),
                    (ProxyHttp<Object>) Objects.requireNonNull(proxy, "proxy"), tls, h2));
            return this;
        }

        public Builder bufferSize(int bytes) {
            this.bufferSize = bytes;
            return this;
        }

        public Builder limits(H1Limits l) {
            this.limits = Objects.requireNonNull(l);
            return this;
        }

        public Builder headerReadTimeout(Duration d) {
            this.headerReadTimeout = d;
            return this;
        }

        public Builder keepAliveTimeout(Duration d) {
            this.keepAliveTimeout = d;
            return this;
        }

        public Builder writeTimeout(Duration d) {
            this.writeTimeout = d;
            return this;
        }

        public Builder gracePeriod(Duration d) {
            this.gracePeriod = d;
            return this;
        }

        public Builder maxIdlePerPeer(int n) {
            this.maxIdlePerPeer = n;
            return this;
        }

        /** Tries per request when a failure is marked retryable (1 = never retry). */
        public Builder maxAttempts(int n) {
            this.maxAttempts = n;
            return this;
        }

        /** Sets X-Forwarded-For / -Proto / -Host on requests sent upstream. */
        public Builder forwardedHeaders(boolean forFor, boolean proto, boolean host) {
            this.xff = forFor;
            this.xfp = proto;
            this.xfh = host;
            return this;
        }

        /** How long a TLS handshake may take, with a client or with an origin (default 10 s). */
        public Builder tlsHandshakeTimeout(Duration d) {
            this.tlsHandshakeTimeout = d;
            return this;
        }

        /**
         * Makes the SSLEngine of each TLS connection to an origin (default: the JDK's trust store,
         * host name verification against the SNI name, trust-all for peers with verification off).
         */
        public Builder clientTls(ClientEngineFactory factory) {
            this.clientTls = Objects.requireNonNull(factory, "clientTls");
            return this;
        }

        /**
         * Sets SO_REUSEPORT on every listener, even with one loop (where it is otherwise left off),
         * so another process of the same user can bind the same addresses and take over
         * ({@link Server#handOver}). Two servers then share a port silently: only for a server that
         * knows its successor.
         */
        public Builder reusePort(boolean on) {
            this.reusePort = on;
            return this;
        }

        public EngineOptions options() {
            return new EngineOptions(threads, bufferSize, limits, headerReadTimeout, keepAliveTimeout, writeTimeout,
                    gracePeriod, maxIdlePerPeer, maxAttempts, xff, xfp, xfh, tlsHandshakeTimeout,
                    clientTls == null ? new io.pingora4j.tls.ClientTls() : clientTls, reusePort);
        }

        /**
         * Binds every listener and starts the loops.
         *
         * @throws UncheckedIOException if an address cannot be bound (in use, not local...)
         */
        public Server start() {
            if (bindings.isEmpty()) {
                throw new IllegalStateException("no listener: call listen(...) first");
            }
            Server s = new Server(options());
            try {
                s.start(bindings);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen: " + e.getMessage(), e);
            }
            return s;
        }

        /** "host:port", "[v6]:port" or ":port" (all interfaces). */
        public static InetSocketAddress parseAddress(String hostPort) {
            String s = hostPort.trim();
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("address '" + hostPort + "' has no port (host:port)");
            }
            String host = s.substring(0, colon);
            int port;
            try {
                port = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("address '" + hostPort + "': port is not a number");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("address '" + hostPort + "': port out of range");
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return host.isEmpty() || host.equals("*") ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
        }
    }
}
