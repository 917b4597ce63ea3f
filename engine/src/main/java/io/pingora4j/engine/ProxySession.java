package io.pingora4j.engine;

import io.pingora4j.codec.h1.BodyFraming;
import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.HttpMethod;
import io.pingora4j.codec.h1.MessageHead;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.FailToProxy;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.ProxyHttp;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's journey through the proxy: runs the {@link ProxyHttp} phases in order, connects
 * upstream (retrying what may be retried), streams the request body up and the response down,
 * and logs exactly once. Reused from request to request (HTTP/1.1: one per connection; HTTP/2:
 * one per stream).
 *
 * <p>The session is protocol-neutral on both sides: the client side is a {@link Downstream} (an
 * HTTP/1.1 connection or an HTTP/2 stream) that frames what the session sends; the origin side is
 * an {@link UpstreamExchange} (a pooled HTTP/1.1 connection or a stream of a multiplexed HTTP/2
 * connection) that frames what the session sends it and hands back the response. It is driven by
 * events from both and never blocks: a deferred phase or an upstream connect parks it, and the
 * loop runs other sessions meanwhile.
 *
 * <p>Where the request is: {@link Phase}; how far its body has been read: {@link RequestBody};
 * how far the response has gone: {@link Response}. A gRPC call ({@link #grpc()}) also has a
 * deadline ({@code grpc-timeout}), and a call the proxy fails is answered as gRPC does
 * ({@link Grpc}).
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class ProxySession extends SessionView implements Deadline.Owner {

    private static final Logger LOG = LoggerFactory.getLogger(ProxySession.class);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    enum Phase { IDLE, FILTERS, DEFERRED, CONNECTING, PROXYING, LOCAL, TUNNEL, DONE }

    enum RequestBody {
        /** Not read yet: no upstream takes it (filters, deferral, connecting). */
        HELD,
        /** Streaming to the origin as it arrives. */
        TO_UPSTREAM,
        /** Read and dropped: the request was answered early, and the connection stays. */
        DISCARDING,
        /** Read to its end, or given up (the connection will not be reused). */
        COMPLETE
    }

    enum Response {
        NONE,
        /** The final head went to the client. */
        STARTED,
        COMPLETE
    }

    private final EventLoop loop;
    private ProxyHttp<Object> proxy;
    private final UpstreamRequest upstreamRequest = new UpstreamRequest();
    private final RequestBodyReplay replay = new RequestBodyReplay();
    private final ResponseHead localResponse = new ResponseHead();
    /** An HTTP/2 origin's head, copied out of its connection's buffers (which other streams reuse). */
    private ResponseHead copiedResponse;
    /** The gRPC call's deadline (grpc-timeout). */
    private final Deadline deadline;

    private Phase phase = Phase.IDLE;
    private RequestBody body = RequestBody.HELD;
    private Response resp = Response.NONE;
    private int generation;
    private Object ctx;
    private UpstreamExchange up;
    private Tunnel tunnel;
    private int attempts;
    private ProxyError error;
    /** The client's request trailers (valid until the request's end is handled), or null. */
    private HeaderBlock requestTrailers;
    /** The origin's response trailers (valid until the response's end is handled), or null. */
    private HeaderBlock responseTrailers;

    private boolean noResponseBody;
    /** The session would keep the client connection (the downstream decides with its own rules too). */
    private boolean reuseDownstream;
    private boolean sentContinue;
    /** responseFilter is looking at an interim head; {@link #dropInterimResponse} may drop it. */
    private boolean filteringInterim;
    private boolean interimDropped;

    ProxySession(Downstream down, ProxyHttp<Object> proxy) {
        super(down);
        this.loop = down.loop();
        this.proxy = proxy;
        this.deadline = new Deadline(loop.timers, this);
    }

    ProxySession(EventLoop loop) {
        super(null);
        this.loop = loop;
        this.deadline = new Deadline(loop.timers, this);
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
        if (grpc.start(request, startNanos) != 0) {
            deadline.want(grpc.deadline());
        }
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
        requestTrailers = null;
        responseTrailers = null;
        noResponseBody = false;
        reuseDownstream = true;
        sentContinue = false;
        filteringInterim = false;
        interimDropped = false;
        replay.reset();
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
        upstreamReused = false;
        boolean switching = HopByHop.isWebSocketUpgrade(request) || request.method() == HttpMethod.CONNECT;
        UpstreamExchange x = loop.upstreams.take(peer, this, attempts == 1, switching);
        if (x != null) {
            upstreamReused = true;
            up = x;
            onUpstreamReady();
        }
    }

    /** {@code x} is where the request goes: a connection being dialled, or a stream waiting for one. */
    void onUpstreamAssigned(UpstreamExchange x) {
        up = x;
    }

    /** The connection (or stream) is ready for the request. */
    void onUpstreamReady(UpstreamExchange x) {
        if (x != up || phase != Phase.CONNECTING) {
            x.abandon();
            return;
        }
        try {
            onUpstreamReady();
        } catch (Throwable t) {
            fail(asProxyError(t));
        }
    }

    void onConnectFailed(UpstreamExchange x, ProxyError e) {
        if (phase != Phase.CONNECTING || (x != null && x != up)) {
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
        return resp == Response.NONE && (requestBodyBytes == 0 || replay.holdsAll());
    }

    private void onUpstreamReady() {
        phase = Phase.PROXYING;
        if (!upstreamReused) {
            upstreamConnectNanos = up.connectNanos();
            upstreamTlsNanos = up.tlsHandshakeNanos();
        }
        proxy.connectedToUpstream(this, ctx, peer, upstreamReused);
        upstreamRequest.build(request, loop.options, clientIp(), scheme());
        proxy.upstreamRequestFilter(this, upstreamRequest.head, ctx);
        boolean bodyDone = body == RequestBody.COMPLETE;
        ByteBuffer again = replay.view();
        up.sendHead(upstreamRequest.head, !hasBody(upstreamRequest.head) && again == null);
        if (again != null) {
            up.sendBody(again); // a retry: the body bytes the failed attempt sent go first
        }
        if (!bodyDone) {
            body = RequestBody.TO_UPSTREAM;
        }
        sendContinueIfExpected();
        if (bodyDone) {
            up.sendEnd(requestTrailers);
        }
        if (flushUpstream()) {
            down.resumeRequest();
        }
    }

    /**
     * nginx's way with {@code Expect: 100-continue}: the proxy answers 100 itself (Expect is not
     * forwarded), so a body is read only once the request passed the filters.
     */
    private void sendContinueIfExpected() {
        if (request.expectContinue() && hasBody(request) && body != RequestBody.COMPLETE && !sentContinue
                && resp == Response.NONE) {
            sentContinue = true;
            down.sendContinue();
        }
    }

    private static boolean hasBody(RequestHead h) {
        BodyFraming f = h.framing();
        return f == BodyFraming.CHUNKED || (f == BodyFraming.CONTENT_LENGTH && h.contentLength() > 0);
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
            case TO_UPSTREAM:
                return phase == Phase.PROXYING && up != null && up.acceptsBody();
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
                onUpstreamError(up, ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECTION_CLOSED,
                        "connection to " + peer.address() + " failed: " + e.getMessage()));
            }
            return;
        }
        requestBodyBytes += chunk.remaining();
        if (body == RequestBody.DISCARDING) {
            return;
        }
        try {
            sendRequestBody(proxy.requestBodyFilter(this, chunk, false, ctx));
        } catch (Throwable t) {
            fail(asProxyError(t));
        }
    }

    /** Body bytes after the filters, on their way upstream (and kept for a replay while they may be). */
    private void sendRequestBody(ByteBuffer chunk) {
        if (chunk == null || !chunk.hasRemaining() || up == null) {
            return;
        }
        replay.record(chunk, request.method().idempotent());
        up.sendBody(chunk);
        flushUpstream();
    }

    /** The client's request trailers, just before {@link #onRequestEnd}; valid until it returns. */
    void onRequestTrailers(HeaderBlock trailers) {
        requestTrailers = trailers;
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
                sendRequestBody(last);
            }
            if (up != null) {
                up.sendEnd(requestTrailers);
            }
        } catch (Throwable t) {
            fail(asProxyError(t));
            return;
        } finally {
            requestTrailers = null;
        }
        flushUpstream();
    }

    private boolean flushUpstream() {
        return up != null && up.flush();
    }

    /** The origin took what was held of the request. */
    void onUpstreamDrained() {
        if (phase == Phase.TUNNEL) {
            tunnel.upstreamDrained();
        }
        down.resumeRequest();
    }

    // ================================================================== response

    /** The client holds response bytes it has not taken: the origin side must not produce more. */
    boolean responseStalled() {
        return down.stalled();
    }

    /** Sends what is queued toward the client (a head waits for the first body run otherwise). */
    void flushResponse() {
        down.flush();
    }

    /** Where an origin whose heads do not outlive the call (HTTP/2) copies the head it delivers. */
    ResponseHead responseHeadCopy() {
        if (copiedResponse == null) {
            copiedResponse = new ResponseHead();
        }
        return copiedResponse;
    }

    /**
     * A response head from the origin: interim (1xx, more follow) or final. {@code endStream}:
     * nothing follows it (an HTTP/2 HEADERS frame that ended the stream, such as a gRPC
     * trailers-only response), so it goes to the client the same way.
     */
    void onResponseHead(ResponseHead h, boolean endStream) {
        try {
            if (h.interim()) {
                proxy.upstreamResponseFilter(this, h, ctx);
                // an origin's 100 after the one we sent ourselves would be a duplicate
                if (request.version() == MessageHead.HTTP_1_1 && !(h.status() == 100 && sentContinue)) {
                    forwardInterim(h);
                }
                return;
            }
            onFinalHead(h, endStream);
        } catch (Throwable t) {
            fail(asProxyError(t));
        }
    }

    private void onFinalHead(ResponseHead h, boolean endStream) {
        boolean upgrade = h.status() == 101;
        if (upgrade && !upstreamRequest.websocket) {
            throw ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.INVALID_HTTP, 502,
                    "101 Switching Protocols to a request that asked for no upgrade");
        }
        proxy.upstreamResponseFilter(this, h, ctx);
        response = h;
        resp = Response.STARTED;
        noResponseBody = upgrade || request.method() == HttpMethod.HEAD || h.status() == 204 || h.status() == 304;
        h.setVersion(MessageHead.HTTP_1_1); // the proxy speaks its own version (RFC 9110 §2.5)
        HopByHop.strip(h.headers(), upgrade, clientTakesTrailers() && h.framing() == BodyFraming.CHUNKED);
        if (upgrade) {
            h.headers().add("Connection", "Upgrade");
        } else if (endStream && !noResponseBody) {
            // an empty response by its framing (HTTP/2 END_STREAM): an HTTP/1.1 client needs a length
            noResponseBody = true;
            if (down.streamId() == 0 && h.framing() != BodyFraming.CONTENT_LENGTH) {
                h.setContentLength(0);
            }
        } else if (!noResponseBody && h.framing() != BodyFraming.CONTENT_LENGTH) {
            h.setChunked(); // chunked or close-delimited from the origin: length unknown to the client
        }
        proxy.responseFilter(this, h, ctx);
        down.sendResponseHead(h, noResponseBody, !upgrade);
        if (upgrade) {
            startTunnel();
        }
    }

    /** Trailers may go to the client: it said so (TE: trailers), or it speaks HTTP/2, which always carries them. */
    private boolean clientTakesTrailers() {
        return upstreamRequest.clientTakesTrailers || down.streamId() != 0;
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

    /**
     * A run of response body bytes (in a tunnel, any bytes), valid until the client has taken it.
     * {@code endFollows}: the run completes the body by its framing and {@link #onResponseEnd}
     * comes next in the same call, so the run goes out with the end when the filters passed it on
     * untouched (a filter's own output buffer may be written again by its end-of-stream call).
     */
    void onResponseBody(ByteBuffer chunk, boolean endFollows) {
        if (phase == Phase.TUNNEL) {
            tunnel.fromOrigin(chunk);
            return;
        }
        try {
            ByteBuffer in = chunk;
            chunk = proxy.upstreamResponseBodyFilter(this, chunk, false, ctx);
            if (chunk != null) {
                chunk = proxy.responseBodyFilter(this, chunk, false, ctx);
            }
            if (endFollows && chunk == in) {
                sendLastResponseBody(chunk);
            } else {
                sendResponseBody(chunk);
            }
        } catch (Throwable t) {
            fail(asProxyError(t));
        }
    }

    private void sendResponseBody(ByteBuffer chunk) {
        if (chunk == null || !chunk.hasRemaining() || noResponseBody) {
            return;
        }
        responseBodyBytes += chunk.remaining();
        down.sendBody(chunk);
    }

    private void sendLastResponseBody(ByteBuffer chunk) {
        if (chunk == null || !chunk.hasRemaining() || noResponseBody) {
            return;
        }
        responseBodyBytes += chunk.remaining();
        down.sendLastBody(chunk);
    }

    /** The origin's response trailers, before {@link #onResponseEnd}; valid until it returns. */
    void onResponseTrailers(HeaderBlock trailers) {
        try {
            proxy.responseTrailerFilter(this, trailers, ctx);
            responseTrailers = trailers;
        } catch (Throwable t) {
            fail(asProxyError(t));
        }
    }

    /** The response is complete by its framing (or, HTTP/1.x, by the origin closing the connection). */
    void onResponseEnd() {
        if (phase == Phase.TUNNEL || up == null) {
            return;
        }
        try {
            ByteBuffer last = proxy.upstreamResponseBodyFilter(this, EMPTY, true, ctx);
            if (last != null) {
                last = proxy.responseBodyFilter(this, last, true, ctx);
            }
            if (last != null && last != EMPTY) {
                sendResponseBody(last);
            }
            HeaderBlock trailers = responseTrailers;
            responseTrailers = null;
            boolean withTrailers = clientTakesTrailers() && trailers != null && trailers.size() > 0;
            if (withTrailers) {
                trailers.detach();
            }
            down.sendEnd(withTrailers ? trailers : null);
        } catch (Throwable t) {
            fail(asProxyError(t));
            return;
        }
        resp = Response.COMPLETE;
        UpstreamExchange x = up;
        up = null;
        boolean requestFullySent = body == RequestBody.COMPLETE;
        if (!requestFullySent) {
            // the origin answered before taking the whole body: neither connection can be reused
            reuseDownstream = false;
            body = RequestBody.COMPLETE;
        }
        x.finish(requestFullySent);
        maybeFinish();
    }

    void onDownstreamDrained() {
        if (up != null) {
            up.resumeResponse();
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

    private void startTunnel() {
        phase = Phase.TUNNEL;
        tunnel = up.openTunnel(down);
        reuseDownstream = false;
        down.startTunnel();
        down.resumeRequest();
    }

    /** The origin ended its side of the tunnel. */
    void onTunnelOriginEnded() {
        if (tunnel.originEnded()) {
            endTunnel();
        }
    }

    private void endTunnel() {
        resp = Response.COMPLETE;
        if (up != null) {
            up.abort();
            up = null;
        }
        finish();
        down.endTunnel();
    }

    // ================================================================== local responses

    @Override
    public void respond(ResponseHead head, ByteBuffer bodyBytes) {
        if (!loop.inLoop()) {
            throw new IllegalStateException("respond() must run on the session's loop: use session.executor()");
        }
        if (phase == Phase.DONE || phase == Phase.IDLE) {
            throw new IllegalStateException("the request already ended");
        }
        if (resp != Response.NONE) {
            throw new IllegalStateException("a response was already started");
        }
        boolean grpcAnswer = grpc.needsGrpcAnswer(head);
        if (grpcAnswer) {
            // a plain answer to a gRPC call (a refusal, an error page): as gRPC, the status in the head
            grpc.answerAsGrpc(head, bodyBytes, down.streamId() == 0);
            bodyBytes = null;
        }
        resp = Response.STARTED;
        phase = Phase.LOCAL;
        response = head;
        int status = head.status();
        noResponseBody = request.method() == HttpMethod.HEAD || status == 204 || status == 304 || status < 200;
        if (grpcAnswer) {
            noResponseBody = true; // trailers-only: one HEADERS frame that ends the stream
        } else if (status != 204 && status != 304 && status >= 200) {
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

    /**
     * The origin side failed after it was ready: an I/O error, a timeout, a malformed response, a
     * reset stream. The session aborts {@code x} and retries what may be retried; a request the
     * origin refused unprocessed ({@link ProxyError.Kind#STREAM_REFUSED}) may go again whatever its
     * method.
     */
    void onUpstreamError(UpstreamExchange x, ProxyError e) {
        if (x != up) {
            if (x != null) {
                x.abort();
            }
            return;
        }
        boolean refused = e.kind() == ProxyError.Kind.STREAM_REFUSED;
        upstreamFailed(refused ? e.retryable(true) : e, refused);
    }

    /** An error on the upstream side after it was ready. */
    private void upstreamFailed(ProxyError e, boolean unprocessed) {
        UpstreamExchange x = up;
        boolean reused = upstreamReused;
        if (x != null) {
            x.abort();
        }
        up = null;
        if (phase == Phase.TUNNEL) {
            error = e;
            endTunnel();
            return;
        }
        if (phase != Phase.PROXYING && phase != Phase.CONNECTING) {
            return; // the request ended meanwhile
        }
        ProxyError decided;
        try {
            decided = proxy.errorWhileProxy(this, peer, ctx, e, reused);
        } catch (Throwable t) {
            decided = asProxyError(t);
        }
        // the request reached the origin: replay it only if doing it twice is harmless (RFC 9110 §9.2.2)
        if (decided.retryable() && attempts < loop.options.maxAttempts() && replayable()
                && (unprocessed || request.method().idempotent())) {
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
            up.abort();
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
            up.abort();
            up = null;
        }
        error = e;
        if (e.kind() == ProxyError.Kind.INTERNAL && e.getCause() != null) {
            LOG.warn("internal error in request {} {}", request.methodName(), request.target(), e.getCause());
        }
        FailToProxy f;
        boolean startedBefore = resp != Response.NONE;
        try {
            f = ctx == null && e.source() == ProxyError.Source.DOWNSTREAM
                    ? new FailToProxy(e.status(), false) : proxy.failToProxy(this, e, ctx);
        } catch (Throwable t) {
            f = new FailToProxy(500, false);
        }
        boolean startedNow = resp != Response.NONE;
        if (!startedBefore && startedNow) {
            // failToProxy answered with respond() (a stale cached copy, say): a whole response went
            // out, so the request ends as a local answer, keeping the connection as respond() chose
            phase = Phase.LOCAL;
            down.resumeRequest();
            maybeFinish();
            return;
        }
        if (startedNow) {
            if (grpc.active() && resp == Response.STARTED && !down.stalled() && clientTakesTrailers()) {
                endGrpcCall(e);
                return;
            }
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
            if (grpc.active()) {
                sendGrpcError(e, f.status(), reuse);
            } else {
                sendError(f.status(), reuse);
            }
        }
        resp = Response.COMPLETE;
        phase = Phase.LOCAL;
        down.resumeRequest(); // reads the rest of a small body, or the END of a bodiless request
        maybeFinish();
    }

    /**
     * A gRPC call whose response was under way failed (the origin went away, its deadline passed):
     * it ends with a status in its trailers, which a gRPC client reads as the call's outcome,
     * rather than a broken stream. Only with nothing held for the client (what it holds may be the
     * origin's buffer, given back now).
     */
    private void endGrpcCall(ProxyError e) {
        down.sendEnd(grpc.failureTrailers(e));
        resp = Response.COMPLETE;
        reuseDownstream = false;
        body = RequestBody.COMPLETE;
        phase = Phase.LOCAL;
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

    /** The proxy's own failure of a gRPC call, as gRPC answers one: HTTP 200, trailers-only. */
    private void sendGrpcError(ProxyError e, int status, boolean keepAlive) {
        ResponseHead h = localResponse;
        grpc.failure(h, e, status, down.streamId() == 0);
        response = h;
        resp = Response.STARTED;
        down.sendResponseHead(h, true, keepAlive);
        down.sendEnd(null);
    }

    private ProxyError asProxyError(Throwable t) {
        if (t instanceof ProxyError pe) {
            return pe;
        }
        return ProxyError.of(ProxyError.Source.INTERNAL, ProxyError.Kind.INTERNAL,
                "unexpected " + t.getClass().getSimpleName() + ": " + t.getMessage(), t);
    }

    // ================================================================== the gRPC deadline

    @Override
    public long currentDeadline() {
        return phase == Phase.DONE || phase == Phase.IDLE || phase == Phase.LOCAL ? 0 : grpc.deadline();
    }

    /** The call's grpc-timeout passed: it ends with DEADLINE_EXCEEDED, and the origin's stream is cancelled. */
    @Override
    public void onDeadline(long nowNanos) {
        if (phase == Phase.TUNNEL) {
            return;
        }
        ProxyError.Source source = phase == Phase.CONNECTING || phase == Phase.PROXYING
                ? ProxyError.Source.UPSTREAM : ProxyError.Source.INTERNAL;
        fail(ProxyError.of(source, ProxyError.Kind.READ_TIMEOUT, 504,
                "the call's deadline (grpc-timeout) passed"));
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
        if (grpc.deadline() != 0) {
            deadline.cancel();
        }
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

    @Override
    public boolean responseStarted() {
        return resp != Response.NONE;
    }
}
