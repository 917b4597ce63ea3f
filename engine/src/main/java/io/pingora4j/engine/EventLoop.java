package io.pingora4j.engine;

import io.pingora4j.codec.h2.H2Limits;
import io.pingora4j.spi.ProxyHttp;
import io.pingora4j.tls.ClientEngineFactory;
import io.pingora4j.tls.RecordBufferPool;
import io.pingora4j.tls.ServerEngineFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event-loop thread: a selector, the listening sockets it accepts on, the connections it owns,
 * a task queue other threads hand work through, timers, buffer pools (plain and TLS record) and an
 * upstream pool.
 *
 * <p>Everything reached from here runs on this thread; the only entry points from other threads
 * are {@link #execute} and {@link #shutdown}, both lock-free (a jctools MPSC queue, then
 * {@code selector.wakeup()}).
 */
final class EventLoop implements Executor, Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);
    private static final long MAX_SELECT_NANOS = 1_000_000_000L;
    /** Bytes of the buffer a connection's first read goes into (nginx's client_header_buffer_size is 1 KiB). */
    static final int SMALL_BUFFER = 4096;

    final int index;
    final Server server;
    final EngineOptions options;
    /** Read buffers of {@code options.bufferSize()} (bodies, HTTP/2 connections, response heads). */
    final BufferPool buffers;
    /** Small read buffers a connection starts with: a request head, a small answer. */
    final BufferPool smallBuffers;
    final UpstreamPool upstreams;
    final Timers timers;
    final EngineStats stats;
    /** TLS record buffers, lent to this loop's TLS connections while their bytes are in flight. */
    final RecordBufferPool recordBuffers = new RecordBufferPool();
    /** Parsers, sessions and output for HTTP/1.1 requests in progress, reused from connection to connection. */
    final H1Exchange.Pool exchanges;
    /** TLS to origins by what ALPN offers: "http/1.1" (the configured factory), "h2", and "h2" then "http/1.1". */
    final ClientEngineFactory tlsH1;
    final ClientEngineFactory tlsH2;
    final ClientEngineFactory tlsH2H1;

    private final Selector selector;
    private final Queue<Runnable> tasks = new MpscUnboundedXaddArrayQueue<>(256);
    private final List<Listener> listeners = new ArrayList<>();
    private final List<ClientConnection> connections = new ArrayList<>();
    private final Thread thread;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile boolean wakeupPending;
    private boolean draining;
    private long drainDeadline;
    /** While draining: how long an idle keep-alive connection may wait for a last request (0: close it now). */
    long drainIdleLingerNanos;
    private boolean stopped;
    /** Cached System.nanoTime() for this iteration: timeouts need no finer clock. */
    long now;

    /**
     * A listening socket, the proxy its connections are served by, their TLS (null: plain) and
     * HTTP/2 limits (null: HTTP/1.1 only; else h2c prior knowledge on plain, ALPN "h2" on TLS).
     */
    record Listener(ServerSocketChannel channel, ProxyHttp<Object> proxy, ServerEngineFactory tls, H2Limits h2) {
    }

    EventLoop(int index, Server server, EngineOptions options) throws IOException {
        this.index = index;
        this.server = server;
        this.options = options;
        this.selector = Selector.open();
        this.now = System.nanoTime();
        this.timers = new Timers();
        this.buffers = new BufferPool(options.bufferSize(), 128);
        this.smallBuffers = new BufferPool(Math.min(SMALL_BUFFER, options.bufferSize()), 512);
        this.stats = new EngineStats();
        this.upstreams = new UpstreamPool(this);
        this.exchanges = new H1Exchange.Pool(this, 1024);
        this.tlsH1 = options.clientTls();
        this.tlsH2 = tlsH1.withAlpn(List.of("h2"));
        this.tlsH2H1 = tlsH1.withAlpn(List.of("h2", "http/1.1"));
        this.thread = new Thread(this, "pingora4j-loop-" + index);
    }

    void start() {
        thread.start();
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on this loop, soon. Safe from any thread. */
    @Override
    public void execute(Runnable task) {
        tasks.offer(task);
        if (!inLoop() && !wakeupPending) {
            wakeupPending = true;
            selector.wakeup();
        }
    }

    /** Starts accepting on a listening channel bound by the server (called before start). */
    void addListener(Listener l) throws IOException {
        l.channel().configureBlocking(false);
        listeners.add(l);
        l.channel().register(selector, SelectionKey.OP_ACCEPT, l);
    }

    /** As {@link #addListener}, while running: registered on this loop's thread (a reload adds a server). */
    void addListenerLive(Listener l) {
        execute(() -> {
            if (draining || stopped) {
                closeListener(l);
                return;
            }
            try {
                addListener(l);
            } catch (IOException e) {
                LOG.warn("cannot accept on {} on loop {}: {}", l.channel(), index, e.toString());
                closeListener(l);
            }
        });
    }

    /**
     * Closes this loop's listening sockets bound to {@code address}, on its thread; the connections
     * they accepted carry on. Completes once done (at once when the loop has stopped).
     */
    java.util.concurrent.CompletableFuture<Void> removeListenerLive(InetSocketAddress address) {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        execute(() -> {
            for (java.util.Iterator<Listener> it = listeners.iterator(); it.hasNext(); ) {
                Listener l = it.next();
                Object local;
                try {
                    local = l.channel().isOpen() ? l.channel().getLocalAddress() : null;
                } catch (IOException e) {
                    local = null;
                }
                if (local == null || local.equals(address)) {
                    it.remove();
                    closeListener(l); // cancels its key: the selector forgets it at the next select
                    drainServedBy(l.proxy());
                }
            }
            done.complete(null);
        });
        if (stopped && terminated.getCount() == 0) {
            done.complete(null);
        }
        return done;
    }

    /** Drains the connections served by {@code proxy}, unless a listener still open serves with it too. */
    private void drainServedBy(ProxyHttp<Object> proxy) {
        for (Listener other : listeners) {
            if (other.proxy() == proxy) {
                return;
            }
        }
        for (ClientConnection c : new ArrayList<>(connections)) {
            if (c.proxy() == proxy) {
                c.drain();
            }
        }
    }

    private static void closeListener(Listener l) {
        try {
            l.channel().close();
        } catch (IOException ignored) {
            // closing a listener: nothing to recover
        }
    }

    /** Adopts a socket accepted elsewhere (the single-acceptor fallback). */
    void adopt(SocketChannel ch, Listener l) {
        execute(() -> accepted(ch, l));
    }

    SelectionKey register(SelectableChannel ch, int ops, IoHandler handler) throws ClosedChannelException {
        return ch.register(selector, ops, handler);
    }

    @Override
    public void run() {
        try {
            loop();
        } catch (Throwable t) {
            LOG.error("event loop {} died", index, t);
        } finally {
            closeAll();
            terminated.countDown();
        }
    }

    private void loop() throws IOException {
        while (!stopped) {
            now = System.nanoTime();
            long waitNanos = tasks.isEmpty() ? timers.nanosToNextTick(now, MAX_SELECT_NANOS) : 0;
            // the action-taking select: ready keys go straight to dispatch, no selected-key set
            // (which would allocate a node per ready key per select)
            if (waitNanos <= 0) {
                selector.selectNow(dispatcher);
            } else {
                selector.select(dispatcher, Math.max(1, waitNanos / 1_000_000));
            }
            wakeupPending = false;
            runTasks();
            now = System.nanoTime();
            timers.poll(now);
            if (draining) {
                checkDrained();
            }
        }
    }

    private final java.util.function.Consumer<SelectionKey> dispatcher = this::dispatch;

    private void dispatch(SelectionKey key) {
        now = System.nanoTime();
        Object att = key.attachment();
        if (att instanceof Listener l) {
            acceptAll(l);
            return;
        }
        IoHandler h = (IoHandler) att;
        try {
            if (!key.isValid()) {
                return;
            }
            int ready = key.readyOps();
            if ((ready & SelectionKey.OP_CONNECT) != 0) {
                h.onConnectable();
                if (!key.isValid()) {
                    return;
                }
            }
            if ((ready & SelectionKey.OP_WRITE) != 0) {
                h.onWritable();
                if (!key.isValid()) {
                    return;
                }
            }
            if ((ready & SelectionKey.OP_READ) != 0) {
                h.onReadable();
            }
        } catch (java.nio.channels.CancelledKeyException ignored) {
            // the handler closed its channel while we were dispatching
        }
    }

    private void runTasks() {
        for (int i = 0; i < 4096; i++) {
            Runnable r = tasks.poll();
            if (r == null) {
                return;
            }
            try {
                r.run();
            } catch (Throwable t) {
                LOG.error("task failed on loop {}", index, t);
            }
        }
    }

    private void acceptAll(Listener l) {
        for (int i = 0; i < 64; i++) {
            SocketChannel ch;
            try {
                ch = l.channel().accept();
            } catch (IOException e) {
                LOG.warn("accept failed on loop {}: {}", index, e.toString());
                return;
            }
            if (ch == null) {
                return;
            }
            EventLoop target = server.singleAcceptor() ? server.nextLoop() : this;
            if (target == this) {
                accepted(ch, l);
            } else {
                target.adopt(ch, l);
            }
        }
    }

    private void accepted(SocketChannel ch, Listener l) {
        if (draining) {
            closeQuietly(ch);
            return;
        }
        try {
            ch.configureBlocking(false);
            ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            InetSocketAddress remote = (InetSocketAddress) ch.getRemoteAddress();
            if (l.tls() == null) {
                H1Downstream d = new H1Downstream(this, new Transport.Plain(ch), remote, l.proxy(), l.h2());
                d.key = register(ch, SelectionKey.OP_READ, d);
                connections.add(d);
                stats.downstreamAccepted++;
                d.start();
                return;
            }
            TlsTransport t = new TlsTransport(this, ch, l.tls().newServerEngine());
            H1Downstream d = new H1Downstream(this, t, remote, l.proxy(), l.h2());
            d.key = register(ch, SelectionKey.OP_READ, t);
            connections.add(d);
            stats.downstreamAccepted++;
            t.startHandshake(d.key, d); // the connection starts when the handshake is done
        } catch (IOException | RuntimeException e) {
            // a factory that cannot make an engine refuses this connection, not the loop
            if (e instanceof RuntimeException) {
                LOG.warn("cannot start TLS on loop {}: {}", index, e.toString());
            }
            closeQuietly(ch);
        }
    }

    void connectionClosed(ClientConnection d) {
        // connections are few per loop relative to requests; a swap-remove keeps this O(n) rare work cheap
        int i = connections.indexOf(d);
        if (i >= 0) {
            int last = connections.size() - 1;
            connections.set(i, connections.get(last));
            connections.remove(last);
        }
    }

    /** A connection changed protocol (HTTP/1.1 to HTTP/2): the new object stands in for the old. */
    void connectionReplaced(ClientConnection old, ClientConnection now) {
        int i = connections.indexOf(old);
        if (i >= 0) {
            connections.set(i, now);
        } else {
            connections.add(now);
        }
    }

    int connectionCount() {
        return connections.size();
    }

    /** Stops accepting, lets in-flight requests finish until {@code deadlineNanos}, then closes the rest. */
    void shutdown(long deadlineNanos) {
        shutdown(deadlineNanos, 0);
    }

    /**
     * As {@link #shutdown(long)}, but an idle HTTP/1.1 keep-alive connection is kept up to
     * {@code idleLingerNanos} (and never past the deadline) so a request its client sends meanwhile
     * is answered, with {@code Connection: close}, rather than meeting a closed socket. For a hand
     * over to another process, whose listeners take the client's next connection.
     */
    void shutdown(long deadlineNanos, long idleLingerNanos) {
        execute(() -> {
            draining = true;
            drainDeadline = deadlineNanos;
            drainIdleLingerNanos = idleLingerNanos;
            for (Listener l : listeners) {
                try {
                    l.channel().close();
                } catch (IOException ignored) {
                    // closing a listener: nothing to recover
                }
            }
            for (ClientConnection d : new ArrayList<>(connections)) {
                d.drain();
            }
            checkDrained();
        });
    }

    boolean draining() {
        return draining;
    }

    long drainDeadline() {
        return drainDeadline;
    }

    private void checkDrained() {
        if (connections.isEmpty() || now - drainDeadline >= 0) {
            stopped = true;
        }
    }

    boolean awaitTermination(long millis) throws InterruptedException {
        return terminated.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void closeAll() {
        for (ClientConnection d : new ArrayList<>(connections)) {
            d.shutdownNow();
        }
        connections.clear();
        upstreams.closeAll();
        for (Listener l : listeners) {
            try {
                l.channel().close();
            } catch (IOException ignored) {
                // shutting down
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // shutting down
        }
    }

    static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to recover
        }
    }
}
