package io.pingora4j.engine;

import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.ProxyError;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A loop's idle upstream connections, by {@link HttpPeer#poolKey()}, most recently used first
 * (warm connections, and the cold ones age out by their idle timeout). Also where new connections
 * are dialled.
 *
 * <p><b>The invariant that keeps every client's response its own:</b> a connection enters the pool
 * only after a complete <em>final</em> response by its framing (an interim 1xx is never the end of
 * an exchange), with no unread byte in our buffers or the transport's; a connection holding bytes
 * is closed instead ({@link #release}). Bytes can still arrive while it idles — an origin closing
 * it, or writing something nobody asked for — so a pooled connection that is readable (bytes or
 * EOF) is closed, never read as a response: when the selector reports it idle-readable, and again
 * when it is taken ({@link #acquire} probes it with a non-blocking read). Each such drop counts in
 * {@code upstreamDiscarded}.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class UpstreamPool {

    private static final Resolver RESOLVER = new Resolver();

    private final EventLoop loop;
    private final Map<String, ArrayDeque<UpstreamConnection>> idle = new HashMap<>();
    /** Pool keys of origins that answered with HTTP/1.0: they get no chunked request bodies. */
    private final Set<String> http10Peers = new HashSet<>();
    private int idleCount;
    /** Open connections (connecting, in use or idle) by pool key: what the metrics call established. */
    private final Map<String, int[]> open = new HashMap<>();

    UpstreamPool(EventLoop loop) {
        this.loop = loop;
    }

    /** An idle connection to {@code peer}, now owned by {@code owner}; null if none. */
    UpstreamConnection acquire(HttpPeer peer, ProxySession owner) {
        ArrayDeque<UpstreamConnection> q = idle.get(peer.poolKey());
        if (q == null) {
            return null;
        }
        UpstreamConnection c;
        while ((c = q.pollFirst()) != null) {
            idleCount--;
            if (c.state == UpstreamConnection.State.IDLE && c.transport.channel().isOpen()) {
                if (c.transport.idleReadable()) {
                    // bytes nobody asked for, or the origin closed it: never read them as a response
                    loop.stats.upstreamDiscarded++;
                    c.close();
                    continue;
                }
                c.state = UpstreamConnection.State.ACTIVE;
                c.owner = owner;
                c.idleDeadline = 0;
                c.requestsServed++;
                loop.stats.upstreamReused++;
                return c;
            }
            c.close();
        }
        return null;
    }

    /** Takes back a connection whose exchange ended cleanly; closes it if it cannot be reused. */
    void release(UpstreamConnection c) {
        if (c.hasUnreadInput()) {
            loop.stats.upstreamDiscarded++; // more than the response came: not ours to hand out
            c.close();
            return;
        }
        if (!c.reusable() || loop.draining() || loop.options.maxIdlePerPeer() == 0) {
            c.close();
            return;
        }
        ArrayDeque<UpstreamConnection> q = idle.computeIfAbsent(c.peer.poolKey(), k -> new ArrayDeque<>());
        if (q.size() >= loop.options.maxIdlePerPeer()) {
            UpstreamConnection oldest = q.pollLast();
            idleCount--;
            oldest.close();
        }
        c.owner = null;
        c.state = UpstreamConnection.State.IDLE;
        c.awaitingRead = false;
        c.readDeadline = 0;
        c.writeDeadline = 0;
        c.readPaused = false;
        c.releaseBuffers();
        c.setInterest(SelectionKey.OP_READ); // watch for the origin closing it
        c.idleDeadline = loop.now + c.peer.idleTimeoutNanos();
        c.deadline.want(c.idleDeadline);
        q.addFirst(c);
        idleCount++;
    }

    /** Drops an idle connection (closed by the origin, or idle too long). */
    void discard(UpstreamConnection c) {
        ArrayDeque<UpstreamConnection> q = idle.get(c.peer.poolKey());
        if (q != null && q.remove(c)) {
            idleCount--;
        }
        c.close();
    }

    /** The origin at {@code peer} answered with HTTP/1.0 at least once on this loop. */
    void learnedHttp10(HttpPeer peer) {
        http10Peers.add(peer.poolKey());
    }

    boolean speaksHttp10(HttpPeer peer) {
        return !http10Peers.isEmpty() && http10Peers.contains(peer.poolKey());
    }

    int idleCount() {
        return idleCount;
    }

    /**
     * Dials {@code peer} for {@code owner}. The outcome arrives later on the owner:
     * {@link ProxySession#onUpstreamConnected} or {@link ProxySession#onConnectFailed}.
     */
    void connect(HttpPeer peer, ProxySession owner) {
        InetSocketAddress addr = RESOLVER.now(peer.host(), peer.port(), loop.now);
        if (addr != null) {
            dial(peer, addr, owner);
            return;
        }
        int gen = owner.generation();
        RESOLVER.resolve(peer.host(), peer.port()).whenComplete((a, t) -> loop.execute(() -> {
            if (owner.generation() != gen) {
                return; // the request ended meanwhile
            }
            if (t != null || a == null) {
                owner.onConnectFailed(null, ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECT_FAILED,
                        "cannot resolve " + peer.host()));
                return;
            }
            dial(peer, a, owner);
        }));
    }

    private void dial(HttpPeer peer, InetSocketAddress addr, ProxySession owner) {
        if (addr.isUnresolved()) {
            owner.onConnectFailed(null, ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECT_FAILED,
                    "cannot resolve " + peer.host()));
            return;
        }
        SocketChannel ch;
        try {
            ch = SocketChannel.open();
            ch.configureBlocking(false);
            ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException e) {
            owner.onConnectFailed(null, ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECT_FAILED,
                    "cannot open a socket: " + e.getMessage()));
            return;
        }
        Transport transport;
        if (peer.tls()) {
            try {
                transport = new TlsTransport(loop, ch, loop.options.clientTls()
                        .newClientEngine(peer.sni(), peer.host(), peer.port(), peer.verifyCert(), peer.caFile()));
            } catch (RuntimeException e) {
                EventLoop.closeQuietly(ch);
                owner.onConnectFailed(null, ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECT_FAILED,
                        "cannot set up TLS to " + peer.address() + ": " + e.getMessage()));
                return;
            }
        } else {
            transport = new Transport.Plain(ch);
        }
        UpstreamConnection c = new UpstreamConnection(loop, peer, transport);
        open.computeIfAbsent(peer.poolKey(), k -> new int[1])[0]++;
        c.owner = owner;
        owner.onDialStarted(c);
        loop.stats.upstreamConnects++;
        c.dialStart = System.nanoTime();
        try {
            boolean done = ch.connect(addr);
            c.key = loop.register(ch, done ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, c);
            c.interest = done ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT;
            if (done) {
                c.connected();
            } else {
                c.connectDeadline = loop.now + peer.connectTimeoutNanos();
                c.deadline.want(c.connectDeadline);
            }
        } catch (IOException e) {
            c.connectFailed(e);
        }
    }

    /** A dialled connection closed (whatever its state was). */
    void closed(UpstreamConnection c) {
        int[] n = open.get(c.peer.poolKey());
        if (n != null && --n[0] == 0) {
            open.remove(c.peer.poolKey());
        }
    }

    /** Open and idle connections by pool key, as of now; on the loop only. */
    Map<String, long[]> connectionCounts() {
        Map<String, long[]> out = new HashMap<>();
        for (Map.Entry<String, int[]> e : open.entrySet()) {
            ArrayDeque<UpstreamConnection> q = idle.get(e.getKey());
            out.put(e.getKey(), new long[] {e.getValue()[0], q == null ? 0 : q.size()});
        }
        return out;
    }

    void closeAll() {
        for (ArrayDeque<UpstreamConnection> q : idle.values()) {
            for (UpstreamConnection c : q) {
                c.close();
            }
        }
        idle.clear();
        idleCount = 0;
    }
}
