package io.pingora4j.engine;

import io.pingora4j.codec.h1.BodyFraming;
import io.pingora4j.codec.h1.ChunkedEncoder;
import io.pingora4j.codec.h1.H1Event;
import io.pingora4j.codec.h1.H1Writer;
import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.HttpParseException;
import io.pingora4j.codec.h1.MessageHead;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.ProxyError;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A request over an HTTP/1.1 {@link UpstreamConnection}, which it has to itself: the request
 * framed as the origin reads it (chunked coding, or the whole body with a Content-Length for an
 * origin that answered HTTP/1.0 once), and the response parsed from the connection's read buffer,
 * body runs handed to the session as windows of that buffer (the connection does not read again
 * while the client holds one: {@link ProxySession#responseStalled()}).
 *
 * <p>One per connection, reused from request to request. Whether the connection goes back to the
 * pool is decided here: only after a complete final response by its framing, with the whole
 * request sent and the origin keeping the connection ({@link UpstreamPool}'s invariant).
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class H1UpstreamExchange implements UpstreamExchange {

    private final UpstreamConnection c;
    private final BufferedRequestBody buffered = new BufferedRequestBody();
    /** The head being sent; held until the body is whole when {@link #buffering}. */
    private RequestHead head;
    private boolean chunked;
    /** An origin that answered HTTP/1.0 cannot read chunked coding: the body is held whole. */
    private boolean buffering;
    private boolean requestEnded;
    /** An interim (1xx) response is being read: its end is not the end of the exchange. */
    private boolean interim;
    /** What the origin's final head said about the connection, before the session's edits. */
    private boolean originKeepAlive;
    /** The response was delimited by the origin closing the connection. */
    private boolean endedByClose;
    private boolean tunnel;

    @Override
    public long connectNanos() {
        return c.tcpConnectNanos;
    }

    @Override
    public long tlsHandshakeNanos() {
        return c.transport instanceof TlsTransport t ? t.handshakeNanos : -1;
    }

    H1UpstreamExchange(UpstreamConnection c) {
        this.c = c;
    }

    UpstreamConnection connection() {
        return c;
    }

    // ------------------------------------------------------------------ the request

    @Override
    public void sendHead(RequestHead h, boolean endStream) {
        head = h;
        chunked = h.framing() == BodyFraming.CHUNKED;
        requestEnded = false;
        interim = false;
        originKeepAlive = false;
        endedByClose = false;
        tunnel = false;
        buffered.reset();
        c.parser.reset();
        c.parser.expectResponseTo(h.method());
        buffering = chunked && c.loop.upstreams.speaksHttp10(c.peer);
        if (buffering) {
            return; // the head goes with a Content-Length once the body is whole
        }
        writeHead();
        if (endStream) {
            requestEnded = true;
            c.awaitResponse();
        }
    }

    private void writeHead() {
        ByteBuffer b = c.headBuffer(H1Writer.requestHeadLength(head));
        H1Writer.writeRequestHead(head, b);
        c.out.add(b.flip());
    }

    @Override
    public boolean acceptsBody() {
        return buffering || !c.out.pending();
    }

    @Override
    public void sendBody(ByteBuffer chunk) {
        if (requestEnded) {
            return;
        }
        if (buffering) {
            buffered.add(chunk); // 413 past its limit
            return;
        }
        if (chunked) {
            c.framing.addChunk(c.out, chunk);
        } else {
            c.out.add(chunk);
        }
    }

    @Override
    public void sendEnd(HeaderBlock trailers) {
        if (requestEnded) {
            return;
        }
        requestEnded = true;
        if (buffering) {
            head.setContentLength(buffered.length());
            writeHead();
            ByteBuffer b = buffered.view();
            if (b != null) {
                c.out.add(b);
            }
        } else if (chunked) {
            if (trailers != null && trailers.size() > 0) {
                ByteBuffer b = ByteBuffer.allocate(ChunkedEncoder.lastChunkLength(trailers)); // request trailers are rare
                ChunkedEncoder.writeLastChunk(trailers, b);
                c.out.add(b.flip());
            } else {
                c.out.add(c.framing.lastChunk());
            }
        }
        c.awaitResponse();
    }

    @Override
    public boolean flush() {
        try {
            return c.flush();
        } catch (IOException e) {
            ioError(e);
            return false;
        }
    }

    // ------------------------------------------------------------------ the response

    /** The socket is readable while a request owns the connection. */
    void onReadable() {
        int n;
        try {
            n = c.read();
        } catch (IOException e) {
            ioError(e);
            return;
        }
        if (n < 0) {
            onEof();
            return;
        }
        process();
    }

    @Override
    public void resumeResponse() {
        if (c.readPaused) {
            process(); // what was buffered first, then read again
        }
    }

    /** Parses buffered response bytes while the client takes them. */
    private void process() {
        ProxySession s = c.owner;
        while (s != null && c.owner == s && c.input.bytes() != null) {
            if (s.responseStalled()) {
                c.pauseRead(); // backpressure: resumed when the client drains
                return;
            }
            H1Event e;
            try {
                e = c.parser.next(c.input.bytes());
            } catch (HttpParseException ex) {
                s.onUpstreamError(this, ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.INVALID_HTTP, 502,
                        "invalid response from " + c.peer.address() + ": " + ex.error().reason()));
                return;
            }
            switch (e) {
                case NEED_MORE:
                    s.flushResponse(); // a head still queued (no body run in this read yet)
                    c.resumeRead();
                    return;
                case HEAD:
                    onHead(s);
                    break;
                case BODY:
                    s.onResponseBody(c.input.slice(c.parser.bodyStart(), c.parser.bodyLength()),
                            !interim && c.parser.bodyComplete());
                    break;
                case TRAILERS:
                    s.onResponseTrailers(c.parser.trailers()); // valid until END, in this same read
                    break;
                case END:
                    if (interim) {
                        interim = false; // the end of a 1xx: the final response follows
                        break;
                    }
                    s.onResponseEnd();
                    break;
                default:
                    return;
            }
        }
    }

    private void onHead(ProxySession s) {
        ResponseHead h = c.parser.head();
        h.detach();
        if (h.version() == MessageHead.HTTP_1_0) {
            c.loop.upstreams.learnedHttp10(c.peer);
        }
        interim = h.interim();
        if (!interim) {
            originKeepAlive = h.keepAlive(); // before the session's edits: it decides whether the connection is pooled
        }
        s.onResponseHead(h, false);
    }

    private void onEof() {
        ProxySession s = c.owner;
        if (tunnel) {
            s.onTunnelOriginEnded(); // what the origin sent last is already queued
            return;
        }
        H1Event e;
        try {
            e = c.parser.inputClosed();
        } catch (HttpParseException ex) {
            s.onUpstreamError(this, ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECTION_CLOSED,
                    c.peer.address() + " closed the connection before the response was complete"));
            return;
        }
        if (e == H1Event.END && !interim) {
            endedByClose = true;
            s.onResponseEnd();
            return;
        }
        s.onUpstreamError(this, ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECTION_CLOSED,
                c.peer.address() + " closed the connection without a response"));
    }

    void ioError(IOException e) {
        ProxySession s = c.owner;
        if (s == null) {
            c.close();
            return;
        }
        s.onUpstreamError(this, ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECTION_CLOSED,
                "connection to " + c.peer.address() + " failed: " + e.getMessage()));
    }

    void timedOut(ProxyError e) {
        ProxySession s = c.owner;
        if (s == null) {
            c.close();
            return;
        }
        s.onUpstreamError(this, e);
    }

    @Override
    public Tunnel openTunnel(Downstream down) {
        tunnel = true;
        return new Tunnel(down, c);
    }

    // ------------------------------------------------------------------ the end

    @Override
    public void finish(boolean requestComplete) {
        if (!endedByClose && requestComplete && originKeepAlive && !tunnel) {
            c.loop.upstreams.release(c);
        } else {
            c.close();
        }
    }

    @Override
    public void abandon() {
        c.owner = null;
        c.loop.upstreams.release(c); // a fresh connection nobody waits for any more: keep it warm
    }

    @Override
    public void abort() {
        c.close();
    }
}
