package io.pingora4j.spi;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import java.nio.ByteBuffer;

/**
 * One link of a filter chain: the phases of {@link ProxyHttp} a filter may take part in. A proxy
 * (the server's locations) runs its chain in order at each phase; the first filter whose
 * {@link #requestFilter} does not return {@link Action#CONTINUE} ends the request phase.
 *
 * <p>One instance serves every request of its location, concurrently from every event loop:
 * keep per-request state in {@link Session#setAttribute}, and shared state thread-safe. Callbacks
 * run on an event loop and must not block (see {@link Action#defer}).
 */
public interface HttpFilter {

    /** See {@link ProxyHttp#earlyRequestFilter}. */
    default void earlyRequestFilter(Session session) {
    }

    /** See {@link ProxyHttp#requestFilter}. */
    default Action requestFilter(Session session) {
        return Action.CONTINUE;
    }

    /** See {@link ProxyHttp#requestBodyFilter}. */
    default ByteBuffer requestBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream) {
        return chunk;
    }

    /** See {@link ProxyHttp#upstreamRequestFilter}. */
    default void upstreamRequestFilter(Session session, RequestHead upstreamRequest) {
    }

    /** See {@link ProxyHttp#upstreamResponseFilter}. */
    default void upstreamResponseFilter(Session session, ResponseHead upstreamResponse) {
    }

    /** See {@link ProxyHttp#responseFilter}. */
    default void responseFilter(Session session, ResponseHead response) {
    }

    /** See {@link ProxyHttp#responseBodyFilter}. */
    default ByteBuffer responseBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream) {
        return chunk;
    }

    /**
     * See {@link ProxyHttp#responseTrailerFilter}: the trailers of a response (HTTP/2, or chunked
     * HTTP/1.1), before the end of its body; edit in place. A filter that turns them into body
     * bytes (the gRPC-web bridge) clears them and returns those bytes from
     * {@link #responseBodyFilter} at the end of the stream, which follows.
     */
    default void responseTrailerFilter(Session session, HeaderBlock trailers) {
    }

    /**
     * The request failed for good (see {@link ProxyHttp#failToProxy}): a filter with another answer
     * may send it with {@link Session#respond} if {@link Session#responseStarted()} is still false.
     * The first filter that responds ends the chain.
     */
    default void failToProxy(Session session, ProxyError error) {
    }

    /** See {@link ProxyHttp#logging}. */
    default void logging(Session session, ProxyError error) {
    }
}
