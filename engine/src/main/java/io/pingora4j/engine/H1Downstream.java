package io.pingora4j.engine;

import io.pingora4j.codec.h1.BodyFraming;
import io.pingora4j.codec.h1.ChunkedEncoder;
import io.pingora4j.codec.h1.H1Error;
import io.pingora4j.codec.h1.H1Event;
import io.pingora4j.codec.h1.H1Writer;
import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.HttpParseException;
import io.pingora4j.codec.h1.KnownHeader;
import io.pingora4j.codec.h1.MessageHead;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.RequestParser;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.codec.h2.H2Limits;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.ProxyHttp;
import io.pingora4j.spi.TlsInfo;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.charset.StandardCharsets;

/**
 * A client connection speaking HTTP/1.1: reads requests, one at a time, and hands each to the
 * connection's {@link ProxySession} (reused from request to request, so a keep-alive request
 * allocates nothing for its session). Pipelined requests wait in the read buffer until the
 * response before them is done. As the session's {@link Downstream} it frames the response:
 * chunked coding or not, the Connection field, and whether the connection carries on
 * (RFC 9112 §6, §9.3).
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
final class H1Downstream implements ClientConnection, Downstream, IoHandler, Deadline.Owner, TlsTransport.HandshakeListener {

    /** Most request-body bytes read and dropped to keep a connection after an early answer. */
    private static final long MAX_DRAIN = 64 * 1024;
    private static final byte[] CONTINUE_100 = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** CLOSING: the last bytes are going out; LINGERING: they went out, and what the client still sends is read and dropped. */
    enum State { IDLE, READING_HEAD, IN_REQUEST, CLOSING, LINGERING, CLOSED }

    final EventLoop loop;
    final Transport transport;
    final InetSocketAddress remote;
    private InetSocketAddress local;
    final Deadline deadline;
    /** The parser, session and output while a request is on the connection; null while idle. */
    private H1Exchange x;
    private final ProxyHttp<Object> proxy;
    /** HTTP/2 limits when the listener speaks HTTP/2 too (h2c preface, ALPN "h2"); null: HTTP/1.1 only. */
    private final H2Limits h2;
    SelectionKey key;
    State state = State.IDLE;
    final InputBuffer input;
    private BufferPool.Lease headLease;
    /** The response to the current request goes in chunked coding. */
    private boolean chunked;
    /** The current response allows the connection to carry on (the session may still say no). */
    private boolean keepAlive;
    private boolean tunnel;
    int requests;
    int interest = SelectionKey.OP_READ;
    boolean readEof;
    /** The request in flight was read to its end (no body left unread on the connection). */
    private boolean requestReadWhole;
    boolean draining;
    long idleDeadline;
    long headDeadline;
    long writeDeadline;
    long bodyDeadline;
    long lingerDeadline;
    private String clientIp;

    H1Downstream(EventLoop loop, Transport transport, InetSocketAddress remote, ProxyHttp<Object> proxy, H2Limits h2) {
        this.loop = loop;
        this.proxy = proxy;
        this.h2 = h2;
        this.transport = transport;
        this.remote = remote;
        this.deadline = new Deadline(loop.timers, this);
        this.input = new InputBuffer(loop.smallBuffers, loop.buffers, loop.options.limits().maxHeadBytes());
    }

    /** The exchange, taken from the loop's pool when a request starts arriving. */
    private H1Exchange x() {
        if (x == null) {
            x = loop.exchanges.acquire(this, proxy);
        }
        return x;
    }

    /** Gives the exchange back: nothing of a request is left on the connection. */
    private void releaseExchange() {
        if (x != null) {
            H1Exchange e = x;
            x = null;
            loop.exchanges.release(e);
        }
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
        TlsInfo info = transport.tlsInfo();
        if (h2 != null && info != null && "h2".equals(info.alpn())) {
            switchToH2();
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

    @Override
    public String clientIp() {
        if (clientIp == null) {
            clientIp = remote.getAddress().getHostAddress();
        }
        return clientIp;
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public RequestHead requestHead() {
        return x.parser.head();
    }

    @Override
    public String protocol() {
        return x.parser.head().version() == MessageHead.HTTP_1_0 ? "HTTP/1.0" : "HTTP/1.1";
    }

    @Override
    public int streamId() {
        return 0;
    }

    @Override
    public InetSocketAddress remote() {
        return remote;
    }

    @Override
    public InetSocketAddress local() {
        if (local == null) {
            try {
                local = (InetSocketAddress) transport.channel().getLocalAddress(); // asked for rarely: not kept per idle connection
            } catch (IOException e) {
                return null;
            }
        }
        return local;
    }

    @Override
    public TlsInfo tls() {
        return transport.tlsInfo();
    }

    @Override
    public int requestNumber() {
        return requests;
    }

    @Override
    public boolean draining() {
        return draining;
    }

    // ------------------------------------------------------------------ reading

    @Override
    public void onReadable() {
        if (state == State.CLOSED) {
            return;
        }
        if (state == State.LINGERING) {
            if (Lingering.discard(input, transport)) {
                close();
            }
            return;
        }
        if (state == State.IN_REQUEST && !x.session.acceptsRequestBytes()) {
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

    @Override
    public void resumeRequest() {
        process();
    }

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

    /** Hands the connection to HTTP/2: ALPN chose "h2", or the h2c preface arrived. */
    private void switchToH2() {
        state = State.CLOSED; // the socket, its key and the bytes read so far now belong to the h2 side
        deadline.cancel();
        if (headLease != null) {
            loop.smallBuffers.release(headLease);
            headLease = null;
        }
        releaseExchange();
        H2Downstream d = new H2Downstream(loop, transport, key, remote, local(), proxy, h2, input);
        loop.connectionReplaced(this, d);
        d.start();
    }

    /** The HTTP/2 connection preface (RFC 9113 §3.4) a client with prior knowledge starts with. */
    private static final byte[] H2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** 1: the h2c preface is here; 0: the bytes so far could be it; -1: not HTTP/2. */
    private static int matchPreface(ByteBuffer in) {
        int n = Math.min(in.remaining(), H2_PREFACE.length);
        for (int i = 0; i < n; i++) {
            if (in.get(in.position() + i) != H2_PREFACE[i]) {
                return -1;
            }
        }
        return n == H2_PREFACE.length ? 1 : 0;
    }

    private void processBuffered() {
        if (h2 != null && requests == 0 && state == State.IDLE && transport.tlsInfo() == null
                && input.bytes() != null && input.bytes().hasRemaining()) {
            int m = matchPreface(input.bytes());
            if (m > 0) {
                switchToH2();
                return;
            }
            if (m == 0) {
                setRead(true); // a prefix of the preface: wait for the rest
                return;
            }
        }
        while (state == State.IDLE || state == State.READING_HEAD || state == State.IN_REQUEST) {
            if (state == State.IN_REQUEST && !x.session.acceptsRequestBytes()) {
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
            H1Exchange x = x(); // bytes of a request: it needs a parser and a session now
            try {
                e = x.parser.next(in);
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
                        if (input.empty()) {
                            releaseExchange(); // blank lines before a request: nothing to keep
                        }
                    } else if (state == State.IN_REQUEST && !tunnel && x.session.acceptsRequestBytes()) {
                        // a body under way with nothing left unread: the origin side took what came
                        // (it accepts more only once no chunk of ours is still queued), so the buffer
                        // goes back until more arrives; a client that pauses mid-body holds none
                        input.releaseIfEmpty();
                    }
                    setRead(true);
                    return;
                case HEAD:
                    x.parser.head().detach();
                    state = State.IN_REQUEST;
                    requestReadWhole = false;
                    chunked = false;
                    keepAlive = false;
                    requests++;
                    loop.stats.requests++;
                    headDeadline = 0;
                    idleDeadline = 0;
                    bodyDeadline = loop.now + loop.options.headerReadTimeout().toNanos();
                    deadline.want(bodyDeadline);
                    x.session.onRequestHead();
                    break;
                case BODY:
                    x.session.onRequestBody(input.slice(x.parser.bodyStart(), x.parser.bodyLength()));
                    break;
                case TRAILERS:
                    x.session.onRequestTrailers(x.parser.trailers()); // valid until END, next in this loop
                    break;
                case END:
                    bodyDeadline = 0;
                    requestReadWhole = true;
                    x.session.onRequestEnd();
                    break;
                default:
                    break;
            }
        }
    }

    private void badRequest(HttpParseException ex) {
        ProxyError err = ProxyError.of(ProxyError.Source.DOWNSTREAM, ProxyError.Kind.INVALID_HTTP, ex.status(),
                ex.error().reason());
        if (state == State.IN_REQUEST) {
            x.session.onDownstreamError(err);
        } else if (h2 != null && requests == 0 && transport.tlsInfo() == null && notHttp1(ex.error())) {
            // an h2c listener: a first line that is not HTTP/1.x at all may be a broken HTTP/2
            // preface; an HTTP/1.1 answer would be garbage to that client, so just close (as an
            // HTTP/2-only listener would, RFC 9113 §3.4)
            close();
        } else {
            // no session yet: answer the codec's status and close (RFC 9112 §11.2)
            rejectMalformed(err);
        }
    }

    private static boolean notHttp1(H1Error e) {
        return e == H1Error.INVALID_REQUEST_LINE || e == H1Error.INVALID_VERSION || e == H1Error.UNSUPPORTED_VERSION
                || e == H1Error.INVALID_METHOD;
    }

    private void rejectMalformed(ProxyError err) {
        requestReadWhole = false; // the rest of it may still be on its way: linger
        requests++;
        state = State.IN_REQUEST;
        x().session.rejectMalformed(err);
        closeAfterFlush();
    }

    private void onEof() {
        readEof = true;
        if (state == State.IDLE || (state == State.READING_HEAD && x.parser.idle())) {
            close();
            return;
        }
        if (state == State.READING_HEAD) {
            close(); // a head cut short: nobody to answer
            return;
        }
        if (state == State.IN_REQUEST) {
            x.session.onDownstreamEof();
            if (x.session.done() && state == State.IN_REQUEST) {
                close(); // the session gave up on the client
            }
        }
    }

    // ------------------------------------------------------------------ the response (Downstream)

    @Override
    public boolean mayDiscardRestOfBody(long bodyBytesRead) {
        RequestHead r = x.parser.head();
        if (!r.keepAlive() || draining) {
            return false; // the connection ends with this response anyway
        }
        BodyFraming f = r.framing();
        return f == BodyFraming.NONE || (f == BodyFraming.CONTENT_LENGTH && r.contentLength() - bodyBytesRead <= MAX_DRAIN);
    }

    @Override
    public void sendContinue() {
        x.out.add(ByteBuffer.wrap(CONTINUE_100)); // rare: its own small buffer
        flush();
    }

    @Override
    public void sendInterim(ResponseHead h) {
        // its own buffer: the final head must not overwrite it while it is still queued
        ByteBuffer b = ByteBuffer.allocate(H1Writer.responseHeadLength(h)); // interim heads are rare
        H1Writer.writeResponseHead(h, b);
        x.out.add(b.flip());
        flush();
    }

    @Override
    public void sendResponseHead(ResponseHead h, boolean noBody, boolean sessionKeepAlive) {
        RequestHead r = x.parser.head();
        boolean client11 = r.version() == MessageHead.HTTP_1_1;
        boolean keep = sessionKeepAlive && r.keepAlive() && !draining;
        chunked = false;
        if (!noBody && h.framing() == BodyFraming.CHUNKED) {
            if (client11) {
                chunked = true;
            } else {
                // an HTTP/1.0 client cannot read chunked coding: send until close
                h.headers().removeKind(KnownHeader.TRANSFER_ENCODING);
                keep = false;
            }
        }
        if (h.status() != 101) {
            if (!keep) {
                h.headers().set("Connection", "close");
            } else if (!client11) {
                h.headers().set("Connection", "keep-alive");
            }
        } else {
            keep = false;
        }
        keepAlive = keep;
        // queued: it goes out with the first body run (one gathering write), or at the next flush
        ByteBuffer b = headBuffer(H1Writer.responseHeadLength(h));
        H1Writer.writeResponseHead(h, b);
        x.out.add(b.flip());
    }

    @Override
    public void sendBody(ByteBuffer chunk) {
        queueBody(chunk);
        // every body run is a window on a read buffer and shares the framing buffers: it goes
        // out now (with the head, when the head is still queued: one gathering write)
        flush();
    }

    /** Queued without a flush: {@link #sendEnd}, next in the same call, writes it with the end. */
    @Override
    public void sendLastBody(ByteBuffer chunk) {
        queueBody(chunk);
    }

    private void queueBody(ByteBuffer chunk) {
        if (chunked && !tunnel) {
            x.framing.addChunk(x.out, chunk);
        } else {
            x.out.add(chunk);
        }
    }

    @Override
    public void sendEnd(HeaderBlock trailers) {
        if (chunked) {
            if (trailers != null && trailers.size() > 0) {
                ByteBuffer b = ByteBuffer.allocate(ChunkedEncoder.lastChunkLength(trailers)); // trailers are rare
                ChunkedEncoder.writeLastChunk(trailers, b);
                x.out.add(b.flip());
            } else {
                x.out.add(x.framing.lastChunk());
            }
        }
        flush();
    }

    @Override
    public boolean stalled() {
        return x.out.stalled();
    }

    @Override
    public boolean pending() {
        return x.out.pending();
    }

    @Override
    public void finished(boolean reusable) {
        requestFinished(keepAlive && reusable);
    }

    @Override
    public void abort() {
        close();
    }

    @Override
    public boolean supportsTunnel() {
        return true;
    }

    @Override
    public void startTunnel() {
        tunnel = true;
        requestReadWhole = false; // the client speaks on: its bytes are the tunnel's, not a request's
        x.parser.switchToTunnel();
    }

    @Override
    public void endTunnel() {
        closeAfterFlush();
    }

    // ------------------------------------------------------------------ writing

    /** A buffer to serialise a response head into ({@code needed} bytes). */
    private ByteBuffer headBuffer(int needed) {
        if (needed > loop.smallBuffers.bufferSize()) {
            return ByteBuffer.allocate(needed); // a head over 4 KiB: rare, its own buffer
        }
        if (headLease == null) {
            headLease = loop.smallBuffers.acquire();
        }
        return headLease.buf.clear();
    }

    /** Writes what is queued; else OP_WRITE is armed. */
    @Override
    public void flush() {
        flushOut();
    }

    /** Writes what is queued; true when all went out, else OP_WRITE is armed. */
    private boolean flushOut() {
        try {
            if (x == null || x.out.flush(transport)) {
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
        if (flushOut() && state != State.CLOSED) {
            if (state == State.CLOSING) {
                linger();
            } else if (state != State.LINGERING) {
                if (x != null) {
                    x.session.onDownstreamDrained();
                }
            }
        }
    }

    private void clientGone(String why) {
        if (state == State.IN_REQUEST) {
            x.session.onDownstreamGone(ProxyError.of(ProxyError.Source.DOWNSTREAM, ProxyError.Kind.CONNECTION_CLOSED,
                    "client connection lost: " + why));
        }
        close();
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
        if (!keepAlive || readEof || (draining && loop.drainIdleLingerNanos == 0)) {
            closeAfterFlush();
            return;
        }
        state = State.IDLE;
        requestReadWhole = false; // whatever comes next is unread until its END
        tunnel = false;
        bodyDeadline = 0;
        idleDeadline = loop.now + loop.options.keepAliveTimeout().toNanos();
        if (draining) {
            // handing over, and this response's head promised keep-alive (it went out before the
            // drain began): the client may send another request at once, which must be answered
            // (with Connection: close), not met by a closed socket
            idleDeadline = Math.min(loop.now + loop.drainIdleLingerNanos, loop.drainDeadline());
        }
        deadline.want(idleDeadline);
        if (headLease != null && !x.out.pending()) {
            loop.smallBuffers.release(headLease);
            headLease = null;
        }
        input.releaseIfEmpty();
        if (input.empty() && !x.out.pending()) {
            releaseExchange(); // an idle connection holds no parser, session or buffers
        }
        // a pipelined request may already be buffered
        process();
    }

    void closeAfterFlush() {
        if (state == State.CLOSED) {
            return;
        }
        if (state == State.LINGERING) {
            return;
        }
        if (x != null && x.out.pending()) {
            state = State.CLOSING;
            setInterest(SelectionKey.OP_WRITE);
        } else {
            linger();
        }
    }

    /**
     * The last bytes went out: half-close and read (and drop) what the client still sends for a
     * moment before closing, as nginx's lingering close does. Closing with unread bytes would
     * reset the connection, and a client still sending its body could lose the answer (a 413, a
     * 400) before it reads it.
     */
    private void linger() {
        if (readEof || state == State.CLOSED) {
            close();
            return;
        }
        releaseExchange();
        if (requestReadWhole && input.empty()) {
            // the request was read to its end and nothing came after it: nothing unread to make the
            // kernel reset the connection, so close now, as nginx does (a half-close, a wake-up
            // and a read per connection saved on every `Connection: close`)
            close();
            return;
        }
        if (!Lingering.start(transport)) {
            close();
            return;
        }
        state = State.LINGERING;
        writeDeadline = 0;
        lingerDeadline = loop.now + Lingering.TIMEOUT_NANOS;
        deadline.want(lingerDeadline);
        setInterest(SelectionKey.OP_READ);
        if (Lingering.discard(input, transport)) {
            close();
        }
    }

    /**
     * Graceful shutdown: close now if idle (or, when the loop hands over to another process, once
     * idle for its linger), else after the request in flight, whose response says
     * {@code Connection: close}.
     */
    @Override
    public ProxyHttp<Object> proxy() {
        return proxy;
    }

    @Override
    public void drain() {
        draining = true;
        if (state == State.LINGERING) {
            return;
        }
        if (state == State.IDLE && loop.drainIdleLingerNanos > 0) {
            // handing over: a request already on its way is answered (Connection: close) rather than
            // reset; a client that sends nothing is closed when the linger ends
            long end = Math.min(loop.now + loop.drainIdleLingerNanos, loop.drainDeadline());
            if (idleDeadline == 0 || end - idleDeadline < 0) {
                idleDeadline = end;
            }
            deadline.want(idleDeadline);
            return;
        }
        if (state == State.IDLE || (state == State.READING_HEAD && x.parser.idle())) {
            close();
        }
    }

    /** Closes at once, dropping whatever is queued (used when the loop shuts down). */
    @Override
    public void shutdownNow() {
        if (state == State.IN_REQUEST) {
            x.session.onDownstreamGone(ProxyError.of(ProxyError.Source.INTERNAL, ProxyError.Kind.INTERNAL,
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
        if (x != null) {
            x.out.clear();
        }
        releaseExchange();
        if (key != null) {
            key.cancel();
        }
        transport.close();
        input.release();
        if (headLease != null) {
            loop.smallBuffers.release(headLease);
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
                return x.session.acceptsRequestBytes() ? bodyDeadline : 0;
            case LINGERING:
                return lingerDeadline;
            default:
                return 0;
        }
    }

    @Override
    public void onDeadline(long nowNanos) {
        if (writeDeadline != 0 && nowNanos - writeDeadline >= 0) {
            // the client does not take our bytes
            if (state == State.IN_REQUEST) {
                x.session.onDownstreamGone(ProxyError.of(ProxyError.Source.DOWNSTREAM, ProxyError.Kind.WRITE_TIMEOUT,
                        "client did not read the response in time"));
            }
            close();
            return;
        }
        switch (state) {
            case IDLE:
            case LINGERING:
                close();
                break;
            case READING_HEAD:
                rejectMalformed(ProxyError.of(ProxyError.Source.DOWNSTREAM, ProxyError.Kind.READ_TIMEOUT, 408,
                        "request head not received in time"));
                break;
            case IN_REQUEST:
                x.session.onDownstreamError(ProxyError.of(ProxyError.Source.DOWNSTREAM, ProxyError.Kind.READ_TIMEOUT, 408,
                        "request body not received in time"));
                break;
            default:
                break;
        }
    }
}
