package io.pingora4j.engine;

import io.pingora4j.codec.h1.H1Event;
import io.pingora4j.codec.h1.HttpParseException;
import io.pingora4j.codec.h1.RequestParser;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.ProxyHttp;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;

/**
 * A client connection speaking HTTP/1.1: reads requests, one at a time, and hands each to the
 * connection's {@link ProxySession} (reused from request to request, so a keep-alive request
 * allocates nothing for its session). Pipelined requests wait in the read buffer until the
 * response before them is done.
 *
 * <p>Reading stops (OP_READ cleared) whenever the session cannot take request bytes — upstream
 * not connected yet, upstream not taking bytes, or the request is complete — so a client that
 * sends faster than the origin takes costs no memory beyond the read buffer.
 *
 * <p>Over TLS the connection starts once the handshake is done ({@link #tlsReady}); until then
 * its transport holds the selection key.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class H1Downstream implements IoHandler, Deadline.Owner, TlsTransport.HandshakeListener {

    enum State { IDLE, READING_HEAD, IN_REQUEST, CLOSING, CLOSED }

    final EventLoop loop;
    final Transport transport;
    final InetSocketAddress remote;
    final InetSocketAddress local;
    final RequestParser parser;
    final Outbound out = new Outbound();
    final FramingBuffers framing = new FramingBuffers();
    final Deadline deadline;
    final ProxySession session;
    SelectionKey key;
    State state = State.IDLE;
    final InputBuffer input;
    private BufferPool.Lease headLease;
    int requests;
    int interest = SelectionKey.OP_READ;
    boolean readEof;
    boolean draining;
    long idleDeadline;
    long headDeadline;
    long writeDeadline;
    long bodyDeadline;
    private String clientIp;

    H1Downstream(EventLoop loop, Transport transport, InetSocketAddress remote, InetSocketAddress local,
                 ProxyHttp<Object> proxy) {
        this.loop = loop;
        this.transport = transport;
        this.remote = remote;
        this.local = local;
        this.parser = new RequestParser(loop.options.limits());
        this.deadline = new Deadline(loop.timers, this);
        this.input = new InputBuffer(loop.buffers, loop.options.limits().maxHeadBytes());
        this.session = new ProxySession(this, proxy);
    }

    void start() {
        idleDeadline = loop.now + loop.options.headerReadTimeout().toNanos();
        deadline.want(idleDeadline);
    }

    @Override
    public void tlsReady() {
        if (state == State.CLOSED) {
            return;
        }
        key.attach(this);
        key.interestOps(interest);
        start();
    }

    @Override
    public void tlsFailed(IOException cause, boolean timedOut) {
        close();
    }

    String clientIp() {
        if (clientIp == null) {
            clientIp = remote.getAddress().getHostAddress();
        }
        return clientIp;
    }

    // ------------------------------------------------------------------ reading

    @Override
    public void onReadable() {
        if (state == State.CLOSED) {
            return;
        }
        if (!session.acceptsRequestBytes() && state == State.IN_REQUEST) {
            setRead(false);
            return;
        }
        int n;
        try {
            n = readSocket();
        } catch (IOException e) {
            clientGone(e.getMessage());
            return;
        }
        if (n < 0) {
            onEof();
            return;
        }
        if (n > 0 && state == State.IN_REQUEST) {
            bodyDeadline = loop.now + loop.options.headerReadTimeout().toNanos();
        }
        process();
    }

    private int readSocket() throws IOException {
        return input.read(transport);
    }

    private boolean processing;
    private boolean processAgain;

    /**
     * Parses and dispatches what is buffered, as far as the session can take it. Re-entrant calls
     * (a phase that finishes a request from inside this loop) become another turn of the outer
     * loop, so pipelined requests answered locally do not deepen the stack.
     */
    void process() {
        if (processing) {
            processAgain = true;
            return;
        }
        processing = true;
        try {
            do {
                processAgain = false;
                processBuffered();
            } while (processAgain);
        } finally {
            processing = false;
        }
    }

    private void processBuffered() {
        while (state != State.CLOSED && state != State.CLOSING) {
            if (state == State.IN_REQUEST && !session.acceptsRequestBytes()) {
                // OP_READ stays on: it is cleared only if bytes arrive that cannot be taken yet
                // (onReadable), which saves two epoll_ctl calls on every ordinary request
                return;
            }
            ByteBuffer in = input.bytes();
            if (in == null) {
                setRead(true);
                return;
            }
            H1Event e;
            try {
                e = parser.next(in);
            } catch (HttpParseException ex) {
                badRequest(ex);
                return;
            }
            switch (e) {
                case NEED_MORE:
                    if (readEof) {
                        onEof();
                        return;
                    }
                    if (state == State.IDLE && in.hasRemaining()) {
                        state = State.READING_HEAD;
                        headDeadline = loop.now + loop.options.headerReadTimeout().toNanos();
                        deadline.want(headDeadline);
                    }
                    if (state == State.IDLE) {
                        input.releaseIfEmpty();
                    }
                    setRead(true);
                    return;
                case HEAD:
                    parser.head().detach();
                    state = State.IN_REQUEST;
                    requests++;
                    loop.stats.requests++;
                    headDeadline = 0;
                    idleDeadline = 0;
                    bodyDeadline = loop.now + loop.options.headerReadTimeout().toNanos();
                    deadline.want(bodyDeadline);
                    session.onRequestHead();
                    break;
                case BODY:
                    session.onRequestBody(parser.bodyStart(), parser.bodyLength());
                    break;
                case TRAILERS:
                    break; // request trailers are not forwarded
                case END:
                    bodyDeadline = 0;
                    session.onRequestEnd();
                    break;
                default:
                    break;
            }
        }
    }

    /** A body run of the read buffer, as a view valid until the next read. */
    ByteBuffer slice(int start, int length) {
        return input.slice(start, length);
    }

    private void badRequest(HttpParseException ex) {
        ProxyError err = ProxyError.of(ProxyError.Source.DOWNSTREAM, ProxyError.Kind.INVALID_HTTP, ex.status(),
                ex.error().reason());
        if (state == State.IN_REQUEST) {
            session.onDownstreamError(err);
        } else {
            // no session yet: answer the codec's status and close (RFC 9112 §11.2)
            requests++;
            session.rejectMalformed(err);
        }
    }

    private void onEof() {
        readEof = true;
        if (state == State.IDLE || (state == State.READING_HEAD && parser.idle())) {
            close();
            return;
        }
        if (state == State.READING_HEAD) {
            close(); // a head cut short: nobody to answer
            return;
        }
        if (state == State.IN_REQUEST) {
            session.onDownstreamEof();
        }
    }

    // ------------------------------------------------------------------ writing

    /** A buffer to serialise a response head into ({@code needed} bytes). */
    ByteBuffer headBuffer(int needed) {
        if (needed > loop.buffers.bufferSize()) {
            return ByteBuffer.allocate(needed);
        }
        if (headLease == null) {
            headLease = loop.buffers.acquire();
        }
        return headLease.buf.clear();
    }

    /** Writes what is queued; true when all went out, else OP_WRITE is armed. */
    boolean flush() {
        try {
            if (out.flush(transport)) {
                writeDeadline = 0;
                if ((interest & SelectionKey.OP_WRITE) != 0) {
                    setInterest(interest & ~SelectionKey.OP_WRITE);
                }
                return true;
            }
        } catch (IOException e) {
            clientGone(e.getMessage());
            return false;
        }
        writeDeadline = loop.now + loop.options.writeTimeout().toNanos();
        deadline.want(writeDeadline);
        setInterest(interest | SelectionKey.OP_WRITE);
        return false;
    }

    @Override
    public void onWritable() {
        if (flush() && state != State.CLOSED) {
            if (state == State.CLOSING) {
                close();
            } else {
                session.onDownstreamDrained();
            }
        }
    }

    private void clientGone(String why) {
        if (state == State.IN_REQUEST) {
            session.onDownstreamGone(ProxyError.of(ProxyError.Source.DOWNSTREAM, ProxyError.Kind.CONNECTION_CLOSED,
                    "client connection lost: " + why));
        } else {
            close();
        }
    }

    // ------------------------------------------------------------------ between requests

    /**
     * The request is over (logged). Keep the connection for the next one, or close it once what is
     * queued has gone out.
     */
    void requestFinished(boolean keepAlive) {
        if (state == State.CLOSED) {
            return;
        }
        if (!keepAlive || draining || readEof) {
            closeAfterFlush();
            return;
        }
        state = State.IDLE;
        bodyDeadline = 0;
        idleDeadline = loop.now + loop.options.keepAliveTimeout().toNanos();
        deadline.want(idleDeadline);
        if (headLease != null && !out.pending()) {
            loop.buffers.release(headLease);
            headLease = null;
        }
        input.releaseIfEmpty();
        // a pipelined request may already be buffered
        process();
    }

    void closeAfterFlush() {
        if (state == State.CLOSED) {
            return;
        }
        if (out.pending()) {
            state = State.CLOSING;
            setInterest(SelectionKey.OP_WRITE);
        } else {
            close();
        }
    }

    /** Graceful shutdown: close now if idle, else after the request in flight. */
    void drain() {
        draining = true;
        if (state == State.IDLE || (state == State.READING_HEAD && parser.idle())) {
            close();
        }
    }

    /** Closes at once, dropping whatever is queued (used when the loop shuts down). */
    void abort() {
        if (state == State.IN_REQUEST) {
            session.onDownstreamGone(ProxyError.of(ProxyError.Source.INTERNAL, ProxyError.Kind.INTERNAL,
                    "server shutting down"));
        }
        close();
    }

    void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        deadline.cancel();
        out.clear();
        if (key != null) {
            key.cancel();
        }
        transport.close();
        input.release();
        if (headLease != null) {
            loop.buffers.release(headLease);
            headLease = null;
        }
        loop.connectionClosed(this);
    }

    void setRead(boolean on) {
        setInterest(on ? interest | SelectionKey.OP_READ : interest & ~SelectionKey.OP_READ);
    }

    private void setInterest(int ops) {
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
        if (writeDeadline != 0) {
            return writeDeadline;
        }
        switch (state) {
            case IDLE:
                return idleDeadline;
            case READING_HEAD:
                return headDeadline;
            case IN_REQUEST:
                return session.acceptsRequestBytes() ? bodyDeadline : 0;
            default:
                return 0;
        }
    }

    @Override
    public void onDeadline(long nowNanos) {
        if (writeDeadline != 0 && nowNanos - writeDeadline >= 0) {
            // the client does not take our bytes
            if (state == State.IN_REQUEST) {
                session.onDownstreamGone(ProxyError.of(ProxyError.Source.DOWNSTREAM, ProxyError.Kind.WRITE_TIMEOUT,
                        "client did not read the response in time"));
            }
            close();
            return;
        }
        switch (state) {
            case IDLE:
                close();
                break;
            case READING_HEAD:
                requests++;
                session.rejectMalformed(ProxyError.of(ProxyError.Source.DOWNSTREAM, ProxyError.Kind.READ_TIMEOUT, 408,
                        "request head not received in time"));
                break;
            case IN_REQUEST:
                session.onDownstreamError(ProxyError.of(ProxyError.Source.DOWNSTREAM, ProxyError.Kind.READ_TIMEOUT, 408,
                        "request body not received in time"));
                break;
            default:
                break;
        }
    }
}
