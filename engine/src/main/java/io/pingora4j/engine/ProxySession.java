package io.pingora4j.engine;

import io.pingora4j.codec.h1.BodyFraming;
import io.pingora4j.codec.h1.H1Event;
import io.pingora4j.codec.h1.H1Writer;
import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.HttpMethod;
import io.pingora4j.codec.h1.HttpParseException;
import io.pingora4j.codec.h1.KnownHeader;
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
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's journey through the proxy: runs the {@link ProxyHttp} phases in order, connects
 * upstream (retrying what may be retried), streams the request body up and the response down,
 * and logs exactly once. One instance per client connection, reset for every request.
 *
 * <p>The session is driven by events from its two connections ({@link H1Downstream} and an
 * {@link UpstreamConnection}) and never blocks: a deferred phase or an upstream connect parks it,
 * and the loop runs other sessions meanwhile.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class ProxySession implements Session {

    private static final Logger LOG = LoggerFactory.getLogger(ProxySession.class);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();
    private static final byte[] CONTINUE_100 = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    enum Phase { IDLE, FILTERS, DEFERRED, CONNECTING, PROXYING, LOCAL, TUNNEL, DONE }

    /** Most request-body bytes kept to replay an idempotent request on another connection (as Pingora). */
    private static final int MAX_REPLAY = 64 * 1024;

    /** Most request-body bytes read and dropped to keep a connection after an early answer. */
    private static final long MAX_DRAIN = 64 * 1024;

    /**
     * Most bytes of a chunked request body buffered for an origin known to speak HTTP/1.0, which
     * cannot read chunked coding: the body goes with a Content-Length, or the request gets 413
     * (nginx buffers such bodies too; its client_max_body_size default is the same 1 MiB).
     */
    static final int MAX_BUFFERED_REQUEST_BODY = 1 << 20;

    private final H1Downstream down;
    private final EventLoop loop;
    private final ProxyHttp<Object> proxy;
    private final RequestHead upstreamRequest = new RequestHead();
    private final ResponseHead localResponse = new ResponseHead();
    private final ByteBuffer continueBuf = ByteBuffer.allocateDirect(CONTINUE_100.length);

    private Phase phase = Phase.IDLE;
    private int generation;
    private Object ctx;
    private RequestHead request;
    private ResponseHead response;
    private UpstreamConnection up;
    private HttpPeer peer;
    private boolean upstreamReused;
    private int attempts;
    private long startNanos;
    private Map<String, Object> attributes;
    private long requestBodyBytes;
    private long responseBodyBytes;
    private ProxyError error;

    private boolean requestComplete;
    private boolean requestHeadSent;
    private boolean upstreamChunked;
    private boolean responseStarted;
    private boolean responseComplete;
    private boolean noResponseBody;
    private boolean downstreamChunked;
    private boolean keepDownstream;
    private boolean discardBody;
    private boolean sentContinue;
    private boolean websocket;
    private boolean clientHalfClosed;
    private boolean upstreamHalfClosed;
    /** The client sent {@code TE: trailers}: response trailers (and the Trailer field) are passed on. */
    private boolean clientTakesTrailers;
    /** An interim (1xx) response is being read: its end is not the end of the exchange. */
    private boolean interimOpen;
    /** responseFilter is looking at an interim head; {@link #dropInterimResponse} may drop it. */
    private boolean filteringInterim;
    private boolean interimDropped;
    /** What the origin's final head said about the connection, before any edit of ours. */
    private boolean originKeepAlive;
    /** The body of a chunked request to an HTTP/1.0 origin, held until it is complete (null: not buffering). */
    private ByteBuffer bufferedBody;
    private boolean bufferingBody;
    /** The body bytes sent upstream so far, while they fit in MAX_REPLAY (null: none recorded). */
    private ByteBuffer replay;
    private boolean replayOverflow;

    ProxySession(H1Downstream down, ProxyHttp<Object> proxy) {
        this.down = down;
        this.loop = down.loop;
        this.proxy = proxy;
        continueBuf.put(CONTINUE_100).flip();
    }

    int generation() {
        return generation;
    }

    // ================================================================== request phases

    void onRequestHead() {
        begin();
        request = down.parser.head();
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
        startNanos = loop.now;
        ctx = null;
        response = null;
        up = null;
        peer = null;
        upstreamReused = false;
        attempts = 0;
        attributes = null;
        requestBodyBytes = 0;
        responseBodyBytes = 0;
        error = null;
        requestComplete = false;
        requestHeadSent = false;
        upstreamChunked = false;
        responseStarted = false;
        responseComplete = false;
        noResponseBody = false;
        downstreamChunked = false;
        keepDownstream = false;
        discardBody = false;
        sentContinue = false;
        websocket = false;
        clientHalfClosed = false;
        upstreamHalfClosed = false;
        clientTakesTrailers = false;
        interimOpen = false;
        filteringInterim = false;
        interimDropped = false;
        originKeepAlive = false;
        bufferedBody = null;
        bufferingBody = false;
        replay = null;
        replayOverflow = false;
    }

    private void afterRequestFilter(Action action) {
        if (action.deferred()) {
            phase = Phase.DEFERRED;
            int gen = generation;
            action.result().whenComplete((result, failure) -> loop.execute(() -> resume(gen, result, failure)));
            return;
        }
        if (action == Action.RESPONDED) {
            if (!responseStarted) {
                throw ProxyError.of(ProxyError.Source.INTERNAL, ProxyError.Kind.INTERNAL,
                        "requestFilter returned RESPONDED without responding");
            }
            down.process(); // drain a small request body, if any
            maybeFinish();
            return;
        }
        if (request.expectUnsupported()) {
            throw ProxyError.status(417, "unsupported expectation");
        }
        startUpstream();
    }

    private void resume(int gen, Action result, Throwable failure) {
        if (gen != generation || phase != Phase.DEFERRED) {
            return; // the request was ended meanwhile (client gone, timeout)
        }
        phase = Phase.FILTERS;
        try {
            if (failure != null) {
                throw failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            }
            afterRequestFilter(result == null ? Action.CONTINUE : result);
            down.process(); // the request body may be waiting
        } catch (Throwable t) {
            fail(asProxyError(t));
        }
    }

    private void startUpstream() {
        attempts++;
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
        retryOrFail(decided);
    }

    private void retryOrFail(ProxyError e) {
        if (e.retryable() && attempts < loop.options.maxAttempts() && replayable()) {
            loop.stats.retries++;
            try {
                startUpstream();
            } catch (Throwable t) {
                fail(asProxyError(t));
            }
            return;
        }
        fail(e);
    }

    /**
     * The client has seen nothing, and everything taken from it can be sent again: no body yet, or
     * a body whose bytes were all recorded for replay.
     */
    private boolean replayable() {
        return !responseStarted && (requestBodyBytes == 0 || (replay != null && !replayOverflow));
    }

    /** Keeps a copy of body bytes sent upstream, for an idempotent request, up to MAX_REPLAY. */
    private void recordForReplay(ByteBuffer chunk) {
        if (replayOverflow) {
            return;
        }
        int n = chunk.remaining();
        int have = replay == null ? 0 : replay.position();
        if (!request.method().idempotent() || have + n > MAX_REPLAY) {
            replayOverflow = true; // never replayed: a POST, or too big to keep
            replay = null;
            return;
        }
        if (replay == null || replay.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.min(MAX_REPLAY, Math.max(4096, 2 * (have + n))));
            if (replay != null) {
                bigger.put(replay.flip());
            }
            replay = bigger;
        }
        replay.put(replay.position(), chunk, chunk.position(), n);
        replay.position(replay.position() + n);
    }

    private void onUpstreamReady() {
        phase = Phase.PROXYING;
        proxy.connectedToUpstream(this, ctx, peer, upstreamReused);
        buildUpstreamRequest();
        proxy.upstreamRequestFilter(this, upstreamRequest, ctx);
        upstreamChunked = upstreamRequest.framing() == BodyFraming.CHUNKED;
        up.parser.reset();
        up.parser.expectResponseTo(request.method());
        bufferingBody = upstreamChunked && loop.upstreams.speaksHttp10(peer);
        if (bufferingBody) {
            // an HTTP/1.0 origin cannot read chunked coding: the head goes once the body is whole
            if (bufferedBody == null && replay != null && replay.position() > 0) {
                bufferBody(replay.duplicate().flip()); // a retry after a streamed attempt
            }
            requestHeadSent = true;
            sendContinueIfExpected();
            if (requestComplete) {
                sendBufferedRequest();
            }
            if (flushUpstream()) {
                down.process();
            }
            return;
        }
        writeUpstreamHead();
        if (replay != null && replay.position() > 0) {
            // a retry: the body bytes the failed attempt sent go first
            ByteBuffer again = replay.duplicate().flip();
            if (upstreamChunked) {
                addChunk(up.out, up.framing, again);
            } else {
                up.out.add(again);
            }
        }
        requestHeadSent = true;
        sendContinueIfExpected();
        if (requestComplete) {
            finishUpstreamRequest();
        }
        if (!flushUpstream()) {
            return;
        }
        down.process();
    }

    private void writeUpstreamHead() {
        int len = H1Writer.requestHeadLength(upstreamRequest);
        ByteBuffer head = up.headBuffer(len);
        H1Writer.writeRequestHead(upstreamRequest, head);
        up.out.add(head.flip());
    }

    private void sendContinueIfExpected() {
        if (request.expectContinue() && hasRequestBody() && !requestComplete && !sentContinue && !responseStarted) {
            // nginx's way: answer 100 ourselves and strip Expect upstream, so a body is read only
            // once the request passed the filters
            sentContinue = true;
            down.out.add(continueBuf.rewind());
            down.flush();
        }
    }

    /** Holds body bytes for an HTTP/1.0 origin; 413 once they pass {@link #MAX_BUFFERED_REQUEST_BODY}. */
    private void bufferBody(ByteBuffer chunk) {
        int have = bufferedBody == null ? 0 : bufferedBody.position();
        int n = chunk.remaining();
        if (have + n > MAX_BUFFERED_REQUEST_BODY) {
            throw ProxyError.status(413, "chunked request body over " + MAX_BUFFERED_REQUEST_BODY
                    + " bytes for an HTTP/1.0 origin, which needs a Content-Length");
        }
        if (bufferedBody == null || bufferedBody.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.min(MAX_BUFFERED_REQUEST_BODY, Math.max(16 * 1024, 2 * (have + n))));
            if (bufferedBody != null) {
                bigger.put(bufferedBody.flip());
            }
            bufferedBody = bigger;
        }
        bufferedBody.put(chunk.duplicate());
    }

    /** The whole buffered body is in: the head goes with its length, then the body, as one request. */
    private void sendBufferedRequest() {
        int n = bufferedBody == null ? 0 : bufferedBody.position();
        upstreamRequest.setContentLength(n);
        writeUpstreamHead();
        if (n > 0) {
            up.out.add(bufferedBody.duplicate().flip());
        }
        up.awaitResponse();
    }

    private boolean hasRequestBody() {
        BodyFraming f = request.framing();
        return f == BodyFraming.CHUNKED || (f == BodyFraming.CONTENT_LENGTH && request.contentLength() > 0);
    }

    /** The client's head, minus hop-by-hop fields, plus what the options add. */
    private void buildUpstreamRequest() {
        RequestHead u = upstreamRequest;
        u.copyFrom(request);
        HeaderBlock h = u.headers();
        websocket = isWebSocketUpgrade(request);
        clientTakesTrailers = takesTrailers(request.headers());
        stripHopByHop(h, websocket, false);
        for (int i = h.size() - 1; i >= 0; i--) {
            if (h.nameEquals(i, "HTTP2-Settings")) {
                h.remove(i); // an h2c upgrade is never forwarded (h2c smuggling)
            }
        }
        if (websocket) {
            h.add("Connection", "Upgrade");
        }
        if (clientTakesTrailers) {
            h.add("TE", "trailers"); // the origin may send trailers: we pass them on
        }
        u.setVersion(MessageHead.HTTP_1_1);
        if (request.targetForm() == RequestHead.TargetForm.ABSOLUTE) {
            u.setTarget(request.pathAndQuery());
            h.set("Host", request.authority());
        }
        EngineOptions o = loop.options;
        if (o.xForwardedFor()) {
            int i = h.indexOf("X-Forwarded-For");
            h.set("X-Forwarded-For", i < 0 ? clientIp() : h.value(i) + ", " + clientIp());
        }
        if (o.xForwardedProto()) {
            h.set("X-Forwarded-Proto", scheme());
        }
        if (o.xForwardedHost()) {
            String host = request.authority();
            if (host != null) {
                h.set("X-Forwarded-Host", host);
            }
        }
        if (request.framing() == BodyFraming.CHUNKED) {
            u.setChunked();
        }
        if (request.expectContinue()) {
            h.removeKind(KnownHeader.EXPECT); // the proxy answers 100 itself (see onUpstreamReady)
        }
    }

    private static boolean takesTrailers(HeaderBlock h) {
        for (int i = h.indexOfKind(KnownHeader.TE); i >= 0; i = h.indexOfKind(KnownHeader.TE, i + 1)) {
            if (h.hasToken(i, "trailers")) {
                return true;
            }
        }
        return false;
    }

    private static boolean isWebSocketUpgrade(RequestHead r) {
        if (!r.upgrade() || !r.connectionUpgrade()) {
            return false;
        }
        HeaderBlock h = r.headers();
        int i = h.indexOfKind(KnownHeader.UPGRADE);
        return i >= 0 && h.hasToken(i, "websocket");
    }

    // ================================================================== request body

    /** Whether the downstream may parse on: the session can take request bytes now. */
    boolean acceptsRequestBytes() {
        if (phase == Phase.TUNNEL) {
            return up != null && !up.out.pending() && !clientHalfClosed;
        }
        if (requestComplete) {
            return false;
        }
        if (discardBody) {
            return true;
        }
        return phase == Phase.PROXYING && requestHeadSent && up != null && !up.out.pending();
    }

    void onRequestBody(int start, int length) {
        if (phase == Phase.TUNNEL) {
            up.out.add(down.slice(start, length));
            flushUpstream();
            return;
        }
        requestBodyBytes += length;
        if (discardBody) {
            return;
        }
        try {
            ByteBuffer chunk = proxy.requestBodyFilter(this, down.slice(start, length), false, ctx);
            sendRequestBody(chunk);
        } catch (Throwable t) {
            fail(asProxyError(t));
        }
    }

    private void sendRequestBody(ByteBuffer chunk) {
        if (chunk == null || !chunk.hasRemaining() || up == null) {
            return;
        }
        recordForReplay(chunk);
        if (bufferingBody) {
            bufferBody(chunk);
            return;
        }
        if (upstreamChunked) {
            addChunk(up.out, up.framing, chunk);
        } else {
            up.out.add(chunk);
        }
        flushUpstream();
    }

    void onRequestEnd() {
        requestComplete = true;
        if (discardBody) {
            maybeFinish();
            return;
        }
        if (phase != Phase.PROXYING) {
            return; // answered locally or failed; nothing goes upstream
        }
        try {
            ByteBuffer last = proxy.requestBodyFilter(this, EMPTY, true, ctx);
            if (last != null && last != EMPTY) {
                sendRequestBody(last);
            }
        } catch (Throwable t) {
            fail(asProxyError(t));
            return;
        }
        finishUpstreamRequest();
        flushUpstream();
    }

    private void finishUpstreamRequest() {
        if (bufferingBody && up != null) {
            sendBufferedRequest();
            return;
        }
        if (upstreamChunked && up != null) {
            up.out.add(up.framing.lastChunk());
        }
        if (up != null) {
            up.awaitResponse();
        }
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
        if (phase == Phase.TUNNEL && clientHalfClosed && !up.out.pending()) {
            halfCloseUpstream();
        }
        down.process();
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
            if (down.out.stalled()) {
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
                        onResponseBody(c);
                        break;
                    case TRAILERS:
                        onResponseTrailers(c);
                        break;
                    case END:
                        if (interimOpen) {
                            interimOpen = false; // the end of a 1xx: the final response follows
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
            interimOpen = true;
            proxy.upstreamResponseFilter(this, h, ctx);
            // an origin's 100 after the one we sent ourselves would be a duplicate
            if (request.version() == MessageHead.HTTP_1_1 && !(h.status() == 100 && sentContinue)) {
                forwardInterim(h);
            }
            return;
        }
        if (h.status() == 101 && !websocket) {
            throw ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.INVALID_HTTP, 502,
                    "101 Switching Protocols to a request that asked for no upgrade");
        }
        originKeepAlive = h.keepAlive(); // before our edits: it decides whether the connection is pooled
        proxy.upstreamResponseFilter(this, h, ctx);
        response = h;
        responseStarted = true;
        noResponseBody = request.method() == HttpMethod.HEAD || h.status() == 204 || h.status() == 304
                || h.status() < 200;
        h.setVersion(MessageHead.HTTP_1_1); // the proxy speaks its own version (RFC 9110 §2.5)
        stripHopByHop(h.headers(), h.status() == 101, clientTakesTrailers && h.framing() == BodyFraming.CHUNKED);
        if (h.status() == 101) {
            h.headers().add("Connection", "Upgrade");
        } else if (!noResponseBody && h.framing() != BodyFraming.CONTENT_LENGTH) {
            h.setChunked(); // chunked or close-delimited from the origin: chunked to the client
        }
        proxy.responseFilter(this, h, ctx);
        prepareDownstreamFraming(h);
        writeHead(h);
        if (h.status() == 101) {
            startTunnel();
        }
    }

    /**
     * An interim head goes to the client through responseFilter (which may drop it), in its own
     * buffer: the final head that follows must not overwrite it while it is still queued.
     */
    private void forwardInterim(ResponseHead h) {
        stripHopByHop(h.headers(), false, false);
        h.setVersion(MessageHead.HTTP_1_1);
        interimDropped = false;
        filteringInterim = true;
        try {
            proxy.responseFilter(this, h, ctx);
        } finally {
            filteringInterim = false;
        }
        if (interimDropped) {
            return;
        }
        ByteBuffer b = ByteBuffer.allocate(H1Writer.responseHeadLength(h)); // interim heads are rare
        H1Writer.writeResponseHead(h, b);
        down.out.add(b.flip());
        down.flush();
    }

    @Override
    public void dropInterimResponse() {
        if (!filteringInterim) {
            throw new IllegalStateException("dropInterimResponse() is for an interim head in responseFilter");
        }
        interimDropped = true;
    }

    /**
     * Removes hop-by-hop fields (and those Connection names) from a head; Upgrade stays for a
     * switch of protocols, Trailer for a client that takes trailers.
     */
    private static void stripHopByHop(HeaderBlock h, boolean keepUpgrade, boolean keepTrailer) {
        for (int c = h.indexOfKind(KnownHeader.CONNECTION); c >= 0; c = h.indexOfKind(KnownHeader.CONNECTION, c + 1)) {
            for (int i = h.size() - 1; i >= 0; i--) {
                int kind = h.kind(i);
                if (i != c && kind != KnownHeader.CONNECTION && !(keepUpgrade && kind == KnownHeader.UPGRADE)
                        && h.valueListsName(c, i)) {
                    h.remove(i);
                    if (i < c) {
                        c--;
                    }
                }
            }
        }
        for (int i = h.size() - 1; i >= 0; i--) {
            int kind = h.kind(i);
            if (KnownHeader.isHopByHop(kind) && !(keepUpgrade && kind == KnownHeader.UPGRADE)
                    && !(keepTrailer && kind == KnownHeader.TRAILER)) {
                h.remove(i);
            }
        }
    }

    /** Decides how the body reaches the client and whether the connection stays open. */
    private void prepareDownstreamFraming(ResponseHead h) {
        boolean client11 = request.version() == MessageHead.HTTP_1_1;
        keepDownstream = request.keepAlive() && !down.draining && !websocket;
        if (noResponseBody) {
            downstreamChunked = false;
        } else if (h.framing() == BodyFraming.CHUNKED) {
            if (client11) {
                downstreamChunked = true;
            } else {
                // an HTTP/1.0 client cannot read chunked: send until close
                h.headers().removeKind(KnownHeader.TRANSFER_ENCODING);
                downstreamChunked = false;
                keepDownstream = false;
            }
        } else {
            downstreamChunked = false;
        }
        if (h.status() == 101) {
            return;
        }
        if (!keepDownstream) {
            h.headers().set("Connection", "close");
        } else if (!client11) {
            h.headers().set("Connection", "keep-alive");
        }
    }

    /** Queues one chunk of the chunked coding: size line, the data (written from where it is), CRLF. */
    private static void addChunk(Outbound out, FramingBuffers framing, ByteBuffer data) {
        out.add(framing.chunkHeader(data.remaining()));
        out.add(data);
        out.add(framing.crlf());
    }

    /** Queues a head; it goes out with the first body run, or at the end of this read's events. */
    private void writeHead(ResponseHead h) {
        int len = H1Writer.responseHeadLength(h);
        ByteBuffer b = down.headBuffer(len);
        H1Writer.writeResponseHead(h, b);
        down.out.add(b.flip());
    }

    private void onResponseBody(UpstreamConnection c) {
        ByteBuffer chunk = c.input.slice(c.parser.bodyStart(), c.parser.bodyLength());
        if (phase == Phase.TUNNEL) {
            down.out.add(chunk);
            down.flush();
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
        if (downstreamChunked) {
            addChunk(down.out, down.framing, chunk);
        } else {
            down.out.add(chunk);
        }
        // every body run is a window on the one read buffer and shares the framing buffers: it goes
        // out now (with the head, when the head is still queued: one gathering write)
        down.flush();
    }

    private void onResponseTrailers(UpstreamConnection c) {
        proxy.responseTrailerFilter(this, c.parser.trailers(), ctx);
        // trailers are delivered with the last chunk at END
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
        if (downstreamChunked) {
            HeaderBlock trailers = c.parser.trailers();
            if (clientTakesTrailers && !byClose && trailers.size() > 0) {
                trailers.detach();
                int len = io.pingora4j.codec.h1.ChunkedEncoder.lastChunkLength(trailers);
                ByteBuffer b = ByteBuffer.allocate(len); // trailers are rare: a small buffer of their own
                io.pingora4j.codec.h1.ChunkedEncoder.writeLastChunk(trailers, b);
                down.out.add(b.flip());
            } else {
                down.out.add(down.framing.lastChunk());
            }
        }
        responseComplete = true;
        up = null;
        boolean requestFullySent = requestComplete;
        if (!requestComplete) {
            // the origin answered before taking the whole body: neither connection can be reused
            keepDownstream = false;
            requestComplete = true;
        }
        if (!byClose && requestFullySent && originKeepAlive) {
            loop.upstreams.release(c);
        } else {
            c.close();
        }
        down.flush();
        maybeFinish();
    }

    void onDownstreamDrained() {
        if (up != null && up.readPaused) {
            processUpstream(); // what was buffered first, then read again
        }
        if (phase == Phase.TUNNEL) {
            if (upstreamHalfClosed && !down.out.pending()) {
                endTunnel();
            }
            return;
        }
        down.process();
        maybeFinish();
    }

    // ================================================================== tunnel (WebSocket, CONNECT)

    private void startTunnel() {
        phase = Phase.TUNNEL;
        down.parser.switchToTunnel();
        keepDownstream = false;
        down.process();
        processUpstream();
    }

    private void halfCloseUpstream() {
        try {
            up.transport.shutdownOutput();
        } catch (IOException ignored) {
            // the origin is gone too; its EOF ends the tunnel
        }
    }

    private void endTunnel() {
        responseComplete = true;
        if (up != null) {
            up.close();
            up = null;
        }
        finish();
        down.closeAfterFlush();
    }

    // ================================================================== local responses

    @Override
    public java.util.concurrent.Executor executor() {
        return loop;
    }

    @Override
    public void respond(ResponseHead head, ByteBuffer body) {
        if (!loop.inLoop()) {
            throw new IllegalStateException("respond() must run on the session's loop: use session.executor()");
        }
        if (phase == Phase.DONE || phase == Phase.IDLE) {
            throw new IllegalStateException("the request already ended");
        }
        if (responseStarted) {
            throw new IllegalStateException("a response was already started");
        }
        responseStarted = true;
        phase = Phase.LOCAL;
        response = head;
        int status = head.status();
        noResponseBody = request.method() == HttpMethod.HEAD || status == 204 || status == 304 || status < 200;
        if (status != 204 && status != 304 && status >= 200) {
            head.setContentLength(body == null ? 0 : body.remaining());
        }
        proxy.responseFilter(this, head, ctx);
        keepDownstream = request.keepAlive() && !down.draining;
        if (!requestComplete && keepDownstream) {
            // the body was not read: drain it (bounded) to keep the connection, else close
            keepDownstream = drainRestOfBody();
        }
        downstreamChunked = head.framing() == BodyFraming.CHUNKED && request.version() == MessageHead.HTTP_1_1;
        if (!keepDownstream) {
            head.headers().set("Connection", "close");
        } else if (request.version() == MessageHead.HTTP_1_0) {
            head.headers().set("Connection", "keep-alive");
        }
        writeHead(head);
        ByteBuffer b = body == null ? EMPTY : body;
        b = proxy.responseBodyFilter(this, b, true, ctx);
        if (b != null && b.hasRemaining() && !noResponseBody) {
            responseBodyBytes += b.remaining();
            if (downstreamChunked) {
                addChunk(down.out, down.framing, b);
            } else {
                down.out.add(b);
            }
        }
        if (downstreamChunked) {
            down.out.add(down.framing.lastChunk());
        }
        responseComplete = true;
        down.flush();
        // finishing waits for the phase that called respond() to return RESPONDED
    }

    @Override
    public void respond(int status, String contentType, byte[] body) {
        ResponseHead h = localResponse;
        h.reset();
        h.setStatus(status);
        if (contentType != null) {
            h.headers().add("Content-Type", contentType);
        }
        respond(h, body == null ? null : ByteBuffer.wrap(body));
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
            upstreamHalfClosed = true;
            // what the origin sent last is already queued; end when it has gone out
            if (!down.out.pending()) {
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
        if (e == H1Event.END && !interimOpen) {
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
            loop.stats.retries++;
            requestHeadSent = false;
            try {
                startUpstream();
            } catch (Throwable t) {
                fail(asProxyError(t));
            }
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
            clientHalfClosed = true;
            if (up != null && !up.out.pending()) {
                halfCloseUpstream();
            }
            return;
        }
        if (requestComplete && !down.out.pending()) {
            // a half-close after a complete request: answer, then close
            keepDownstream = false;
            return;
        }
        onDownstreamGone(ProxyError.of(ProxyError.Source.DOWNSTREAM, ProxyError.Kind.CONNECTION_CLOSED,
                "client closed the connection"));
    }

    /** The client is gone: nothing more can be sent. Close upstream, log, close. */
    void onDownstreamGone(ProxyError e) {
        if (phase == Phase.DONE || phase == Phase.IDLE) {
            down.close();
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
        down.close();
    }

    /** A request rejected before it had a session: malformed head or a head timeout. */
    void rejectMalformed(ProxyError e) {
        begin();
        request = down.parser.head();
        error = e;
        keepDownstream = false;
        if (e.status() > 0) {
            sendError(e.status(), false);
        }
        responseComplete = true;
        requestComplete = true;
        down.state = H1Downstream.State.IN_REQUEST;
        finish(); // no ctx: the proxy's logging phase is not called for a request it never saw
        down.closeAfterFlush();
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
        boolean startedBefore = responseStarted;
        try {
            f = ctx == null && e.source() == ProxyError.Source.DOWNSTREAM
                    ? new FailToProxy(e.status(), false) : proxy.failToProxy(this, e, ctx);
        } catch (Throwable t) {
            f = new FailToProxy(500, false);
        }
        if (!startedBefore && responseStarted) {
            // failToProxy answered with respond() (a stale cached copy, say): a whole response went
            // out, so the request ends as a local answer, keeping the connection as respond() chose
            phase = Phase.LOCAL;
            down.process();
            maybeFinish();
            return;
        }
        if (responseStarted) {
            // part of a response is out: the client must see a broken message, never a complete one
            finish();
            down.close();
            return;
        }
        boolean reuse = f.reuseDownstream() && !down.draining && request.keepAlive()
                && e.source() != ProxyError.Source.DOWNSTREAM;
        if (reuse && !requestComplete) {
            reuse = drainRestOfBody();
        }
        if (f.status() > 0) {
            sendError(f.status(), reuse);
        }
        responseComplete = true;
        keepDownstream = reuse;
        if (!reuse) {
            requestComplete = true; // whatever of the body is left will not be read
        }
        phase = Phase.LOCAL;
        down.process(); // reads the rest of a small body, or the END of a bodiless request
        maybeFinish();
    }

    /**
     * The request is answered before its body was read: read and drop what is left if it is small,
     * so the connection can carry the next request. Returns false when it is too big to be worth it.
     */
    private boolean drainRestOfBody() {
        boolean small = !hasRequestBody() || (request.framing() == BodyFraming.CONTENT_LENGTH
                && request.contentLength() - requestBodyBytes <= MAX_DRAIN);
        if (small) {
            discardBody = true;
        }
        return small;
    }

    private void sendError(int status, boolean keepAlive) {
        ResponseHead h = localResponse;
        h.reset();
        h.setStatus(status);
        byte[] body = (status + " " + ResponseHead.reasonPhrase(status) + "\n").getBytes(StandardCharsets.US_ASCII);
        h.headers().add("Content-Type", "text/plain; charset=utf-8");
        h.setContentLength(body.length);
        if (!keepAlive) {
            h.headers().add("Connection", "close");
        }
        response = h;
        responseStarted = true;
        writeHead(h);
        if (request == null || request.method() != HttpMethod.HEAD) {
            down.out.add(ByteBuffer.wrap(body));
            responseBodyBytes += body.length;
        }
        down.flush();
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
        if (phase == Phase.DONE || phase == Phase.IDLE || !responseComplete || down.out.pending()) {
            return;
        }
        if (!requestComplete && keepDownstream) {
            return; // still draining the request body
        }
        finish();
        down.requestFinished(keepDownstream && requestComplete);
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

    // ================================================================== Session

    @Override
    public RequestHead request() {
        return request;
    }

    @Override
    public InetSocketAddress clientAddress() {
        return down.remote;
    }

    @Override
    public String clientIp() {
        return down.clientIp();
    }

    @Override
    public InetSocketAddress serverAddress() {
        return down.local;
    }

    @Override
    public String scheme() {
        return down.transport.tlsInfo() == null ? "http" : "https";
    }

    @Override
    public TlsInfo tls() {
        return down.transport.tlsInfo();
    }

    @Override
    public int requestNumber() {
        return down.requests;
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
        return responseStarted;
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
    public long responseBodyBytes() {
        return responseBodyBytes;
    }

    @Override
    public long requestBodyBytes() {
        return requestBodyBytes;
    }
}
