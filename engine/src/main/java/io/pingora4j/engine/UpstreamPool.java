package io.pingora4j.engine;

import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.tls.ClientEngineFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A loop's upstream connections: idle HTTP/1.1 connections by {@link HttpPeer#poolKey()}, most
 * recently used first (warm connections, and the cold ones age out by their idle timeout), and
 * the HTTP/2 connections to each peer with their streams. Also where new connections are dialled.
 *
 * <p><b>The invariant that keeps every client's response its own (HTTP/1.1):</b> a connection
 * enters the pool only after a complete <em>final</em> response by its framing (an interim 1xx is
 * never the end of an exchange), with no unread byte in our buffers or the transport's; a
 * connection holding bytes is closed instead ({@link #release}). Bytes can still arrive while it
 * idles — an origin closing it, or writing something nobody asked for — so a pooled connection
 * that is readable (bytes or EOF) is closed, never read as a response: when the selector reports
 * it idle-readable, and again when it is taken ({@link #acquire} probes it with a non-blocking
 * read). Each such drop counts in {@code upstreamDiscarded}.
 *
 * <p><b>HTTP/2</b> ({@link HttpPeer.Alpn#H2}, or {@link HttpPeer.Alpn#H2H1} over TLS once the
 * origin picked "h2"): a request takes a stream on a connection with room under the origin's
 * SETTINGS_MAX_CONCURRENT_STREAMS; when none has room it waits for a connection being dialled
 * (up to the streams the origin allowed last time, 100 before it said), and only then is another
 * dialled. A connection that got GOAWAY takes no new stream and closes when its last one ends.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class UpstreamPool {

    private static final Resolver RESOLVER = new Resolver();
    /** Streams assumed to fit on a connection before its origin's SETTINGS say (RFC 9113 §6.5.2 recommends at least 100). */
    static final int ASSUMED_MAX_STREAMS = 100;

    private final EventLoop loop;
    private final Map<String, ArrayDeque<UpstreamConnection>> idle = new HashMap<>();
    /** Pool keys of origins that answered with HTTP/1.0: they get no chunked request bodies. */
    private final Set<String> http10Peers = new HashSet<>();
    private final Map<String, ArrayList<H2Upstream>> h2 = new HashMap<>();
    /** For peers offering both over TLS: whether the origin picked "h2" (absent: not known yet). */
    private final Map<String, Boolean> pickedH2 = new HashMap<>();
    /** The SETTINGS_MAX_CONCURRENT_STREAMS each h2 origin announced last. */
    private final Map<String, Integer> h2Capacity = new HashMap<>();
    private int idleCount;
    /** Open connections (connecting, in use or idle) by pool key: what the metrics call established. */
    private final Map<String, int[]> open = new HashMap<>();

    UpstreamPool(EventLoop loop) {
        this.loop = loop;
    }

    /**
     * The origin side for a request to {@code peer}: a pooled HTTP/1.1 connection ({@code mayReuse}:
     * not on a retry), or a stream on an HTTP/2 connection with room, ready to use; or null when a
     * connection is being dialled or waited for, in which case the owner hears
     * {@link ProxySession#onUpstreamAssigned} and then {@link ProxySession#onUpstreamReady} or
     * {@link ProxySession#onConnectFailed}.
     *
     * @param needsH1 the request switches protocols (a WebSocket) or tunnels (CONNECT): it needs HTTP/1.1
     * @throws io.pingora4j.spi.ProxyError if the request needs HTTP/1.1 and the peer speaks HTTP/2 only
     */
    UpstreamExchange take(HttpPeer peer, ProxySession owner, boolean mayReuse, boolean needsH1) {
        HttpPeer.Alpn alpn = peer.alpn();
        if (needsH1 && alpn == HttpPeer.Alpn.H2) {
            throw ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECT_FAILED, 502,
                    "a protocol switch (WebSocket) or a CONNECT tunnel needs HTTP/1.1, and upstream " + peer.address() + " speaks HTTP/2 only");
        }
        boolean useH2 = !needsH1 && (alpn == HttpPeer.Alpn.H2
                || (alpn == HttpPeer.Alpn.H2H1 && peer.tls() && Boolean.TRUE.equals(pickedH2.get(peer.poolKey()))));
        if (useH2) {
            return takeStream(peer, owner);
        }
        if (mayReuse) {
            UpstreamConnection c = acquire(peer, owner);
            if (c != null) {
                return c.exchange;
            }
        }
        boolean offerH2 = !needsH1 && alpn == HttpPeer.Alpn.H2H1 && peer.tls() && !pickedH2.containsKey(peer.poolKey());
        connect(peer, owner, null, offerH2 ? loop.tlsH2H1 : loop.tlsH1);
        return null;
    }

    // ------------------------------------------------------------------ HTTP/2

    private UpstreamExchange takeStream(HttpPeer peer, ProxySession owner) {
        ArrayList<H2Upstream> list = h2.computeIfAbsent(peer.poolKey(), k -> new ArrayList<>(2));
        H2Upstream joinable = null;
        for (int i = 0; i < list.size(); i++) {
            H2Upstream c = list.get(i);
            if (c.hasRoom()) {
                loop.stats.upstreamReused++;
                return c.reserve(owner);
            }
            if (joinable == null && c.acceptsWaiter()) {
                joinable = c;
            }
        }
        boolean fresh = joinable == null;
        if (fresh) {
            joinable = new H2Upstream(loop, peer, h2Capacity.getOrDefault(peer.poolKey(), ASSUMED_MAX_STREAMS));
            list.add(joinable);
        }
        owner.onUpstreamAssigned(joinable.addWaiter(owner));
        if (fresh) {
            connect(peer, null, joinable, peer.alpn() == HttpPeer.Alpn.H2 ? loop.tlsH2 : loop.tlsH2H1);
        }
        return null;
    }

    /** A connection dialled for a peer offering both protocols came up with "h2": it becomes an {@link H2Upstream}. */
    void promoteToH2(UpstreamConnection c) {
        ProxySession o = c.owner;
        H2Upstream h = new H2Upstream(loop, c.peer, h2Capacity.getOrDefault(c.peer.poolKey(), ASSUMED_MAX_STREAMS));
        h2.computeIfAbsent(c.peer.poolKey(), k -> new ArrayList<>(2)).add(h);
        if (o != null) {
            o.onUpstreamAssigned(h.addWaiter(o));
        }
        c.handedOver();
        h.takeOver(c.transport, c.key);
    }

    /** What the origin picked by ALPN, for a peer that offers both. */
    void learnedAlpn(HttpPeer peer, boolean h2) {
        pickedH2.put(peer.poolKey(), h2);
    }

    /** The origin's SETTINGS_MAX_CONCURRENT_STREAMS, for sizing the wait on its next connection. */
    void learnedCapacity(HttpPeer peer, int streams) {
        h2Capacity.put(peer.poolKey(), Math.max(1, streams));
    }

    /** An HTTP/2 connection is gone: no stream is taken on it any more. */
    void h2Closed(H2Upstream c) {
        ArrayList<H2Upstream> list = h2.get(c.peer.poolKey());
        if (list != null) {
            list.remove(c);
        }
    }

    /** HTTP/2 connections open on this loop (tests, stats). */
    int h2Connections() {
        int n = 0;
        for (ArrayList<H2Upstream> l : h2.values()) {
            n += l.size();
        }
        return n;
    }

    // ------------------------------------------------------------------ HTTP/1.1

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
     * Dials {@code peer} for {@code owner} (HTTP/1.1), or for {@code forH2}. The outcome arrives
     * later: {@link ProxySession#onUpstreamReady} or {@link ProxySession#onConnectFailed} on the
     * owner, {@link H2Upstream#takeOver} or {@link H2Upstream#dialFailed} on the HTTP/2 connection.
     */
    private void connect(HttpPeer peer, ProxySession owner, H2Upstream forH2, ClientEngineFactory tls) {
        InetSocketAddress addr = RESOLVER.now(peer.host(), peer.port(), loop.now);
        if (addr != null) {
            dial(peer, addr, owner, forH2, tls);
            return;
        }
        int gen = owner == null ? 0 : owner.generation();
        RESOLVER.resolve(peer.host(), peer.port()).whenComplete((a, t) -> loop.execute(() -> {
            if (owner != null && owner.generation() != gen) {
                return; // the request ended meanwhile
            }
            if (t != null || a == null) {
                dialFailed(owner, forH2, ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECT_FAILED,
                        "cannot resolve " + peer.host()));
                return;
            }
            dial(peer, a, owner, forH2, tls);
        }));
    }

    private void dialFailed(ProxySession owner, H2Upstream forH2, ProxyError e) {
        loop.stats.upstreamConnectFailures++;
        if (forH2 != null) {
            forH2.dialFailed(e);
        } else {
            owner.onConnectFailed(null, e);
        }
    }

    private void dial(HttpPeer peer, InetSocketAddress addr, ProxySession owner, H2Upstream forH2, ClientEngineFactory tls) {
        if (addr.isUnresolved()) {
            dialFailed(owner, forH2, ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECT_FAILED,
                    "cannot resolve " + peer.host()));
            return;
        }
        SocketChannel ch;
        try {
            ch = SocketChannel.open();
            ch.configureBlocking(false);
            ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException e) {
            dialFailed(owner, forH2, ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECT_FAILED,
                    "cannot open a socket: " + e.getMessage()));
            return;
        }
        Transport transport;
        if (peer.tls()) {
            try {
                transport = new TlsTransport(loop, ch, tls.newClientEngine(peer.sni(), peer.host(), peer.port(),
                        peer.verifyCert(), peer.caFile()));
            } catch (RuntimeException e) {
                EventLoop.closeQuietly(ch);
                dialFailed(owner, forH2, ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECT_FAILED,
                        "cannot set up TLS to " + peer.address() + ": " + e.getMessage()));
                return;
            }
        } else {
            transport = new Transport.Plain(ch);
        }
        UpstreamConnection c = new UpstreamConnection(loop, peer, transport);
        open.computeIfAbsent(peer.poolKey(), k -> new int[1])[0]++;
        c.owner = owner;
        c.forH2 = forH2;
        if (owner != null) {
            owner.onUpstreamAssigned(c.exchange);
        }
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
        for (ArrayList<H2Upstream> l : new ArrayList<>(h2.values())) {
            for (H2Upstream c : new ArrayList<>(l)) {
                c.close("the proxy is shutting down");
            }
        }
        h2.clear();
    }
}
