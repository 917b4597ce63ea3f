package io.pingora4j.spi;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import java.nio.ByteBuffer;

/**
 * A proxy, as a set of phases the engine calls for every request (after Pingora's
 * {@code proxy_trait.rs}). Only {@link #upstreamPeer} must be written; every other phase has a
 * default that does nothing.
 *
 * <h2>The life of a request</h2>
 * <pre>
 *  newCtx                       per-request state, passed to every phase
 *  earlyRequestFilter           first, before anything else (rewrite, request id)
 *  requestFilter                may answer the request itself (RESPONDED) or defer
 *  upstreamPeer                 where to send it                      ──┐ on a connect failure,
 *  connectedToUpstream          connected (new or reused connection)   │ failToConnect may mark
 *  upstreamRequestFilter        edit the head sent upstream           ──┘ it retryable: ask again
 *  requestBodyFilter            each chunk of the client's body, streaming
 *  upstreamResponseFilter       the origin's head, as received
 *  responseFilter               the head sent to the client (also for answers made by the proxy)
 *  upstreamResponseBodyFilter   each chunk as received from the origin
 *  responseBodyFilter           each chunk as sent to the client
 *  responseTrailerFilter        the trailers of a chunked response
 *  errorWhileProxy / failToProxy   on errors: classify, then choose what the client sees
 *  logging                      always last, exactly once, with the error or null
 * </pre>
 *
 * <h2>Threads and blocking</h2>
 * Every phase runs on the event loop of the client connection and must not block. A request
 * phase that has to wait returns {@link Action#defer}; other sessions run meanwhile. Phases may
 * throw {@link ProxyError} (a filter's way to fail with a status); any other exception is an
 * internal error answered with 500.
 *
 * @param <C> the per-request context type
 */
public interface ProxyHttp<C> {

    /** Creates the per-request context. Called first, once per request. */
    C newCtx();

    /** Runs before anything else; for work every request needs, such as a request id or a rewrite. */
    default void earlyRequestFilter(Session session, C ctx) {
    }

    /**
     * Decides whether the request goes on. Return {@link Action#RESPONDED} after
     * {@link Session#respond} to answer it here (nothing goes upstream), or {@link Action#defer}
     * to wait without blocking.
     */
    default Action requestFilter(Session session, C ctx) {
        return Action.CONTINUE;
    }

    /**
     * Chooses the origin. Called once per attempt: again after a retryable failure, so it can
     * pick another backend. Return the same {@link HttpPeer} instance for the same backend.
     *
     * @throws ProxyError {@link ProxyError.Kind#NO_UPSTREAM} when there is nowhere to send it
     */
    HttpPeer upstreamPeer(Session session, C ctx);

    /** The connection to {@code peer} is ready; {@code reused} says it came from the pool. */
    default void connectedToUpstream(Session session, C ctx, HttpPeer peer, boolean reused) {
    }

    /**
     * Edits the head sent upstream (a copy of the client's head with hop-by-hop fields removed
     * and X-Forwarded-* set as configured). Runs once per attempt.
     */
    default void upstreamRequestFilter(Session session, RequestHead upstreamRequest, C ctx) {
    }

    /**
     * Sees (and may replace) each chunk of the client's body on its way upstream. Return the
     * chunk, another buffer, or null to drop it. {@code chunk} is only valid during the call.
     */
    default ByteBuffer requestBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream, C ctx) {
        return chunk;
    }

    /** The origin's response head as received (interim 1xx heads included), before anything else sees it. */
    default void upstreamResponseFilter(Session session, ResponseHead upstreamResponse, C ctx) {
    }

    /**
     * Edits the response head sent to the client. Runs for origin responses and for answers made
     * with {@link Session#respond}. A filter that changes the body's length must fix the framing
     * ({@link ResponseHead#setChunked()}).
     *
     * <p>Interim heads (103 Early Hints, 102, 100 from the origin: {@link ResponseHead#interim()})
     * pass here too, in order and before the final head, when the client speaks HTTP/1.1 (an
     * HTTP/1.0 client never gets them). A filter may edit one or drop it with
     * {@link Session#dropInterimResponse()}; {@link Session#response()} stays the final head.
     */
    default void responseFilter(Session session, ResponseHead response, C ctx) {
    }

    /** Each chunk as received from the origin. Return the chunk, another buffer, or null to drop it. */
    default ByteBuffer upstreamResponseBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream, C ctx) {
        return chunk;
    }

    /** Each chunk as sent to the client. Return the chunk, another buffer, or null to drop it. */
    default ByteBuffer responseBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream, C ctx) {
        return chunk;
    }

    /**
     * The trailers of a response (HTTP/2 trailers, or a chunked HTTP/1.1 body's), before the end
     * of its body is seen by the body filters; edit in place. They reach a client that takes
     * trailers (HTTP/2, or HTTP/1.1 with {@code TE: trailers}).
     */
    default void responseTrailerFilter(Session session, HeaderBlock trailers, C ctx) {
    }

    /**
     * A connection to {@code peer} failed. Return the error, marked
     * {@link ProxyError#retryable(boolean) retryable} to have {@link #upstreamPeer} asked again.
     * By default nothing is retried.
     */
    default ProxyError failToConnect(Session session, HttpPeer peer, C ctx, ProxyError error) {
        return error;
    }

    /**
     * An error after the connection was made (while sending the request or reading the response).
     * The engine retries only what it can replay: an idempotent request (RFC 9110 §9.2.2) whose
     * body it still holds, and only if nothing of the response reached the client; a POST that may
     * have reached the origin is never sent twice. By default, a failure on a reused
     * pooled connection before any response byte is marked retryable (the origin may have closed it
     * as we sent), anything else is not.
     */
    default ProxyError errorWhileProxy(Session session, HttpPeer peer, C ctx, ProxyError error, boolean reusedConnection) {
        return reusedConnection && error.kind() == ProxyError.Kind.CONNECTION_CLOSED ? error.retryable(true) : error;
    }

    /**
     * The request failed for good. Choose the status the client gets (sent only if no response
     * was started) and whether its connection may be reused. Instead, a proxy that has another
     * answer (a stale cached copy, say) may send it with {@link Session#respond} when
     * {@link Session#responseStarted()} is false; the request then ends as that answer, whatever
     * this returns.
     */
    default FailToProxy failToProxy(Session session, ProxyError error, C ctx) {
        boolean reuse = error.source() == ProxyError.Source.UPSTREAM || error.kind() == ProxyError.Kind.HTTP_STATUS;
        return new FailToProxy(error.status(), reuse);
    }

    /** Last, exactly once per request, whatever happened; {@code error} is null on success. */
    default void logging(Session session, ProxyError error, C ctx) {
    }

    /**
     * A request refused before any phase ran, so no other phase (not even {@link #logging}) sees
     * it: a malformed head (answered 400, 414, 431...) or a client too slow to send its head (408).
     * For logs and metrics; {@link Session#request()} may be partial, and
     * {@link Session#response()} is what was sent (null when nothing could be).
     */
    default void requestRejected(Session session, ProxyError error) {
    }
}
