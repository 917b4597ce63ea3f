package io.pingora4j.engine;

import io.pingora4j.codec.h1.ResponseParser;
import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.TlsInfo;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;

/**
 * One HTTP/1.1 connection to an origin, on one loop: while a request uses it, its owner is that
 * request's {@link ProxySession}, which talks to it through its {@link H1UpstreamExchange}; between
 * requests it idles in the loop's {@link UpstreamPool}, still watched for reads so that an origin
 * closing it (or sending bytes nobody asked for) is noticed and the connection dropped rather than
 * handed out.
 *
 * <p>It is also how every upstream connection is dialled: TCP, then for a TLS peer the handshake
 * (the connection stays CONNECTING through it; its transport holds the selection key meanwhile;
 * a handshake that fails — a certificate refused, a name mismatch — is a connect failure). A
 * connection dialled for an {@link H2Upstream} ({@link #forH2}), or one whose TLS handshake chose
 * "h2" for a peer that offered both, hands its socket over once it is up.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class UpstreamConnection implements IoHandler, Deadline.Owner, TlsTransport.HandshakeListener {

    enum State { CONNECTING, ACTIVE, IDLE, CLOSED }

    final EventLoop loop;
    final HttpPeer peer;
    final Transport transport;
    final ResponseParser parser = new ResponseParser();
    final Outbound out = new Outbound();
    final Deadline deadline;
    final FramingBuffers framing = new FramingBuffers();
    final H1UpstreamExchange exchange = new H1UpstreamExchange(this);
    SelectionKey key;
    State state = State.CONNECTING;
    ProxySession owner;
    /** Dialled for this HTTP/2 connection: the socket goes to it once TCP (and TLS with ALPN "h2") is up. */
    H2Upstream forH2;
    final InputBuffer input;
    private BufferPool.Lease headLease;
    int interest;
    boolean readPaused;
    /** The owner waits for response bytes: the read timeout runs. */
    boolean awaitingRead;
    long readDeadline;
    long writeDeadline;
    long connectDeadline;
    long idleDeadline;
    int requestsServed;
    /** When the dial began, and how long TCP took to connect (0 until connected). */
    long dialStart;
    long tcpConnectNanos;

    UpstreamConnection(EventLoop loop, HttpPeer peer, Transport transport) {
        this.loop = loop;
        this.peer = peer;
        this.transport = transport;
        this.deadline = new Deadline(loop.timers, this);
        this.input = new InputBuffer(loop.smallBuffers, loop.buffers, 64 * 1024);
    }

    // ------------------------------------------------------------------ readiness

    @Override
    public void onConnectable() {
        try {
            if (!transport.channel().finishConnect()) {
                return;
            }
        } catch (IOException e) {
            connectFailed(e);
            return;
        }
        connected();
    }

    /** TCP is up: the connection is ready, or its TLS handshake starts. */
    void connected() {
        connectDeadline = 0;
        tcpConnectNanos = Math.max(1, System.nanoTime() - dialStart);
        if (peer.tls()) {
            ((TlsTransport) transport).startHandshake(key, this);
            return;
        }
        if (forH2 != null) {
            handOver(); // h2c with prior knowledge
            return;
        }
        state = State.ACTIVE;
        setInterest(SelectionKey.OP_READ);
        if (owner != null) {
            owner.onUpstreamReady(exchange);
        }
    }

    @Override
    public void tlsReady() {
        if (state == State.CLOSED) {
            return;
        }
        TlsInfo info = transport.tlsInfo();
        boolean h2 = info != null && "h2".equals(info.alpn());
        if (forH2 != null) {
            if (h2) {
                handOver();
            } else {
                dialFailed(ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECT_FAILED, peer.address()
                        + " did not agree to HTTP/2 (ALPN chose " + (info == null ? null : info.alpn()) + ")"));
            }
            return;
        }
        if (peer.alpn() == HttpPeer.Alpn.H2H1) {
            loop.upstreams.learnedAlpn(peer, h2);
            if (h2) {
                loop.upstreams.promoteToH2(this); // the origin picked h2: the socket becomes an H2Upstream
                return;
            }
        }
        key.attach(this);
        interest = SelectionKey.OP_READ;
        key.interestOps(interest);
        state = State.ACTIVE;
        if (owner != null) {
            owner.onUpstreamReady(exchange);
        }
    }

    /** The socket (key, transport) now belongs to {@link #forH2}; this object is done without closing it. */
    private void handOver() {
        H2Upstream target = forH2;
        forH2 = null;
        handedOver();
        target.takeOver(transport, key);
    }

    /** Forgets the socket without closing it: another connection object took it over. */
    void handedOver() {
        state = State.CLOSED;
        owner = null;
        deadline.cancel();
        out.clear();
        input.release();
        releaseHeadBuffer();
    }

    @Override
    public void tlsFailed(IOException cause, boolean timedOut) {
        dialFailed(ProxyError.of(ProxyError.Source.UPSTREAM,
                timedOut ? ProxyError.Kind.CONNECT_TIMEOUT : ProxyError.Kind.CONNECT_FAILED,
                "TLS handshake with " + peer.address() + " failed: " + cause.getMessage()));
    }

    void connectFailed(IOException e) {
        ProxyError.Kind kind = e instanceof ConnectException ? ProxyError.Kind.CONNECT_REFUSED : ProxyError.Kind.CONNECT_FAILED;
        dialFailed(ProxyError.of(ProxyError.Source.UPSTREAM, kind, "connect to " + peer.address() + " failed: " + e.getMessage()));
    }

    /** The connection could not be made: whoever waits for it hears why. */
    private void dialFailed(ProxyError e) {
        ProxySession o = owner;
        H2Upstream target = forH2;
        forH2 = null;
        close();
        loop.stats.upstreamConnectFailures++;
        if (target != null) {
            target.dialFailed(e);
        } else if (o != null) {
            o.onConnectFailed(exchange, e);
        }
    }

    @Override
    public void onReadable() {
        if (state == State.IDLE) {
            // an idle pooled connection: the origin closed it or sent something unasked (over
            // TLS it may be a session ticket, which the transport consumes)
            if (transport.idleReadable()) {
                loop.stats.upstreamDiscarded++;
                loop.upstreams.discard(this);
            }
            return;
        }
        if (owner != null) {
            exchange.onReadable();
        }
    }

    @Override
    public void onWritable() {
        try {
            if (out.flush(transport)) {
                flushed();
                if (owner != null) {
                    owner.onUpstreamDrained();
                }
            }
        } catch (IOException e) {
            exchange.ioError(e);
        }
    }

    // ------------------------------------------------------------------ reading and writing

    /**
     * Reads what the socket has into {@link #input}. Returns bytes read, or -1 at end of stream.
     * Never called while body windows of the buffer are queued elsewhere.
     */
    int read() throws IOException {
        int n = input.read(transport);
        if (n > 0 && awaitingRead) {
            readDeadline = loop.now + peer.readTimeoutNanos();
        }
        return n;
    }

    /**
     * Everything queued went out: no write deadline, no write interest, and the request head's
     * buffer goes back (a request waiting for its body or its answer holds none).
     */
    private void flushed() {
        writeDeadline = 0;
        if ((interest & SelectionKey.OP_WRITE) != 0) {
            setInterest(interest & ~SelectionKey.OP_WRITE);
        }
        releaseHeadBuffer();
    }

    /** Writes what is queued; true when all went out. Arms the write deadline otherwise. */
    boolean flush() throws IOException {
        if (out.flush(transport)) {
            flushed();
            return true;
        }
        writeDeadline = loop.now + peer.writeTimeoutNanos();
        deadline.want(writeDeadline);
        setInterest(interest | SelectionKey.OP_WRITE);
        return false;
    }

    /** A pooled head buffer for the request head. */
    ByteBuffer headBuffer(int needed) {
        if (needed > loop.smallBuffers.bufferSize()) {
            return ByteBuffer.allocate(needed); // a head over 4 KiB: rare, its own buffer
        }
        if (headLease == null) {
            headLease = loop.smallBuffers.acquire();
        }
        return headLease.buf.clear();
    }

    void pauseRead() {
        if (!readPaused) {
            readPaused = true;
            setInterest(interest & ~SelectionKey.OP_READ);
        }
    }

    void resumeRead() {
        if (readPaused) {
            readPaused = false;
            setInterest(interest | SelectionKey.OP_READ);
            if (awaitingRead) {
                // the wait for the client does not count against the origin
                readDeadline = loop.now + peer.readTimeoutNanos();
                deadline.want(readDeadline);
            }
        }
    }

    /** Starts the read timeout: the request is sent and the owner waits for the response. */
    void awaitResponse() {
        awaitingRead = true;
        readDeadline = loop.now + peer.readTimeoutNanos();
        deadline.want(readDeadline);
    }

    void setInterest(int ops) {
        if (ops != interest && key != null && key.isValid()) {
            boolean readOn = (ops & ~interest & SelectionKey.OP_READ) != 0;
            interest = ops;
            key.interestOps(ops);
            if (readOn) {
                transport.readResumed();
            }
        }
    }

    // ------------------------------------------------------------------ deadlines

    @Override
    public long currentDeadline() {
        switch (state) {
            case CONNECTING:
                return connectDeadline;
            case IDLE:
                return idleDeadline;
            case ACTIVE:
                if (writeDeadline != 0) {
                    return writeDeadline;
                }
                return awaitingRead && !readPaused ? readDeadline : 0;
            default:
                return 0;
        }
    }

    @Override
    public void onDeadline(long nowNanos) {
        switch (state) {
            case CONNECTING:
                dialFailed(ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECT_TIMEOUT,
                        "connect to " + peer.address() + " timed out"));
                break;
            case IDLE:
                loop.upstreams.discard(this);
                break;
            case ACTIVE:
                boolean write = writeDeadline != 0;
                exchange.timedOut(ProxyError.of(ProxyError.Source.UPSTREAM,
                        write ? ProxyError.Kind.WRITE_TIMEOUT : ProxyError.Kind.READ_TIMEOUT,
                        (write ? "write to " : "read from ") + peer.address() + " timed out"));
                break;
            default:
                break;
        }
    }

    // ------------------------------------------------------------------ life

    /** Ready to idle in the pool: nothing buffered, nothing pending, the response fully read. */
    boolean reusable() {
        return state == State.ACTIVE && !out.pending() && input.empty() && parser.idle()
                && !transport.hasBufferedInput();
    }

    /** Bytes were received that no exchange has read: the connection must not be reused. */
    boolean hasUnreadInput() {
        return !input.empty() || transport.hasBufferedInput();
    }

    /** Gives the buffers back while idle: an idle connection holds none. */
    void releaseBuffers() {
        input.releaseIfEmpty();
        releaseHeadBuffer();
    }

    private void releaseHeadBuffer() {
        if (headLease != null) {
            loop.smallBuffers.release(headLease);
            headLease = null;
        }
    }

    void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        loop.upstreams.closed(this);
        owner = null;
        deadline.cancel();
        out.clear();
        if (key != null) {
            key.cancel();
        }
        transport.close();
        input.release();
        releaseHeadBuffer();
    }
}
