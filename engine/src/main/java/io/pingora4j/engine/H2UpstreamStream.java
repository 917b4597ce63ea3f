package io.pingora4j.engine;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.codec.h2.H2ErrorCode;
import io.pingora4j.codec.h2.H2Exception;
import io.pingora4j.spi.ProxyError;
import java.nio.ByteBuffer;

/**
 * One request as a stream of an {@link H2Upstream}: its head as HEADERS, its body as DATA as far
 * as the origin's windows and the connection's output allow (what does not fit is held, a window
 * on the client's buffer, and the client is not read meanwhile), its trailers; the response back
 * to the session.
 *
 * <p>Response DATA is copied out of the connection's read buffer (every stream's frames pass
 * through it) into pooled buffers of this stream's own, handed to the session as windows of
 * them while the client takes bytes, and given back to the origin's flow-control window only once
 * the client took them: a client that reads slowly stops its stream at the stream window
 * ({@link H2Upstream#LIMITS}), and nothing else.
 *
 * <p>States: FREE (pooled by its connection), WAITING (for the connection to come up), RESERVED
 * (a slot under the origin's stream limit, head not sent yet), OPEN. Per-stream deadlines: the
 * origin's read timeout once the request is sent (paused while the client holds bytes), and its
 * write timeout while request bytes wait for a window that does not open.
 *
 * <p>Not thread-safe: owned by the connection's event loop.
 */
final class H2UpstreamStream implements UpstreamExchange, Deadline.Owner {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    enum State { FREE, WAITING, RESERVED, OPEN }

    private final H2Upstream conn;
    private final Deadline deadline;
    /** The request's trailers while its body waits for a window; the response's trailers. Made on first use. */
    private HeaderBlock heldTrailers;
    private HeaderBlock trailers;
    /** Response body bytes received and not yet taken by the client. */
    private final H2ReceivedBody body = new H2ReceivedBody();

    ProxySession owner;
    State state = State.FREE;
    int id;
    boolean touched;

    // the request
    /** Request body bytes not sent yet (a window of the client's buffer); the end waits behind them. */
    private ByteBuffer held;
    private boolean endHeld;
    private boolean trailersHeld;
    private boolean requestEnded;

    // the response
    private boolean responseEnded;
    private boolean endDelivered;
    private boolean hasTrailers;
    private boolean delivering;
    private boolean pausedByClient;
    private boolean closedByPeer;

    // deadlines
    private boolean awaitingResponse;
    private long readDeadline;
    private long writeDeadline;

    H2UpstreamStream(H2Upstream conn) {
        this.conn = conn;
        this.deadline = new Deadline(conn.loop.timers, this);
    }

    void waiting(ProxySession o) {
        reset(o);
        state = State.WAITING;
    }

    void reserved(ProxySession o) {
        reset(o);
        state = State.RESERVED;
    }

    /** A waiting stream got its slot. */
    void readied() {
        state = State.RESERVED;
    }

    private void reset(ProxySession o) {
        owner = o;
        id = 0;
        held = null;
        endHeld = false;
        trailersHeld = false;
        requestEnded = false;
        body.clear(conn.loop.buffers);
        responseEnded = false;
        endDelivered = false;
        hasTrailers = false;
        pausedByClient = false;
        closedByPeer = false;
        awaitingResponse = false;
        readDeadline = 0;
        writeDeadline = 0;
        touched = false;
    }

    /**
     * Drops the owner and the buffers; the connection pools the object. The timer stays armed: when
     * it fires it finds no deadline (or the next request's, which it re-arms for), so a stream
     * reused at once costs no timer-wheel work.
     */
    void forget() {
        owner = null;
        state = State.FREE;
        held = null;
        endHeld = false;
        awaitingResponse = false;
        writeDeadline = 0;
        body.clear(conn.loop.buffers);
    }

    // ------------------------------------------------------------------ the request

    @Override
    public void sendHead(RequestHead head, boolean endStream) {
        if (state != State.RESERVED) {
            throw new IllegalStateException("stream not reserved: " + state);
        }
        id = conn.open(this, head, endStream);
        state = State.OPEN;
        if (endStream) {
            requestEnded = true;
            awaitResponse();
        }
    }

    @Override
    public boolean acceptsBody() {
        return held == null && !endHeld;
    }

    @Override
    public void sendBody(ByteBuffer chunk) {
        if (requestEnded || endHeld || state != State.OPEN) {
            return; // the origin stopped the request (its response is complete): the rest is dropped
        }
        held = chunk;
        pump();
    }

    @Override
    public void sendEnd(HeaderBlock t) {
        if (requestEnded || endHeld || state != State.OPEN) {
            return;
        }
        endHeld = true;
        trailersHeld = t != null && t.size() > 0;
        if (trailersHeld) {
            if (heldTrailers == null) {
                heldTrailers = new HeaderBlock();
            }
            heldTrailers.copyFrom(t); // the client's block is reused after this call
            heldTrailers.detach();
        }
        pump();
    }

    /** Whether request bytes (or its end) wait for a window or for room in the output. */
    boolean holdsRequestBytes() {
        return held != null || endHeld;
    }

    /**
     * Sends held request bytes as far as the windows and the output allow, then the end once
     * they are all out. Returns true when nothing is held any more.
     */
    private boolean pump() {
        boolean progressed = false;
        while (held != null) {
            int room = conn.output.dataRoom();
            if (room <= 0) {
                break;
            }
            int allowed = Math.min(held.remaining(), room);
            int lim = held.limit();
            held.limit(held.position() + allowed);
            int n = conn.h2.writeData(id, held, false); // copied into the output; advances held
            held.limit(lim);
            if (n < 0) {
                held = null; // the stream is gone (reset): nothing more goes
                endHeld = false;
                requestEnded = true;
                break;
            }
            progressed |= n > 0;
            if (!held.hasRemaining()) {
                held = null;
            } else if (n < allowed) {
                break; // the origin's window: onStreamWritable says when it opens
            }
        }
        if (held == null && endHeld) {
            endHeld = false;
            requestEnded = true;
            progressed = true;
            if (trailersHeld) {
                trailersHeld = false;
                conn.h2.writeTrailers(id, heldTrailers);
            } else {
                conn.h2.writeData(id, EMPTY, true);
            }
            awaitResponse();
        }
        if (held == null && !endHeld) {
            writeDeadline = 0;
        } else if (writeDeadline == 0 || progressed) {
            writeDeadline = conn.loop.now + conn.peer.writeTimeoutNanos();
            deadline.want(writeDeadline);
        }
        conn.scheduleFlush();
        return held == null && !endHeld;
    }

    /** A window opened, or the output has room: send what is held, and let the client go on. */
    void writable() {
        if ((held == null && !endHeld) || state != State.OPEN) {
            return;
        }
        if (pump() && owner != null) {
            owner.onUpstreamDrained();
        }
    }

    @Override
    public boolean flush() {
        conn.scheduleFlush();
        return held == null && !endHeld;
    }

    private void awaitResponse() {
        awaitingResponse = true;
        readDeadline = conn.loop.now + conn.peer.readTimeoutNanos();
        deadline.want(readDeadline);
    }

    // ------------------------------------------------------------------ the response

    /** A head from the origin (valid during the call: the session gets a copy). */
    void onHead(ResponseHead h, boolean endStream) {
        if (owner == null || state != State.OPEN) {
            return;
        }
        bytesCame();
        conn.touched(this);
        ResponseHead copy = owner.responseHeadCopy();
        copy.copyFrom(h);
        boolean interim = h.interim();
        if (endStream && !interim) {
            responseEnded = true;
        }
        owner.onResponseHead(copy, endStream && !interim);
        if (responseEnded) {
            deliver();
        }
    }

    /** Body bytes from the connection's read buffer, valid during the call: copied, delivered as the client takes them. */
    void onData(ByteBuffer data, boolean endStream) {
        if (owner == null || state != State.OPEN) {
            conn.h2.consumed(id, data.remaining());
            return;
        }
        bytesCame();
        body.add(data, conn.loop.buffers);
        if (endStream) {
            responseEnded = true;
        }
        deliver();
    }

    /** The origin's trailers (valid during the call: copied), which end the response. */
    void onTrailers(HeaderBlock t) {
        if (owner == null || state != State.OPEN) {
            return;
        }
        bytesCame();
        if (trailers == null) {
            trailers = new HeaderBlock();
        }
        trailers.copyFrom(t);
        trailers.detach();
        hasTrailers = trailers.size() > 0;
        responseEnded = true;
        deliver();
    }

    private void bytesCame() {
        if (awaitingResponse) {
            readDeadline = conn.loop.now + conn.peer.readTimeoutNanos(); // pushed back: the timer looks again when it fires
        }
    }

    @Override
    public void resumeResponse() {
        if (pausedByClient && awaitingResponse) {
            readDeadline = conn.loop.now + conn.peer.readTimeoutNanos(); // the wait for the client does not count
            deadline.want(readDeadline);
        }
        deliver();
    }

    /** Hands buffered body bytes (then the trailers and the end) to the session while the client takes them. */
    private void deliver() {
        if (delivering) {
            return;
        }
        delivering = true;
        ProxySession s = owner; // the stream may end and be reused for another request inside a call below
        try {
            while (s != null && owner == s && state == State.OPEN && !endDelivered) {
                if (s.responseStalled()) {
                    pausedByClient = true; // resumeResponse() when it drains
                    return;
                }
                pausedByClient = false;
                // the client took the last run: its bytes go back to the origin's windows
                int done = body.doneWithRun(conn.loop.buffers);
                if (done > 0) {
                    conn.h2.consumed(id, done); // a WINDOW_UPDATE may be queued: it goes with the next flush
                    conn.scheduleFlush();
                }
                ByteBuffer v = body.nextRun();
                if (v != null) {
                    conn.touched(this);
                    s.onResponseBody(v, false);
                    continue;
                }
                if (responseEnded) {
                    endDelivered = true;
                    conn.touched(this);
                    if (hasTrailers) {
                        s.onResponseTrailers(trailers);
                    }
                    if (owner == s) {
                        s.onResponseEnd();
                    }
                }
                return;
            }
        } finally {
            delivering = false;
        }
    }

    /** After a read: what the session queued for its client goes out. */
    void flushClient() {
        if (owner != null) {
            owner.flushResponse();
        }
    }

    /** The stream was reset: by the origin ({@code cause} null), or by the codec for what the origin sent. */
    void onReset(int code, H2Exception cause) {
        closedByPeer = true;
        ProxySession s = owner;
        if (s == null) {
            return;
        }
        if (cause == null && code == H2ErrorCode.NO_ERROR && responseEnded) {
            // a complete response, and the origin wants no more of the request (RFC 9113 §8.1)
            held = null;
            endHeld = false;
            requestEnded = true;
            return;
        }
        if (cause != null) {
            s.onUpstreamError(this, ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.INVALID_HTTP, 502,
                    "invalid HTTP/2 response from " + conn.peer.address() + ": " + cause.getMessage()));
        } else if (code == H2ErrorCode.REFUSED_STREAM) {
            s.onUpstreamError(this, ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.STREAM_REFUSED,
                    conn.peer.address() + " refused the stream (REFUSED_STREAM or GOAWAY): not processed"));
        } else {
            s.onUpstreamError(this, ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECTION_CLOSED,
                    conn.peer.address() + " reset the stream (" + H2ErrorCode.name(code) + ")"));
        }
    }

    /** The connection failed under the stream. */
    void connectionLost(ProxyError e) {
        closedByPeer = true;
        ProxySession s = owner;
        if (s != null) {
            s.onUpstreamError(this, e);
        } else {
            release();
        }
    }

    @Override
    public Tunnel openTunnel(Downstream down) {
        throw ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.INVALID_HTTP, 502,
                "no protocol switch over an HTTP/2 stream");
    }

    // ------------------------------------------------------------------ deadlines

    @Override
    public long currentDeadline() {
        if (state != State.OPEN) {
            return 0;
        }
        long d = writeDeadline;
        if (awaitingResponse && !pausedByClient && !endDelivered && (d == 0 || readDeadline - d < 0)) {
            d = readDeadline;
        }
        return d;
    }

    @Override
    public void onDeadline(long nowNanos) {
        ProxySession s = owner;
        if (s == null) {
            return;
        }
        boolean write = writeDeadline != 0 && nowNanos - writeDeadline >= 0;
        s.onUpstreamError(this, ProxyError.of(ProxyError.Source.UPSTREAM,
                write ? ProxyError.Kind.WRITE_TIMEOUT : ProxyError.Kind.READ_TIMEOUT,
                (write ? "write to " : "read from ") + conn.peer.address() + " timed out"));
    }

    // ------------------------------------------------------------------ the end

    @Override
    public void finish(boolean requestComplete) {
        if (state == State.OPEN && !closedByPeer && (!requestEnded || held != null || endHeld)) {
            conn.h2.resetStream(id, H2ErrorCode.CANCEL); // the response is complete: the rest of the request is not needed
        }
        release();
    }

    @Override
    public void abandon() {
        release();
    }

    @Override
    public void abort() {
        if (state == State.OPEN && !closedByPeer) {
            conn.h2.resetStream(id, H2ErrorCode.CANCEL);
        }
        release();
    }

    private void release() {
        State was = state;
        if (was == State.FREE) {
            return;
        }
        forget();
        conn.streamDone(this, was == State.RESERVED, was == State.WAITING);
    }
}
