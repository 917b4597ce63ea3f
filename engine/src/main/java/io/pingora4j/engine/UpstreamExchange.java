package io.pingora4j.engine;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import java.nio.ByteBuffer;

/**
 * The origin side of one request, whatever the protocol: an HTTP/1.1 connection the request has
 * to itself ({@link H1UpstreamExchange}) or one stream of a multiplexed HTTP/2 connection
 * ({@link H2UpstreamStream}). {@link ProxySession} sends the request through this and never asks
 * which protocol it is talking; framing, flow control and pooling are the implementation's
 * business.
 *
 * <p>The request goes out in order: {@link #sendHead}, {@link #sendBody} while
 * {@link #acceptsBody()}, {@link #sendEnd}. The response comes back to the owning session:
 * {@link ProxySession#onResponseHead} (interim heads first), {@link ProxySession#onResponseBody}
 * while the client takes bytes ({@link ProxySession#responseStalled()}; {@link #resumeResponse()}
 * when it took them), {@link ProxySession#onResponseTrailers}, {@link ProxySession#onResponseEnd};
 * or {@link ProxySession#onUpstreamError} at any point, after which the session calls
 * {@link #abort()}.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
interface UpstreamExchange {

    /**
     * Sends the request head. {@code endStream}: the request has no body (nothing else follows;
     * {@link #sendEnd} is then a no-op). The head is the session's and stays unchanged until the
     * request ends; an implementation may hold it (HTTP/1.0 origins get it with the whole body).
     */
    void sendHead(RequestHead head, boolean endStream);

    /** How long the TCP connect of this exchange's connection took, in nanoseconds; -1 when unknown. */
    default long connectNanos() {
        return -1;
    }

    /** How long its TLS handshake took, in nanoseconds; -1 on plain TCP or when unknown. */
    default long tlsHandshakeNanos() {
        return -1;
    }

    /** Whether {@link #sendBody} may be called now (what was sent before is no longer held). */
    boolean acceptsBody();

    /**
     * A run of request body bytes. It may be a window on the client connection's buffer, held
     * (not copied) until it has gone out: {@link ProxySession#onUpstreamDrained()} says when.
     */
    void sendBody(ByteBuffer chunk);

    /** The end of the request body, with trailer fields (null or empty: none). */
    void sendEnd(HeaderBlock trailers);

    /**
     * Pushes what is queued toward the origin. Returns true when nothing of the request is held
     * any more; else {@link ProxySession#onUpstreamDrained()} follows when it is. A write error
     * is reported to the session ({@link ProxySession#onUpstreamError}) and false returned.
     */
    boolean flush();

    /** The client took what it held: deliver what is buffered, and read on. */
    void resumeResponse();

    /** A tunnel over this exchange after 101 Switching Protocols (HTTP/1.1 only). */
    Tunnel openTunnel(Downstream down);

    /**
     * The response is complete (the session saw {@link ProxySession#onResponseEnd}): the connection
     * goes back to its pool, or the stream to its connection. {@code requestComplete} false: the
     * request body was not all sent, so the rest is abandoned (HTTP/1.1: the connection closes;
     * HTTP/2: the stream is cancelled).
     */
    void finish(boolean requestComplete);

    /** Given to the session but not used (it ended meanwhile, or took another): back to the pool. */
    void abandon();

    /** Ends the exchange abruptly (HTTP/1.1: the connection closes; HTTP/2: RST_STREAM CANCEL). Idempotent. */
    void abort();
}
