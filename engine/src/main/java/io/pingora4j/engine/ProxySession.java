package io.pingora4j.engine;

import io.pingora4j.codec.h1.BodyFraming;
import io.pingora4j.codec.h1.H1Event;
import io.pingora4j.codec.h1.H1Writer;
import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.HttpMethod;
import io.pingora4j.codec.h1.HttpParseException;
import io.pingora4j.codec.h1.MessageHead;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.FailToProxy;
import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.ProxyHttp;
import io.pingora4j.spi.Session;
import io.pingora4j.spi.TlsInfo;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's journey through the proxy: runs the {@link ProxyHttp} phases in order, connects
 * upstream (retrying what may be retried), streams the request body up and the response down,
 * and logs exactly once. Reused from request to request (HTTP/1.1: one per connection; HTTP/2:
 * one per stream).
 *
 * <p>The session is protocol-neutral: the client side is a {@link Downstream} (an HTTP/1.1
 * connection or an HTTP/2 stream) that frames what the session sends; the origin side is an
 * HTTP/1.1 {@link UpstreamConnection}. It is driven by events from both and never blocks: a
 * deferred phase or an upstream connect parks it, and the loop runs other sessions meanwhile.
 *
 * <p>Where the request is: {@link Phase}; how far its body has been read: {@link RequestBody};
 * how far the response has gone: {@link Response}.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class ProxySession implements Session {

    private static final Logger LOG = LoggerFactory.getLogger(ProxySession.class);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    enum Phase { IDLE, FILTERS, DEFERRED, CONNECTING, PROXYING, LOCAL, TUNNEL, DONE }

    enum RequestBody {
        /** Not read yet: no upstream takes it (filters, deferral, connecting). */
        HELD,
        /** Streaming to the origin as it arrives. */
        TO_UPSTREAM,
        /** Held whole for an HTTP/1.0 origin ({@link BufferedRequestBody}). */
        BUFFERING,
        /** Read and dropped: the request was answered early, and the connection stays. */
        DISCARDING,
        /** Read to its end, or given up (the connection will not be reused). */
        COMPLETE
    }

    enum Response {
        NONE,
        /** An interim (1xx) response is being read: its end is not the end of the exchange. */
        INTERIM,
        /** The final head went to the client. */
        STARTED,
        COMPLETE
    }

    private Downstream down;
    private final EventLoop loop;
    private ProxyHttp<Object> proxy;
    private final UpstreamRequest upstreamRequest = new UpstreamRequest();
    private final RequestBodyReplay replay = new RequestBodyReplay();
    private final BufferedRequestBody bufferedBody = new BufferedRequestBody();
    private final ResponseHead localResponse = new ResponseHead();

    private Phase phase = Phase.IDLE;
    private RequestBody body = RequestBody.HELD;
    private Response resp = Response.NONE;
    private int generation;
    private Object ctx;
    private RequestHead request;
    private ResponseHead response;
    private UpstreamConnection up;
    private Tunnel tunnel;
    private HttpPeer peer;
    private boolean upstreamReused;
    private long upstreamConnectNanos = -1;
    private long upstreamTlsNanos = -1;
    private int attempts;
    private long startNanos;
    private Map<String, Object> attributes;
    private long requestBodyBytes;
    private long responseBodyBytes;
    private ProxyError error;

    private boolean noResponseBody;
    /** The session would keep the client connection (the downstream decides with its own rules too). */
    private boolean reuseDownstream;
    private boolean sentContinue;
    /** responseFilter is looking at an interim head; {@link #dropInterimResponse} may drop it. */
    private boolean filteringInterim;
    private boolean interimDropped;
    /** What the origin's final head said about the connection, before any edit of ours. */
    private boolean originKeepAlive;

    ProxySession(Downstream down, ProxyHttp<Object> proxy) {
        this.down = down;
        this.loop = down.loop();
        this.proxy = proxy;
    }

    ProxySession(EventLoop loop) {
        this.loop = loop;
    }

    /**
     * Serves requests of {@code down} with {@code proxy} from now on (a pooled session taken by
     * another connection). Only between requests: a late callback of an earlier request finds a
     * newer generation and does nothing.
     */
    void bind(Downstream down, ProxyHttp<Object> proxy) {
        if (phase != Phase.DONE && phase != Phase.IDLE) {
            throw new IllegalStateException("bind() while a request is in progress: " + phase);
        }
        this.down = down;
        this.proxy = proxy;
    }

    int generation() {
        return generation;
    }

    // ================================================================== request phases

    void onRequestHead() {
        begin();
        request = down.requestHead();
        try {
            ctx = proxy.newCtx();
            proxy.earlyRequestFilter(this, ctx);
            afterRequestFilter(proxy.requestFilter(this, ctx));
        } catch (Throwable t) {
            fail(asProxyError(t));
        }
    }

    private void begin() {
        generation++;
        phase = Phase.FILTERS;
        body = RequestBody.HELD;
        resp = Response.NONE;
        startNanos = loop.now;
        ctx = null;
        response = null;
        up = null;
        tunnel = null;
        peer = null;
        upstreamReused = false;
        attempts = 0;
        attributes = null;
        requestBodyBytes = 0;
        responseBodyBytes = 0;
        error = null;
        noResponseBody = false;
        reuseDownstream = true;
        sentContinue = false;
        filteringInterim = false;
        interimDropped = false;
        originKeepAlive = false;
        replay.reset();
        bufferedBody.reset();
    }

    private void afterRequestFilter(Action action) {
        if (action.deferred()) {
            phase = Phase.DEFERRED;
            int gen = generation;
            action.result().whenComplete((result, failure) -> loop.execute(() -> resume(gen, result, failure)));
            return;
        }
        if (action == Action.RESPONDED) {
            if (resp == Response.NONE) {
                throw ProxyError.of(ProxyError.Source.INTERNAL, ProxyError.Kind.INTERNAL,
                        "requestFilter returned RESPONDED without responding");
            }
            down.resumeRequest(); // drain a small request body, if any
            maybeFinish();
            return;
        }
        if (request.expectUnsupported()) {
            throw ProxyError.status(417, "unsupported expectation");
        }
        if (request.method() == HttpMethod.CONNECT && !down.supportsTunnel()) {
            throw ProxyError.status(405, "CONNECT tunnels are not offered over " + down.protocol());
        }
        startUpstream();
    }

    private void resume(int gen, Action result, Throwable failure) {
        if (gen == generation && phase == Phase.LOCAL && resp == Response.COMPLETE && failure == null) {
            // the deferred stage answered with respond() on this loop before completing (the way
            // Session#executor documents): the request ends as that answer, as it would in place
            down.resumeRequest();
            maybeFinish();
            return;
        }
        if (gen != generation || phase != Phase.DEFERRED) {
            return; // the request was ended meanwhile (client gone, timeout)
        }
        phase = Phase.FILTERS;
        try {
            if (failure != null) {
                throw failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            }
            afterRequestFilter(result == null ? Action.CONTINUE : result);
            down.resumeRequest(); // the request body may be waiting
        } catch (Throwable t) {
            fail(asProxyError(t));
        }
    }

    private void startUpstream() {
        attempts++;
        upstreamConnectNanos = -1;
        upstreamTlsNanos = -1;
        phase = Phase.CONNECTING;
        peer = proxy.upstreamPeer(this, ctx);
        if (peer == null) {
            throw ProxyError.of(ProxyError.Source.INTERNAL, ProxyError.Kind.NO_UPSTREAM, "no upstream peer");
        }
        UpstreamConnection c = attempts == 1 ? loop.upstreams.acquire(peer, this) : null;
        if (c != null) {
            upstreamReused = true;
            up = c;
            onUpstreamReady();
        } else {
            upstreamReused = false;
            loop.upstreams.connect(peer, this);
        }
    }

    /** A new connection is being dialled for this request. */
    void onDialStarted(UpstreamConnection c) {
        up = c;
    }

    void onUpstreamConnected(UpstreamConnection c) {
        if (c != up || phase != Phase.CONNECTING) {
            c.owner = null;
            loop.upstreams.release(c); // a fresh connection nobody waits for any more: keep it warm
            return;
        }
        try {
            onUpstreamReady();
        } catch (Throwable t) {
            fail(asProxyError(t));
        }
    }

    void onConnectFailed(UpstreamConnection c, ProxyError e) {
        if (phase != Phase.CONNECTING || (c != null && c != up)) {
            return;
        }
        up = null;
        ProxyError decided;
        try {
            decided = proxy.failToConnect(this, peer, ctx, e);
        } catch (Throwable t) {
            decided = asProxyError(t);
        }
        if (decided.retryable() && attempts < loop.options.maxAttempts() && replayable()) {
            retry();
            return;
        }
        fail(decided);
    }

    private void retry() {
        loop.stats.retries++;
        if (body != RequestBody.COMPLETE) {
            body = RequestBody.HELD; // until the next connection is ready
        }
        try {
            startUpstream();
        } catch (Throwable t) {
            fail(asProxyError(t));
        }
    }

    /**
     * The client has seen nothing, and everything taken from it can be sent again: no body yet, or
     * a body whose bytes were all kept for replay.
     */
    private boolean replayable() {
        return resp != Response.STARTED && resp != Response.COMPLETE
                && (requestBodyBytes == 0 || replay.holdsAll());
    }

    private void onUpstreamReady() {
        phase = Phase.PROXYING;
        if (!upstreamReused) {
            upstreamConnectNanos = up.tcpConnectNanos;
            upstreamTlsNanos = up.transport instanceof TlsTransport t ? t.handshakeNanos : -1;
        }
        proxy.connectedToUpstream(this, ctx, peer, upstreamReused);
        upstreamRequest.build(request, loop.options, clientIp(), scheme());
        proxy.upstreamRequestFilter(this, upstreamRequest.head, ctx);
        up.parser.reset();
        up.parser.expectResponseTo(request.method());
        boolean bodyDone = body == RequestBody.COMPLETE;
        if (upstreamRequest.chunked() && loop.upstreams.speaksHttp10(peer)) {
            // an HTTP/1.0 origin cannot read chunked coding: the head goes once the body is whole
            if (bufferedBody.length() == 0 && replay.view() != null) {
                bufferedBody.add(replay.view()); // a retry after an attempt that streamed
            }
            if (!bodyDone) {
                body = RequestBody.BUFFERING;
            }
            sendContinueIfExpected();
            if (bodyDone) {
                sendBufferedRequest();
            }
        } else {
            writeUpstreamHead();
            ByteBuffer again = replay.view();
            if (again != null) {
                sendToUpstream(again); // a retry: the body bytes the failed attempt sent go first
            }
            if (!bodyDone) {
                body = RequestBody.TO_UPSTREAM;
            }
            sendContinueIfExpected();
            if (bodyDone) {
                finishUpstreamRequest();
            }
        }
        if (flushUpstream()) {
            down.resumeRequest();
        }
    }

    private void writeUpstreamHead() {
        RequestHead h = upstreamRequest.head;
        ByteBuffer b = up.headBuffer(H1Writer.requestHeadLength(h));
        H1Writer.writeRequestHead(h, b);
        up.out.add(b.flip());
    }

    /**
     * nginx's way with {@code Expect: 100-continue}: the proxy answers 100 itself (Expect is not
     * forwarded), so a body is read only once the request passed the filters.
     */
    private void sendContinueIfExpected() {
        if (request.expectContinue() && hasRequestBody() && body != RequestBody.COMPLETE && !sentContinue
                && resp == Response.NONE) {
            sentContinue = true;
            down.sendContinue();
        }
    }

    private boolean hasRequestBody() {
        BodyFraming f = request.framing();
        return f == BodyFraming.CHUNKED || (f == BodyFraming.CONTENT_LENGTH && request.contentLength() > 0);
    }

    // ================================================================== request body

    /** Whether the downstream may deliver request bytes now. */
    boolean acceptsRequestBytes() {
        if (phase == Phase.TUNNEL) {
            return tunnel.acceptsClientBytes();
        }
        switch (body) {
            case DISCARDING:
                return true;
            case BUFFERING:
                return phase == Phase.PROXYING && up != null;
            case TO_UPSTREAM:
                return phase == Phase.PROXYING && up != null && !up.out.pending();
            default:
                return false;
        }
    }

    /** Request body bytes (or, in a tunnel, any bytes), valid only during the call. */
    void onRequestBody(ByteBuffer chunk) {
        if (phase == Phase.TUNNEL) {
            try {
                tunnel.fromClient(chunk);
            } catch (IOException e) {
                onUpstreamIoError(up, e);
            }
            return;
        }
        requestBodyBytes += chunk.remaining();
        if (body == RequestBody.DISCARDING) {
            return;
        }
        try {
            sendRequestBody(proxy.requestBodyFilter(this, chunk, false, ctx), body);
        } catch (Throwable t) {
            fail(asProxyError(t));
        }
    }

    /** Body bytes after the filters: streamed upstream, or held for an HTTP/1.0 origin ({@code mode}). */
    private void sendRequestBody(ByteBuffer chunk, RequestBody mode) {
        if (chunk == null || !chunk.hasRemaining() || up == null) {
            return;
        }
        replay.record(chunk, request.method().idempotent());
        if (mode == RequestBody.BUFFERING) {
            bufferedBody.add(chunk);
            return;
        }
        sendToUpstream(chunk);
        flushUpstream();
    }

    private void sendToUpstream(ByteBuffer chunk) {
        if (upstreamRequest.chunked()) {
            up.out.add(up.framing.chunkHeader(chunk.remaining()));
            up.out.add(chunk);
            up.out.add(up.framing.crlf());
        } else {
            up.out.add(chunk);
        }
    }

    void onRequestEnd() {
        RequestBody was = body;
        body = RequestBody.COMPLETE;
        if (was == RequestBody.DISCARDING) {
            maybeFinish();
            return;
        }
        if (phase != Phase.PROXYING) {
            return; // answered locally or failed; nothing goes upstream
        }
        try {
            ByteBuffer last = proxy.requestBodyFilter(this, EMPTY, true, ctx);
            if (last != EMPTY) {
                sendRequestBody(last, was);
            }
            if (was == RequestBody.BUFFERING) {
                sendBufferedRequest();
            } else {
                finishUpstreamRequest();
            }
        } catch (Throwable t) {
            fail(asProxyError(t));
            return;
        }
        flushUpstream();
    }

    private void finishUpstreamRequest() {
        if (up == null) {
            return;
        }
        if (upstreamRequest.chunked()) {
            up.out.add(up.framing.lastChunk());
        }
        up.awaitResponse();
    }

    /** The whole body is in: the head goes with its length, then the body, as one request. */
    private void sendBufferedRequest() {
        if (up == null) {
            return;
        }
        upstreamRequest.head.setContentLength(bufferedBody.length());
        writeUpstreamHead();
        ByteBuffer b = bufferedBody.view();
        if (b != null) {
            up.out.add(b);
        }
        up.awaitResponse();
    }

    private boolean flushUpstream() {
        if (up == null) {
            return false;
        }
        try {
            return up.flush();
        } catch (IOException e) {
            onUpstreamIoError(up, e);
            return false;
        }
    }

    void onUpstreamDrained() {
        if (phase == Phase.TUNNEL) {
            tunnel.upstreamDrained();
        }
        down.resumeRequest();
    }

    // ================================================================== response

    void onUpstreamReadable() {
        UpstreamConnection c = up;
        if (c == null) {
            return;
        }
        int n;
        try {
            n = c.read();
        } catch (IOException e) {
            onUpstreamIoError(c, e);
            return;
        }
        if (n < 0) {
            onUpstreamEof(c);
            return;
        }
        processUpstream();
    }

    /** Parses buffered response bytes while the client takes them. */
    private void processUpstream() {
        UpstreamConnection c = up;
        while (c != null && c == up && c.input.bytes() != null) {
            if (down.stalled()) {
                c.pauseRead(); // backpressure: resume when the client drains
                return;
            }
            H1Event e;
            try {
                e = c.parser.next(c.input.bytes());
            } catch (HttpParseException ex) {
                upstreamFailed(ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.INVALID_HTTP, 502,
                        "invalid response from " + peer.address() + ": " + ex.error().reason()));
                return;
            }
            try {
                switch (e) {
                    case NEED_MORE:
                        down.flush(); // a head still queued (no body run in this read yet)
                        c.resumeRead();
                        return;
                    case HEAD:
                        onResponseHead(c);
                        break;
                    case BODY:
                        onResponseBody(c.input.slice(c.parser.bodyStart(), c.parser.bodyLength()));
                        break;
                    case TRAILERS:
                        proxy.responseTrailerFilter(this, c.parser.trailers(), ctx); // sent at END
                        break;
                    case END:
                        if (resp == Response.INTERIM) {
                            resp = Response.NONE; // the end of a 1xx: the final response follows
                            break;
                        }
                        onResponseEnd(c, false);
                        break;
                    default:
                        return;
                }
            } catch (Throwable t) {
                fail(asProxyError(t));
                return;
            }
        }
    }

    private void onResponseHead(UpstreamConnection c) {
        ResponseHead h = c.parser.head();
        h.detach();
        if (h.version() == MessageHead.HTTP_1_0) {
            loop.upstreams.learnedHttp10(peer);
        }
        if (h.interim()) {
            resp = Response.INTERIM;
            proxy.upstreamResponseFilter(this, h, ctx);
            // an origin's 100 after the one we sent ourselves would be a duplicate
            if (request.version() == MessageHead.HTTP_1_1 && !(h.status() == 100 && sentContinue)) {
                forwardInterim(h);
            }
            return;
        }
        boolean upgrade = h.status() == 101;
        if (upgrade && !upstreamRequest.websocket) {
            throw ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.INVALID_HTTP, 502,
                    "101 Switching Protocols to a request that asked for no upgrade");
        }
        originKeepAlive = h.keepAlive(); // before our edits: it decides whether the connection is pooled
        proxy.upstreamResponseFilter(this, h, ctx);
        response = h;
        resp = Response.STARTED;
        noResponseBody = upgrade || request.method() == HttpMethod.HEAD || h.status() == 204 || h.status() == 304;
        h.setVersion(MessageHead.HTTP_1_1); // the proxy speaks its own version (RFC 9110 §2.5)
        HopByHop.strip(h.headers(), upgrade, upstreamRequest.clientTakesTrailers && h.framing() == BodyFraming.CHUNKED);
        if (upgrade) {
            h.headers().add("Connection", "Upgrade");
        } else if (!noResponseBody && h.framing() != BodyFraming.CONTENT_LENGTH) {
            h.setChunked(); // chunked or close-delimited from the origin: length unknown to the client
        }
        proxy.responseFilter(this, h, ctx);
        down.sendResponseHead(h, noResponseBody, !upgrade);
        if (upgrade) {
            startTunnel(c);
        }
    }

    /** An interim head goes to the client through responseFilter, which may drop it. */
    private void forwardInterim(ResponseHead h) {
        HopByHop.strip(h.headers(), false, false);
        h.setVersion(MessageHead.HTTP_1_1);
        interimDropped = false;
        filteringInterim = true;
        try {
            proxy.responseFilter(this, h, ctx);
        } finally {
            filteringInterim = false;
        }
        if (!interimDropped) {
            down.sendInterim(h);
        }
    }

    @Override
    public void dropInterimResponse() {
        if (!filteringInterim) {
            throw new IllegalStateException("dropInterimResponse() is for an interim head in responseFilter");
        }
        interimDropped = true;
    }

    private void onResponseBody(ByteBuffer chunk) {
        if (phase == Phase.TUNNEL) {
            tunnel.fromOrigin(chunk);
            return;
        }
        chunk = proxy.upstreamResponseBodyFilter(this, chunk, false, ctx);
        if (chunk != null) {
            chunk = proxy.responseBodyFilter(this, chunk, false, ctx);
        }
        sendResponseBody(chunk);
    }

    private void sendResponseBody(ByteBuffer chunk) {
        if (chunk == null || !chunk.hasRemaining() || noResponseBody) {
            return;
        }
        responseBodyBytes += chunk.remaining();
        down.sendBody(chunk);
    }

    private void onResponseEnd(UpstreamConnection c, boolean byClose) {
        if (phase == Phase.TUNNEL) {
            return;
        }
        ByteBuffer last = proxy.upstreamResponseBodyFilter(this, EMPTY, true, ctx);
        if (last != null) {
            last = proxy.responseBodyFilter(this, last, true, ctx);
        }
        if (last != null && last != EMPTY) {
            sendResponseBody(last);
        }
        HeaderBlock trailers = c.parser.trailers();
        boolean withTrailers = upstreamRequest.clientTakesTrailers && !byClose && trailers.size() > 0;
        if (withTrailers) {
            trailers.detach();
        }
        down.sendEnd(withTrailers ? trailers : null);
        resp = Response.COMPLETE;
        up = null;
        boolean requestFullySent = body == RequestBody.COMPLETE;
        if (!requestFullySent) {
            // the origin answered before taking the whole body: neither connection can be reused
            reuseDownstream = false;
            body = RequestBody.COMPLETE;
        }
        if (!byClose && requestFullySent && originKeepAlive) {
            loop.upstreams.release(c);
        } else {
            c.close();
        }
        maybeFinish();
    }

    void onDownstreamDrained() {
        if (up != null && up.readPaused) {
            processUpstream(); // what was buffered first, then read again
        }
        if (phase == Phase.TUNNEL) {
            if (tunnel.downstreamDrained()) {
                endTunnel();
            }
            return;
        }
        down.resumeRequest();
        maybeFinish();
    }

    // ================================================================== tunnel (WebSocket, CONNECT)

    private void startTunnel(UpstreamConnection c) {
        phase = Phase.TUNNEL;
        tunnel = new Tunnel(down, c);
        reuseDownstream = false;
        down.startTunnel();
        down.resumeRequest();
        processUpstream();
    }

    private void endTunnel() {
        resp = Response.COMPLETE;
        if (up != null) {
            up.close();
            up = null;
        }
        finish();
        down.endTunnel();
    }

    // ================================================================== local responses

    @Override
    public Executor executor() {
        return loop;
    }

    @Override
    public void respond(ResponseHead head, ByteBuffer bodyBytes) {
        if (!loop.inLoop()) {
            throw new IllegalStateException("respond() must run on the session's loop: use session.executor()");
        }
        if (phase == Phase.DONE || phase == Phase.IDLE) {
            throw new IllegalStateException("the request already ended");
        }
        if (resp == Response.STARTED || resp == Response.COMPLETE) {
            throw new IllegalStateException("a response was already started");
        }
        resp = Response.STARTED;
        phase = Phase.LOCAL;
        response = head;
        int status = head.status();
        noResponseBody = request.method() == HttpMethod.HEAD || status == 204 || status == 304 || status < 200;
        if (status != 204 && status != 304 && status >= 200) {
            head.setContentLength(bodyBytes == null ? 0 : bodyBytes.remaining());
        }
        proxy.responseFilter(this, head, ctx);
        down.sendResponseHead(head, noResponseBody, keepAfterEarlyAnswer());
        ByteBuffer b = proxy.responseBodyFilter(this, bodyBytes == null ? EMPTY : bodyBytes, true, ctx);
        sendResponseBody(b);
        down.sendEnd(null);
        resp = Response.COMPLETE;
        // finishing waits for the phase that called respond() to return RESPONDED
    }

    @Override
    public void respond(int status, String contentType, byte[] bodyBytes) {
        ResponseHead h = localResponse;
        h.reset();
        h.setStatus(status);
        if (contentType != null) {
            h.headers().add("Content-Type", contentType);
        }
        respond(h, bodyBytes == null ? null : ByteBuffer.wrap(bodyBytes));
    }

    /**
     * The request is answered before its body was read: read and drop what is left when the
     * downstream allows it, so the connection can carry the next request.
     */
    private boolean keepAfterEarlyAnswer() {
        if (!reuseDownstream || body == RequestBody.COMPLETE || body == RequestBody.DISCARDING) {
            return reuseDownstream;
        }
        if (down.mayDiscardRestOfBody(requestBodyBytes)) {
            body = RequestBody.DISCARDING;
            return reuseDownstream;
        }
        reuseDownstream = false;
        return false;
    }

    // ================================================================== errors

    void onUpstreamIoError(UpstreamConnection c, IOException e) {
        if (c != up) {
            c.close();
            return;
        }
        upstreamFailed(ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECTION_CLOSED,
                "connection to " + peer.address() + " failed: " + e.getMessage()));
    }

    void onUpstreamTimeout(UpstreamConnection c, ProxyError e) {
        if (c != up) {
            c.close();
            return;
        }
        upstreamFailed(e);
    }

    private void onUpstreamEof(UpstreamConnection c) {
        if (phase == Phase.TUNNEL) {
            // what the origin sent last is already queued; end when it has gone out
            if (tunnel.originEnded()) {
                endTunnel();
            }
            return;
        }
        H1Event e;
        try {
            e = c.parser.inputClosed();
        } catch (HttpParseException ex) {
            upstreamFailed(ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECTION_CLOSED,
                    peer.address() + " closed the connection before the response was complete"));
            return;
        }
        if (e == H1Event.END && resp != Response.INTERIM) {
            try {
                onResponseEnd(c, true);
            } catch (Throwable t) {
                fail(asProxyError(t));
            }
            return;
        }
        upstreamFailed(ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECTION_CLOSED,
                peer.address() + " closed the connection without a response"));
    }

    /** An error on the upstream connection after it was made. */
    private void upstreamFailed(ProxyError e) {
        UpstreamConnection c = up;
        boolean reused = upstreamReused;
        if (c != null) {
            c.close();
        }
        up = null;
        if (phase == Phase.TUNNEL) {
            error = e;
            endTunnel();
            return;
        }
        ProxyError decided;
        try {
            decided = proxy.errorWhileProxy(this, peer, ctx, e, reused);
        } catch (Throwable t) {
            decided = asProxyError(t);
        }
        // the request reached the origin: replay it only if doing it twice is harmless (RFC 9110 §9.2.2)
        if (decided.retryable() && attempts < loop.options.maxAttempts() && replayable()
                && request.method().idempotent()) {
            retry();
            return;
        }
        fail(decided);
    }

    /** The client's bytes broke the rules mid-request, or it was too slow. */
    void onDownstreamError(ProxyError e) {
        fail(e);
    }

    /** The client closed its side. */
    void onDownstreamEof() {
        if (phase == Phase.TUNNEL) {
            tunnel.clientEnded();
            return;
        }
        if (body == RequestBody.COMPLETE && !down.pending()) {
            // a half-close after a complete request: answer, then close
            reuseDownstream = false;
            return;
        }
        onDownstreamGone(ProxyError.of(ProxyError.Source.DOWNSTREAM, ProxyError.Kind.CONNECTION_CLOSED,
                "client closed the connection"));
    }

    /** The client is gone: nothing more can be sent. Close upstream, log; the downstream closes. */
    void onDownstreamGone(ProxyError e) {
        if (phase == Phase.DONE || phase == Phase.IDLE) {
            return;
        }
        if (up != null) {
            up.close();
            up = null;
        }
        if (error == null) {
            error = e;
        }
        finish();
    }

    /** A request rejected before it had a session: malformed head or a head timeout. */
    void rejectMalformed(ProxyError e) {
        begin();
        request = down.requestHead();
        error = e;
        reuseDownstream = false;
        body = RequestBody.COMPLETE;
        if (e.status() > 0) {
            sendError(e.status(), false);
        }
        resp = Response.COMPLETE;
        finish(); // no ctx: the proxy's logging phase is not called for a request it never saw
        try {
            proxy.requestRejected(this, e);
        } catch (Throwable t) {
            LOG.warn("requestRejected failed", t);
        }
    }

    /** The request failed for good: decide what the client sees, then log. */
    private void fail(ProxyError e) {
        if (phase == Phase.DONE || phase == Phase.IDLE) {
            return;
        }
        if (up != null) {
            up.close();
            up = null;
        }
        error = e;
        if (e.kind() == ProxyError.Kind.INTERNAL && e.getCause() != null) {
            LOG.warn("internal error in request {} {}", request.methodName(), request.target(), e.getCause());
        }
        FailToProxy f;
        boolean startedBefore = resp == Response.STARTED || resp == Response.COMPLETE;
        try {
            f = ctx == null && e.source() == ProxyError.Source.DOWNSTREAM
                    ? new FailToProxy(e.status(), false) : proxy.failToProxy(this, e, ctx);
        } catch (Throwable t) {
            f = new FailToProxy(500, false);
        }
        boolean startedNow = resp == Response.STARTED || resp == Response.COMPLETE;
        if (!startedBefore && startedNow) {
            // failToProxy answered with respond() (a stale cached copy, say): a whole response went
            // out, so the request ends as a local answer, keeping the connection as respond() chose
            phase = Phase.LOCAL;
            down.resumeRequest();
            maybeFinish();
            return;
        }
        if (startedNow) {
            // part of a response is out: the client must see a broken message, never a complete one
            finish();
            down.abort();
            return;
        }
        reuseDownstream = f.reuseDownstream() && e.source() != ProxyError.Source.DOWNSTREAM;
        boolean reuse = keepAfterEarlyAnswer();
        if (!reuse && body != RequestBody.DISCARDING) {
            body = RequestBody.COMPLETE; // whatever of the body is left will not be read
        }
        if (f.status() > 0) {
            sendError(f.status(), reuse);
        }
        resp = Response.COMPLETE;
        phase = Phase.LOCAL;
        down.resumeRequest(); // reads the rest of a small body, or the END of a bodiless request
        maybeFinish();
    }

    private void sendError(int status, boolean keepAlive) {
        ResponseHead h = localResponse;
        ByteBuffer b = ErrorResponse.fill(h, status);
        response = h;
        resp = Response.STARTED;
        boolean noBody = request != null && request.method() == HttpMethod.HEAD;
        down.sendResponseHead(h, noBody, keepAlive);
        if (!noBody) {
            responseBodyBytes += b.remaining();
            down.sendBody(b);
        }
        down.sendEnd(null);
    }

    private ProxyError asProxyError(Throwable t) {
        if (t instanceof ProxyError pe) {
            return pe;
        }
        return ProxyError.of(ProxyError.Source.INTERNAL, ProxyError.Kind.INTERNAL,
                "unexpected " + t.getClass().getSimpleName() + ": " + t.getMessage(), t);
    }

    // ================================================================== the end

    /** Ends the request once the response is out and the request fully read. */
    private void maybeFinish() {
        if (phase == Phase.DONE || phase == Phase.IDLE || resp != Response.COMPLETE || down.pending()) {
            return;
        }
        if (body == RequestBody.DISCARDING) {
            return; // still draining the request body
        }
        finish();
        down.finished(reuseDownstream && body == RequestBody.COMPLETE);
    }

    private void finish() {
        if (phase == Phase.DONE) {
            return;
        }
        phase = Phase.DONE;
        if (ctx != null) {
            try {
                proxy.logging(this, error, ctx);
            } catch (Throwable t) {
                LOG.warn("logging phase failed", t);
            }
        }
        ctx = null;
        generation++;
    }

    boolean done() {
        return phase == Phase.DONE || phase == Phase.IDLE;
    }

    // ================================================================== Session

    @Override
    public RequestHead request() {
        return request;
    }

    @Override
    public InetSocketAddress clientAddress() {
        return down.remote();
    }

    @Override
    public String clientIp() {
        return down.clientIp();
    }

    @Override
    public InetSocketAddress serverAddress() {
        return down.local();
    }

    @Override
    public String scheme() {
        return down.tls() == null ? "http" : "https";
    }

    @Override
    public TlsInfo tls() {
        return down.tls();
    }

    @Override
    public String protocol() {
        return down.protocol();
    }

    @Override
    public int streamId() {
        return down.streamId();
    }

    @Override
    public int requestNumber() {
        return down.requestNumber();
    }

    @Override
    public long startNanos() {
        return startNanos;
    }

    @Override
    public Object attribute(String name) {
        return attributes == null ? null : attributes.get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        if (attributes == null) {
            attributes = new HashMap<>(8);
        }
        attributes.put(name, value);
    }

    @Override
    public boolean responseStarted() {
        return resp == Response.STARTED || resp == Response.COMPLETE;
    }

    @Override
    public ResponseHead response() {
        return response;
    }

    @Override
    public HttpPeer peer() {
        return peer;
    }

    @Override
    public boolean upstreamReused() {
        return upstreamReused;
    }

    @Override
    public long upstreamConnectNanos() {
        return upstreamConnectNanos;
    }

    @Override
    public long upstreamTlsHandshakeNanos() {
        return upstreamTlsNanos;
    }

    @Override
    public long responseBodyBytes() {
        return responseBodyBytes;
    }

    @Override
    public long requestBodyBytes() {
        return requestBodyBytes;
    }
}
