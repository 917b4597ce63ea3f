/**
 * HTTP/2 (RFC 9113) and HPACK (RFC 7541), with no I/O: bytes in, events out, frames out.
 *
 * <h2>What the engine uses</h2>
 * One {@link io.pingora4j.codec.h2.H2Connection} per connection, in the
 * {@link io.pingora4j.codec.h2.H2Connection.Role#SERVER SERVER} role for clients (browsers, curl,
 * gRPC) and {@link io.pingora4j.codec.h2.H2Connection.Role#CLIENT CLIENT} toward h2 origins. The
 * engine implements two small interfaces:
 * <ul>
 *   <li>{@link io.pingora4j.codec.h2.H2FrameSink}: where frames go. {@code reserve(n)} returns a
 *       buffer with {@code n} bytes free for control frames, header blocks and DATA frame headers;
 *       {@code payload(buf)} hands over a DATA payload, the application's own buffer (zero copy):
 *       copy it or keep a duplicate until written, in call order.</li>
 *   <li>{@link io.pingora4j.codec.h2.H2Listener}: what arrives. A request is delivered as an h1
 *       {@link io.pingora4j.codec.h1.RequestHead} (HTTP/1.1, Host from {@code :authority}, body
 *       framing CONTENT_LENGTH, CHUNKED for "unknown length, until END_STREAM", or NONE), a
 *       response (client role) as a {@link io.pingora4j.codec.h1.ResponseHead}, trailers as a
 *       {@link io.pingora4j.codec.h1.HeaderBlock}, body bytes as a window of the input buffer.
 *       All are valid only during the call.</li>
 * </ul>
 * Calls, all on the connection's loop:
 * <pre>
 *   H2Frames.matchPreface(in)                   plain listener: h2c prior knowledge or HTTP/1.1?
 *   start()                                     queue our preface and SETTINGS; arm a timer of
 *                                               limits().settingsTimeoutMillis() that calls
 *                                               settingsTimeout() (a no-op once acknowledged)
 *   receive(in, System.nanoTime())              every byte read, the client's preface included;
 *                                               consumes all of in (position = limit)
 *   writeHeaders(stream, responseHead, end)     server: a response (1xx first if need be)
 *   openStream(requestHead, "https", end)       client: a request on a new stream; its id
 *   writeData(stream, buf, end) -> n            what flow control let through (buf advanced);
 *                                               onStreamWritable(stream) says when to go on; -1: gone
 *   writeTrailers(stream, fields)               ends the stream
 *   consumed(stream, n)                         body bytes the engine is done with: windows reopen;
 *                                               not calling it back-pressures the peer
 *   resetStream(stream, code)                   RST_STREAM (e.g. CANCEL when the origin failed)
 *   shutdownGracefully() / goAway(code)         two-step GOAWAY / immediate GOAWAY
 *   outboundDrained()                           the output queue is empty (control-frame flood cap)
 *   canClose()                                  nothing left after GOAWAY: close the socket
 * </pre>
 * A stream error (malformed request, frame on a closed stream) resets that stream and is reported
 * ({@code onStreamReset} for streams the engine knows, {@code onRefusedStream} for requests it
 * never saw); a connection error queues GOAWAY and calls {@code onConnectionError}: flush, close.
 *
 * <h2>Inside</h2>
 * {@link io.pingora4j.codec.h2.H2FrameReader} splits frames across any input split (DATA and
 * header fragments streamed as they arrive); {@link io.pingora4j.codec.h2.HpackDecoder} decodes
 * header blocks fragment by fragment into one reused buffer, measuring the header list as it
 * goes; the downgrade to an h1 head lays the fields out as HTTP/1.1 text and runs the h1
 * {@link io.pingora4j.codec.h1.RequestParser} over it, so every h1 rule holds for h2 requests too.
 * Every refusal is an {@link io.pingora4j.codec.h2.H2Error} with its RFC section and error code;
 * every limit is a field of {@link io.pingora4j.codec.h2.H2Limits}. Server push is not
 * implemented: PUSH_PROMISE is refused and SETTINGS_ENABLE_PUSH is 0.
 *
 * <p>Not thread-safe: a connection and everything in it belong to one event loop.
 */
package io.pingora4j.codec.h2;
