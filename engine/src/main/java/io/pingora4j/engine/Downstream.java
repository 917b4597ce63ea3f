package io.pingora4j.engine;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.TlsInfo;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The client side of one request, whatever the protocol: the current request of an HTTP/1.1
 * connection ({@link H1Downstream}) or one HTTP/2 stream. {@link ProxySession} runs the phases
 * over this and never asks which protocol it is talking; framing (chunked coding, Connection
 * fields, DATA frames and flow control) is the implementation's business.
 *
 * <p>The implementation drives the session: {@link ProxySession#onRequestHead},
 * {@link ProxySession#onRequestBody}, {@link ProxySession#onRequestEnd} as the request arrives
 * (body bytes only while {@link ProxySession#acceptsRequestBytes()}), and
 * {@link ProxySession#onDownstreamDrained} when bytes it held have gone out.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
interface Downstream {

    EventLoop loop();

    /** The request being served (valid from {@code onRequestHead} until the session finishes). */
    RequestHead requestHead();

    /** "HTTP/1.1", "HTTP/1.0" or "HTTP/2.0": what the client speaks. */
    String protocol();

    /** The HTTP/2 stream id, or 0 on HTTP/1.x. */
    int streamId();

    InetSocketAddress remote();

    InetSocketAddress local();

    /** The client's IP as text, cached. */
    String clientIp();

    TlsInfo tls();

    /** 1 for the first request on the connection, then 2, ... (HTTP/2: streams so far). */
    int requestNumber();

    /** The server is shutting down: no new requests on this connection after the current ones. */
    boolean draining();

    // ------------------------------------------------------------------ the request

    /** The session can take request bytes again: deliver what is buffered (and read on). */
    void resumeRequest();

    /**
     * The request is answered before its body was read: may the rest of the body be read and
     * dropped so the connection serves on (HTTP/1.1: only when what is left is small)? When false
     * the connection (HTTP/1.1) or the stream (HTTP/2) ends with the response.
     */
    boolean mayDiscardRestOfBody(long bodyBytesRead);

    /** "100 Continue" to a client that asked for it: the proxy answers it before reading the body. */
    void sendContinue();

    // ------------------------------------------------------------------ the response

    /** An interim (1xx) head, before the final one. */
    void sendInterim(ResponseHead head);

    /**
     * The final head. {@code noBody}: nothing follows (HEAD, 204, 304). {@code keepAlive}: the
     * session would keep the connection (HTTP/1.1 also needs the client to want it, and may refuse
     * it for framing). The head's framing is CONTENT_LENGTH, CHUNKED (length unknown), NONE or
     * TUNNEL (101).
     */
    void sendResponseHead(ResponseHead head, boolean noBody, boolean keepAlive);

    /**
     * A run of body bytes. They may be a window on another connection's read buffer: what cannot
     * go out now is held (and {@link #stalled()} says so) until {@code onDownstreamDrained}; the
     * caller must not reuse the bytes' buffer meanwhile.
     */
    void sendBody(ByteBuffer chunk);

    /**
     * The last run of body bytes, with {@link #sendEnd} called next in the same call: it may wait to
     * go out with the end (one write), so what runs at the end of the response (the origin's
     * connection going back to its pool, the backend's in-flight count) happens before the client
     * has the whole response and can send its next request. By default, {@link #sendBody}.
     */
    default void sendLastBody(ByteBuffer chunk) {
        sendBody(chunk);
    }

    /** The end of the body, with trailer fields (null or empty: none). */
    void sendEnd(HeaderBlock trailers);

    /** Sends what is queued (a head waits to go out with the first body run otherwise). */
    void flush();

    /** Bytes are held that the client has not taken: stop producing until {@code onDownstreamDrained}. */
    boolean stalled();

    /** Anything of the response not yet handed to the socket (or, HTTP/2, to the connection). */
    boolean pending();

    // ------------------------------------------------------------------ the end

    /**
     * The request is over and logged. {@code reusable}: the session read the whole request and
     * nothing went wrong, so the connection may carry the next one.
     */
    void finished(boolean reusable);

    /** Ends the exchange abruptly: the client must see a broken response (HTTP/1.1: close; HTTP/2: RST_STREAM). */
    void abort();

    /** Whether this downstream can become a tunnel (HTTP/1.1: 101 or CONNECT; an HTTP/2 stream cannot). */
    boolean supportsTunnel();

    /** From now on bytes pass through untouched both ways (after 101 or an accepted CONNECT). */
    void startTunnel();

    /** The tunnel is over: close once what is queued has gone out. */
    void endTunnel();
}
