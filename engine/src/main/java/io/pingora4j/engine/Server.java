package io.pingora4j.engine;

import io.pingora4j.codec.h1.H1Limits;
import io.pingora4j.spi.ProxyHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running proxy: event loops serving one or more listeners, each with its {@link ProxyHttp}.
 *
 * <pre>{@code
 * Server server = Server.builder()
 *         .threads(2)
 *         .listen("127.0.0.1:8080", new MyProxy())
 *         .start();
 * ...
 * server.close(); // graceful: in-flight requests finish within the grace period
 * }</pre>
 *
 * Each loop binds its own socket to every listen address with SO_REUSEPORT, so the kernel spreads
 * connections over loops; where the option is missing, loop 0 accepts and hands sockets to the
 * others. Port 0 binds an ephemeral port; {@link #port()} tells which.
 *
 * <p>Thread-safe.
 */
public final class Server implements AutoCloseable {

    private final EngineOptions options;
    private final List<EventLoop> loops = new ArrayList<>();
    private final List<InetSocketAddress> bound = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private boolean singleAcceptor;
    private volatile boolean closed;

    private Server(EngineOptions options) {
        this.options = options;
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
        long buffers = 0;
        for (EventLoop l : loops) {
            buffers += l.buffers.allocatedCount();
            EngineStats s = l.stats;
            accepted += s.downstreamAccepted;
            requests += s.requests;
            connects += s.upstreamConnects;
            reused += s.upstreamReused;
            failures += s.upstreamConnectFailures;
            retries += s.retries;
        }
        return new Stats(accepted, requests, connects, reused, failures, retries, buffers);
    }

    /**
     * Engine counters.
     *
     * @param upstreamConnects new upstream connections dialled
     * @param upstreamReused   requests that took a pooled upstream connection
     * @param buffersAllocated pooled read buffers ever allocated: bounded by concurrency, not by bytes moved
     */
    public record Stats(long connectionsAccepted, long requests, long upstreamConnects, long upstreamReused,
                        long upstreamConnectFailures, long retries, long buffersAllocated) {
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
            boolean reusePort = ServerSocketChannel.open().supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
            singleAcceptor = !reusePort && loops.size() > 1;
            for (Binding b : bindings) {
                InetSocketAddress actual = null;
                int perAddress = singleAcceptor ? 1 : loops.size();
                for (int i = 0; i < perAddress; i++) {
                    ServerSocketChannel ssc = ServerSocketChannel.open();
                    ssc.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                    if (reusePort && loops.size() > 1) {
                        ssc.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                    }
                    ssc.bind(actual == null ? b.address : actual, 4096);
                    if (actual == null) {
                        actual = (InetSocketAddress) ssc.getLocalAddress();
                    }
                    loops.get(i).addListener(new EventLoop.Listener(ssc, b.proxy));
                }
                bound.add(actual);
            }
        } catch (IOException | RuntimeException e) {
            for (EventLoop l : loops) {
                l.shutdown(System.nanoTime());
            }
            throw e;
        }
        for (EventLoop l : loops) {
            l.start();
        }
    }

    private record Binding(InetSocketAddress address, ProxyHttp<Object> proxy) {
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

        @SuppressWarnings("unchecked")
        public Builder listen(InetSocketAddress address, ProxyHttp<?> proxy) {
            bindings.add(new Binding(Objects.requireNonNull(address, "address"),
                    (ProxyHttp<Object>) Objects.requireNonNull(proxy, "proxy")));
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

        public EngineOptions options() {
            return new EngineOptions(threads, bufferSize, limits, headerReadTimeout, keepAliveTimeout, writeTimeout,
                    gracePeriod, maxIdlePerPeer, maxAttempts, xff, xfp, xfh);
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
