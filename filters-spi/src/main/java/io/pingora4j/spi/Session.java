package io.pingora4j.spi;

import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;

/**
 * One request's view of the proxy: its head, who sent it, a way to answer it directly, and a
 * per-request attribute map through which filters pass data to later phases and to logging.
 *
 * <p>Owned by the event loop of the client connection; use it only from callbacks (or from a
 * deferred completion's result, never from another thread directly).
 */
public interface Session {

    /**
     * The client's request head. Filters may edit it in request phases; what is sent upstream is
     * this head after {@link ProxyHttp#upstreamRequestFilter} (hop-by-hop fields removed).
     */
    RequestHead request();

    /** The client's address (the TCP peer). */
    InetSocketAddress clientAddress();

    /** The client's IP as text, without port. Cached: calling it again does not allocate. */
    String clientIp();

    /** The address the client connected to (our listener). */
    InetSocketAddress serverAddress();

    /** "https" when the client connection is TLS, "http" otherwise. */
    String scheme();

    /**
     * The client connection's TLS parameters (version, cipher suite, ALPN, SNI, client
     * certificate subject), or null on a plain connection.
     */
    default TlsInfo tls() {
        return null;
    }

    /**
     * What the client speaks: {@code "HTTP/1.1"}, {@code "HTTP/1.0"} or {@code "HTTP/2.0"}. The
     * phases run the same for every protocol; this is for logs and for filters that care.
     */
    default String protocol() {
        return request().version() == RequestHead.HTTP_1_0 ? "HTTP/1.0" : "HTTP/1.1";
    }

    /** The HTTP/2 stream id of the request, or 0 on HTTP/1.x. */
    default int streamId() {
        return 0;
    }

    /**
     * Whether the request is a gRPC call: its Content-Type is {@code application/grpc} or
     * {@code application/grpc-web} (with any {@code +proto}, {@code -text} suffix). Such a call is
     * proxied stream by stream, and when the proxy itself fails it (origin down, timeout, a filter
     * refusing it) the client is answered as gRPC does: HTTP 200 with {@code grpc-status} and
     * {@code grpc-message} in a trailers-only response, never an HTML error page.
     */
    default boolean grpc() {
        return false;
    }

    /**
     * The gRPC service called ({@code "helloworld.Greeter"} for the path
     * {@code /helloworld.Greeter/SayHello}), or null when the request is not {@link #grpc()} or
     * its path is not {@code /service/method}. For limits and logs that key on it; cached.
     */
    default String grpcService() {
        return null;
    }

    /** The gRPC method called ({@code "SayHello"}), or null as for {@link #grpcService()}. */
    default String grpcMethod() {
        return null;
    }

    /** 1 for the first request on a connection, 2 for the next (keep-alive), and so on. */
    int requestNumber();

    /** {@link System#nanoTime()} when the request's first byte was read. */
    long startNanos();

    /** A value a filter stored for this request, or null. */
    Object attribute(String name);

    /** Stores a value for later phases of this request (and for logging). */
    void setAttribute(String name, Object value);

    /**
     * Answers the request from the proxy: sends {@code head} with {@code body} (may be null or
     * empty) and nothing goes upstream. Content-Length is set from the body. Call it from a
     * request phase and return {@link Action#RESPONDED}; response phases still run for it.
     *
     * @throws IllegalStateException if a response was already started, or the request already
     *         ended (the client went away while a deferred phase waited)
     */
    void respond(ResponseHead head, ByteBuffer body);

    /** {@link #respond(ResponseHead, ByteBuffer)} with a status, a content type (may be null) and a body. */
    void respond(int status, String contentType, byte[] body);

    /**
     * Runs tasks on this session's event loop. A filter that waits elsewhere continues on the loop
     * through it, e.g. {@code future.thenApplyAsync(x -> { session.respond(...); return Action.RESPONDED; },
     * session.executor())} as the stage given to {@link Action#defer}.
     */
    Executor executor();

    /**
     * From {@link ProxyHttp#responseFilter} on an interim head ({@link ResponseHead#interim()}: 1xx
     * other than 101): that head is not sent to the client. The exchange goes on to the final
     * response either way.
     *
     * @throws IllegalStateException outside a response filter on an interim head
     */
    default void dropInterimResponse() {
        throw new IllegalStateException("dropInterimResponse() is for an interim head in responseFilter");
    }

    /** True once a response head has been sent (or queued) to the client. */
    boolean responseStarted();

    /**
     * The response head as sent to the client (after {@link ProxyHttp#responseFilter}); null
     * before. For logging.
     */
    ResponseHead response();

    /** The peer chosen by {@link ProxyHttp#upstreamPeer}, or null (not chosen, or answered locally). */
    HttpPeer peer();

    /** Whether the upstream connection used for this request came from the pool. */
    boolean upstreamReused();

    /**
     * For the attempt in progress (from {@link ProxyHttp#connectedToUpstream} on): how long its new
     * connection took to connect over TCP, in nanoseconds; -1 when it came from the pool, or before
     * any connection. For metrics and traces.
     */
    default long upstreamConnectNanos() {
        return -1;
    }

    /**
     * As {@link #upstreamConnectNanos()}, the TLS handshake with the origin that followed the
     * connect; -1 for a plain or pooled connection.
     */
    default long upstreamTlsHandshakeNanos() {
        return -1;
    }

    /** Body bytes sent to the client so far (without head or chunk framing). */
    long responseBodyBytes();

    /** Body bytes received from the client so far. */
    long requestBodyBytes();
}
