package io.pingora4j.engine;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.codec.h2.H2ErrorCode;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.ProxyHttp;
import io.pingora4j.spi.TlsInfo;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One HTTP/2 stream as the {@link Downstream} of a {@link ProxySession}: the request head the
 * codec decoded, its body (copied out of the connection's read buffer into pooled buffers, and
 * given back to the client's flow-control window only as the session takes it: a slow origin
 * slows this stream's client, not the connection), and the response as HEADERS and DATA frames.
 *
 * <p>Response body bytes are passed through to the connection's output as far as the stream's
 * and the connection's windows and the output's room allow; the rest is held (a window on the
 * origin connection's read buffer, which does not read again meanwhile: {@link #stalled()}) until
 * the client opens its window or reads. Streams are pooled by their connection and reused.
 *
 * <p>Not thread-safe: owned by the connection's event loop.
 */
final class H2RequestStream implements Downstream {

    private final H2Downstream conn;
    final ProxySession session;
    private final RequestHead head = new RequestHead();
    private final HeaderBlock heldTrailers = new HeaderBlock();
    private final HeaderBlock requestTrailers = new HeaderBlock();
    private boolean hasRequestTrailers;

    int id;
    private int number;
    /** Request body bytes received and not yet taken by the session. */
    private final H2ReceivedBody body = new H2ReceivedBody();
    private boolean requestEnded;
    private boolean requestEndDelivered;
    private boolean delivering;
    /** Response body bytes not sent yet (flow control or output room); the end waits behind them. */
    private ByteBuffer held;
    private boolean endHeld;
    private boolean trailersHeld;
    private boolean responseEnded;
    private boolean gone;

    H2RequestStream(H2Downstream conn, ProxyHttp<Object> proxy) {
        this.conn = conn;
        this.session = new ProxySession(this, proxy);
    }

    /** Takes stream {@code id}: {@code request} is valid only during the call, so it is copied. */
    void open(int id, int number, RequestHead request, boolean endStream) {
        this.id = id;
        this.number = number;
        head.copyFrom(request);
        head.detach();
        body.clear(conn.loop.buffers);
        requestEnded = endStream;
        requestEndDelivered = false;
        hasRequestTrailers = false;
        held = null;
        endHeld = false;
        trailersHeld = false;
        responseEnded = false;
        gone = false;
        session.onRequestHead();
        if (!gone) {
            deliver();
        }
    }

    // ------------------------------------------------------------------ request body from the client

    /** Body bytes from the codec, valid during the call: copied, then given to the session as it takes them. */
    void onData(ByteBuffer data, boolean endStream) {
        body.add(data, conn.loop.buffers);
        if (endStream) {
            requestEnded = true;
        }
        deliver();
    }

    /** The request's trailers (valid during the call: copied), which end it. */
    void onTrailers(HeaderBlock trailers) {
        requestTrailers.copyFrom(trailers);
        requestTrailers.detach();
        hasRequestTrailers = requestTrailers.size() > 0;
        requestEnded = true;
        deliver();
    }

    /** Hands buffered body bytes (and the end) to the session while it takes them. */
    private void deliver() {
        if (delivering) {
            return;
        }
        delivering = true;
        try {
            while (!gone && !requestEndDelivered && session.acceptsRequestBytes()) {
                // the session took the last run: its bytes are no longer referenced
                int done = body.doneWithRun(conn.loop.buffers);
                if (done > 0) {
                    conn.h2.consumed(id, done);
                }
                ByteBuffer v = body.nextRun();
                if (v != null) {
                    session.onRequestBody(v);
                    continue;
                }
                if (requestEnded) {
                    requestEndDelivered = true;
                    if (hasRequestTrailers) {
                        session.onRequestTrailers(requestTrailers);
                    }
                    session.onRequestEnd();
                }
                return;
            }
        } finally {
            delivering = false;
        }
    }

    // ------------------------------------------------------------------ Downstream: identity

    @Override
    public EventLoop loop() {
        return conn.loop;
    }

    @Override
    public RequestHead requestHead() {
        return head;
    }

    @Override
    public String protocol() {
        return "HTTP/2.0";
    }

    @Override
    public int streamId() {
        return id;
    }

    @Override
    public InetSocketAddress remote() {
        return conn.remote;
    }

    @Override
    public InetSocketAddress local() {
        return conn.local;
    }

    @Override
    public String clientIp() {
        return conn.clientIp();
    }

    @Override
    public TlsInfo tls() {
        return conn.transport.tlsInfo();
    }

    @Override
    public int requestNumber() {
        return number;
    }

    @Override
    public boolean draining() {
        return conn.draining();
    }

    // ------------------------------------------------------------------ Downstream: the request

    @Override
    public void resumeRequest() {
        deliver();
    }

    @Override
    public boolean mayDiscardRestOfBody(long bodyBytesRead) {
        return false; // the stream ends with the response (RST_STREAM NO_ERROR); the connection lives on
    }

    @Override
    public void sendContinue() {
        ResponseHead h = conn.continueHead();
        conn.h2.writeHeaders(id, h, false);
        conn.scheduleFlush();
    }

    // ------------------------------------------------------------------ Downstream: the response

    @Override
    public void sendInterim(ResponseHead h) {
        conn.h2.writeHeaders(id, h, false);
        conn.scheduleFlush();
    }

    @Override
    public void sendResponseHead(ResponseHead h, boolean noBody, boolean keepAlive) {
        conn.h2.writeHeaders(id, h, noBody);
        if (noBody) {
            responseEnded = true;
        }
        conn.scheduleFlush();
    }

    @Override
    public void sendBody(ByteBuffer chunk) {
        if (responseEnded || gone || !chunk.hasRemaining()) {
            return;
        }
        held = chunk;
        pump();
    }

    @Override
    public void sendEnd(HeaderBlock trailers) {
        if (responseEnded || gone) {
            return;
        }
        endHeld = true;
        trailersHeld = trailers != null && trailers.size() > 0;
        if (trailersHeld) {
            heldTrailers.copyFrom(trailers); // the origin's parser reuses its block
            heldTrailers.detach();
        }
        pump();
    }

    /**
     * Sends held body bytes as far as the windows and the output allow, then the end once they
     * are all out. Returns true if something held went out completely.
     */
    boolean pump() {
        boolean was = held != null || endHeld;
        while (held != null && !gone) {
            int room = conn.output.dataRoom();
            if (room <= 0) {
                break;
            }
            int remaining = held.remaining();
            int allowed = Math.min(remaining, room);
            int lim = held.limit();
            held.limit(held.position() + allowed);
            int n = conn.h2.writeData(id, held, false); // advances held's position by what it sent
            held.limit(lim);
            if (n < 0) {
                held = null; // the stream is gone (reset): nothing more to send
                endHeld = false;
                break;
            }
            if (!held.hasRemaining()) {
                held = null;
            } else if (n < allowed) {
                break; // the client's window: onStreamWritable tells when it opens
            }
        }
        if (held == null && endHeld && !gone) {
            endHeld = false;
            responseEnded = true;
            if (trailersHeld) {
                trailersHeld = false;
                conn.h2.writeTrailers(id, heldTrailers);
            } else {
                conn.h2.writeData(id, H2Downstream.EMPTY, true);
            }
        }
        conn.scheduleFlush();
        return was && held == null && !endHeld;
    }

    /** The client's window or the output's room opened: send what is held, and let the session go on. */
    void writable() {
        if (held == null && !endHeld) {
            return;
        }
        if (pump()) {
            session.onDownstreamDrained();
        }
    }

    @Override
    public void flush() {
        conn.scheduleFlush();
    }

    @Override
    public boolean stalled() {
        return held != null;
    }

    @Override
    public boolean pending() {
        return held != null || endHeld;
    }

    // ------------------------------------------------------------------ Downstream: the end

    @Override
    public void finished(boolean reusable) {
        if (!gone && !requestEnded) {
            // the answer came before the whole request: ask the client to stop sending (RFC 9113 §8.1)
            conn.h2.resetStream(id, H2ErrorCode.NO_ERROR);
        }
        release();
    }

    @Override
    public void abort() {
        if (!gone) {
            conn.h2.resetStream(id, H2ErrorCode.INTERNAL_ERROR);
            conn.scheduleFlush();
        }
        release();
    }

    @Override
    public boolean supportsTunnel() {
        return false; // no extended CONNECT (RFC 8441) or CONNECT tunnels over a stream
    }

    @Override
    public void startTunnel() {
        throw ProxyError.of(ProxyError.Source.INTERNAL, ProxyError.Kind.INTERNAL,
                "no protocol switch on an HTTP/2 stream");
    }

    @Override
    public void endTunnel() {
        abort();
    }

    // ------------------------------------------------------------------ from the connection

    /** The client reset the stream, or the connection is going away: the request is over. */
    void reset(String why) {
        if (gone) {
            return;
        }
        gone = true;
        held = null;
        endHeld = false;
        session.onDownstreamGone(ProxyError.of(ProxyError.Source.DOWNSTREAM, ProxyError.Kind.CONNECTION_CLOSED, why));
        release();
    }

    /** The request's body stopped coming: 408, as on HTTP/1.1. */
    void requestFailed(ProxyError e) {
        session.onDownstreamError(e);
    }

    /** Still waiting for request body bytes from the client. */
    boolean awaitingRequestBytes() {
        return !gone && !requestEnded;
    }

    private void release() {
        gone = true;
        held = null;
        endHeld = false;
        body.clear(conn.loop.buffers);
        conn.streamDone(this);
    }
}
