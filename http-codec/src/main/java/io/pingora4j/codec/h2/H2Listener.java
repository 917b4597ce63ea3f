package io.pingora4j.codec.h2;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import java.nio.ByteBuffer;

/**
 * What an {@link H2Connection} reports to its engine, from inside
 * {@link H2Connection#receive}. The connection may be called back from any of these methods
 * (write a response, reset a stream, report bytes consumed).
 *
 * <p>Heads, trailers and data are views of the connection's buffers, valid only during the
 * call: copy what must outlive it ({@link RequestHead#copyFrom}, {@link HeaderBlock#copyFrom}).
 */
public interface H2Listener {

    /**
     * Server role: a request on a new stream, downgraded to an HTTP/1.1 head (version 1.1, Host
     * from {@code :authority}). {@code endStream} true means no body; otherwise the head's framing
     * is CONTENT_LENGTH (the client sent content-length, which the codec holds the DATA to) or
     * CHUNKED (length unknown: the body runs to the end of the stream).
     */
    default void onRequestHeaders(int streamId, RequestHead head, boolean endStream) {
    }

    /**
     * Client role: a response head, downgraded to HTTP/1.1; interim (1xx) heads come first, each
     * with {@code endStream} false, then the final one.
     */
    default void onResponseHeaders(int streamId, ResponseHead head, boolean endStream) {
    }

    /** Trailer fields; they end the stream. */
    default void onTrailers(int streamId, HeaderBlock trailers) {
    }

    /**
     * Body bytes, {@code data[position, limit)} of the connection's input buffer (no copy). The
     * peer's flow-control window shrinks by them until {@link H2Connection#consumed} gives them
     * back: not consuming is how the engine slows a peer down.
     */
    void onData(int streamId, ByteBuffer data, boolean endStream);

    /**
     * A stream that the engine knows (its headers were delivered, or it opened it) was reset:
     * by the peer ({@code cause} null), or by the codec because of what the peer sent ({@code cause}
     * says why; the RST_STREAM is already queued). The stream is gone.
     */
    default void onStreamReset(int streamId, int errorCode, H2Exception cause) {
    }

    /**
     * A stream the engine never saw was refused before its head was delivered (a malformed or
     * refused request; RST_STREAM already queued). For logs: an h1 server would have answered 400.
     */
    default void onRefusedStream(int streamId, H2Exception cause) {
    }

    /** The peer sent GOAWAY: streams above {@code lastStreamId} that we opened were reset already. */
    default void onGoAway(int lastStreamId, int errorCode) {
    }

    /** A stream whose {@link H2Connection#writeData} fell short can take more data now. */
    default void onStreamWritable(int streamId) {
    }

    /** The peer's SETTINGS were applied (the first time, and after every change). */
    default void onSettings() {
    }

    /** Our PING came back. */
    default void onPingAck(long data) {
    }

    /**
     * The connection failed: a GOAWAY with the error is already queued. Flush it and close; the
     * connection refuses all further input and output.
     */
    void onConnectionError(H2Exception error);
}
