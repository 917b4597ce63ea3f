package io.pingora4j.engine;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.codec.h2.H2Connection;
import io.pingora4j.codec.h2.H2ErrorCode;
import io.pingora4j.codec.h2.H2Exception;
import io.pingora4j.codec.h2.H2FrameSink;
import io.pingora4j.codec.h2.H2Limits;
import io.pingora4j.codec.h2.H2Listener;
import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.ProxyError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import org.agrona.collections.Int2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/2 connection to an origin (h2c with prior knowledge, or TLS with ALPN "h2"): the
 * codec's client-role {@link H2Connection} over the socket, carrying many requests at once, one
 * {@link H2UpstreamStream} each, up to the origin's SETTINGS_MAX_CONCURRENT_STREAMS. It lives in
 * its loop's {@link UpstreamPool} from its dial to its close.
 *
 * <p>Life: DIALLING (an {@link UpstreamConnection} makes the TCP connection and the TLS handshake,
 * then hands the socket over: {@link #takeOver}); STARTING (our preface is out; requests that
 * came meanwhile wait until the origin's SETTINGS say how many streams it takes); READY;
 * DRAINING once the origin sent GOAWAY (no new stream; streams above its last id were refused and
 * are retried elsewhere; the rest finish, then it closes); CLOSED.
 *
 * <p>An idle connection (no stream) holds no buffer; it is PINGed after half its idle timeout (at
 * most every 30 s; no answer within the read timeout closes it) and closed with GOAWAY at the idle
 * timeout. Response DATA is copied out of the read buffer into each stream's own buffers (the
 * read buffer is shared by every stream), and returned to the origin's flow-control windows only
 * as the stream's client takes it: a slow client stops its stream, never the connection.
 * Request DATA goes out as the origin's windows and a bounded output chain allow
 * ({@link H2Output}); a stream whose client sends faster waits ({@link UpstreamExchange#acceptsBody}).
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class H2Upstream implements IoHandler, Deadline.Owner, H2Listener, H2FrameSink {

    private static final Logger LOG = LoggerFactory.getLogger(H2Upstream.class);

    /**
     * What an origin may send before we consume: 256 KiB per stream (a stalled client holds at
     * most that much of its origin's response here) and 16 MiB per connection (so 64 stalled
     * streams stall before a busy connection does). An origin's resets are counted more leniently
     * than a client's: it is the party we chose to trust.
     */
    static final H2Limits LIMITS = H2Limits.DEFAULTS.withWindows(256 * 1024, 16 * 1024 * 1024)
            .withResetBudget(100_000, 30_000_000_000L);
    private static final int OUTPUT_BUFFERS = 4;
    /** Stream objects kept for reuse: as many as were in flight at once, up to this. */
    private static final int POOLED_STREAMS = 1024;
    private static final long MAX_PING_INTERVAL_NANOS = 30_000_000_000L;
    private static final long PING_DATA = 0x7067346a2d6b6570L; // "pg4j-kep"

    enum State { DIALLING, STARTING, READY, DRAINING, CLOSED }

    final EventLoop loop;
    final HttpPeer peer;
    final H2Connection h2;
    final H2Output output;
    private final InputBuffer input;
    private final Deadline deadline;
    private final int expectedStreams;
    private final Int2ObjectHashMap<H2UpstreamStream> streams = new Int2ObjectHashMap<>();
    /** Streams given to a request (reserved or open), in no order. */
    private final ArrayList<H2UpstreamStream> active = new ArrayList<>();
    private final ArrayDeque<H2UpstreamStream> waiters = new ArrayDeque<>();
    private final ArrayDeque<H2UpstreamStream> free = new ArrayDeque<>();
    /** Streams that delivered response events in the read being handled: their clients are flushed after it. */
    private final ArrayList<H2UpstreamStream> touched = new ArrayList<>();
    private final Runnable flushTask = this::flushNow;
    private final String scheme;
    private Transport transport;
    private SelectionKey key;
    State state = State.DIALLING;
    private int reserved;
    private int interest;
    private boolean flushQueued;
    private boolean receiving;
    /** A GOAWAY is queued: close once it has gone out. */
    private boolean closing;
    private long startDeadline;
    private long writeDeadline;
    private long settingsAckDeadline;
    private long idleDeadline;
    private long pingAt;
    private long pingAckDeadline;

    H2Upstream(EventLoop loop, HttpPeer peer, int expectedStreams) {
        this.loop = loop;
        this.peer = peer;
        this.expectedStreams = expectedStreams;
        this.scheme = peer.tls() ? "https" : "http";
        this.h2 = new H2Connection(H2Connection.Role.CLIENT, LIMITS, this, this);
        this.output = new H2Output(loop.buffers, OUTPUT_BUFFERS);
        this.input = new InputBuffer(loop.buffers, LIMITS.maxFrameSize() + 9);
        this.deadline = new Deadline(loop.timers, this);
    }

    // ------------------------------------------------------------------ taking requests

    /** A stream can be given to a request now. */
    boolean hasRoom() {
        return state == State.READY && h2.canOpenStream()
                && h2.activeLocalStreams() + reserved < h2.peerMaxConcurrentStreams();
    }

    /** Still coming up, with room for one more request to wait for it. */
    boolean acceptsWaiter() {
        return (state == State.DIALLING || state == State.STARTING) && waiters.size() < expectedStreams;
    }

    /** A stream for {@code owner}, ready for its head ({@link #hasRoom()} must be true). */
    H2UpstreamStream reserve(ProxySession owner) {
        H2UpstreamStream s = obtain();
        s.reserved(owner);
        reserved++;
        active.add(s);
        idleDeadline = 0;
        return s;
    }

    /** A stream for {@code owner} that waits until the connection is up. */
    H2UpstreamStream addWaiter(ProxySession owner) {
        H2UpstreamStream s = obtain();
        s.waiting(owner);
        waiters.addLast(s);
        return s;
    }

    private H2UpstreamStream obtain() {
        H2UpstreamStream s = free.pollFirst();
        return s != null ? s : new H2UpstreamStream(this);
    }

    /** Opens a reserved stream with the request head; returns its id. */
    int open(H2UpstreamStream s, RequestHead head, boolean endStream) {
        if (!h2.canOpenStream()) {
            throw ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECTION_CLOSED,
                    "the HTTP/2 connection to " + peer.address() + " is going away");
        }
        reserved--;
        int id = h2.openStream(head, scheme, endStream);
        streams.put(id, s);
        loop.stats.upstreamH2Streams++;
        scheduleFlush();
        return id;
    }

    /** A stream's request is over (ended, aborted, or never used): forget it, keep its object. */
    void streamDone(H2UpstreamStream s, boolean wasReserved, boolean wasWaiting) {
        if (wasWaiting) {
            waiters.remove(s);
        } else {
            if (wasReserved) {
                reserved--;
            }
            if (s.id != 0 && streams.get(s.id) == s) {
                streams.remove(s.id);
            }
            int i = active.indexOf(s);
            if (i >= 0) {
                int last = active.size() - 1;
                active.set(i, active.get(last));
                active.remove(last);
            }
        }
        if (free.size() < POOLED_STREAMS) {
            free.addFirst(s);
        }
        if (active.isEmpty() && waiters.isEmpty()) {
            becameIdle();
        }
        scheduleFlush();
    }

    private void becameIdle() {
        if (state == State.DRAINING || (state == State.READY && loop.draining())) {
            if (state == State.READY) {
                h2.goAway(H2ErrorCode.NO_ERROR);
            }
            closeAfterFlush();
            return;
        }
        if (state != State.READY) {
            return;
        }
        long idle = peer.idleTimeoutNanos();
        idleDeadline = loop.now + idle;
        pingAt = loop.now + Math.min(idle / 2, MAX_PING_INTERVAL_NANOS);
        pingAckDeadline = 0;
        deadline.want(pingAt);
    }

    // ------------------------------------------------------------------ coming up

    /** The dial is done: the socket (and its key) are this connection's now. Our preface goes out. */
    void takeOver(Transport t, SelectionKey k) {
        this.transport = t;
        this.key = k;
        if (state == State.CLOSED) {
            k.cancel();
            t.close();
            return;
        }
        k.attach(this);
        interest = SelectionKey.OP_READ;
        k.interestOps(interest);
        state = State.STARTING;
        loop.stats.upstreamH2Connections++;
        h2.start();
        startDeadline = loop.now + peer.connectTimeoutNanos();
        settingsAckDeadline = loop.now + LIMITS.settingsTimeoutMillis() * 1_000_000L;
        deadline.want(Math.min(startDeadline, settingsAckDeadline));
        flushNow();
        if (state != State.CLOSED) {
            t.readResumed(); // TLS may hold bytes that came with the handshake
        }
    }

    /** The dial failed: every request waiting for this connection hears why. */
    void dialFailed(ProxyError e) {
        close(e);
    }

    @Override
    public void onSettings() {
        if (state == State.STARTING) {
            state = State.READY;
            startDeadline = 0;
            long max = h2.peerMaxConcurrentStreams();
            loop.upstreams.learnedCapacity(peer, (int) Math.min(Integer.MAX_VALUE, max));
            serveWaiters();
            if (active.isEmpty() && waiters.isEmpty()) {
                becameIdle();
            }
        }
    }

    /** The origin's SETTINGS came: waiting requests take streams, as many as it allows; the rest go elsewhere. */
    private void serveWaiters() {
        H2UpstreamStream s;
        while ((s = waiters.pollFirst()) != null) {
            ProxySession o = s.owner;
            if (hasRoom()) {
                s.readied();
                reserved++;
                active.add(s);
                idleDeadline = 0;
                o.onUpstreamReady(s);
                continue;
            }
            s.forget();
            if (free.size() < POOLED_STREAMS) {
                free.addFirst(s);
            }
            UpstreamExchange x;
            try {
                x = loop.upstreams.take(peer, o, false, false);
            } catch (ProxyError e) {
                o.onConnectFailed(null, e);
                continue;
            }
            if (x != null) {
                o.onUpstreamAssigned(x);
                o.onUpstreamReady(x);
            }
        }
    }

    // ------------------------------------------------------------------ reading

    @Override
    public void onConnectable() {
        // the dial is done by an UpstreamConnection; the key comes here connected
    }

    @Override
    public void onReadable() {
        if (state == State.CLOSED) {
            return;
        }
        int n;
        try {
            n = input.read(transport);
        } catch (IOException e) {
            close(lost("connection to " + peer.address() + " failed: " + e.getMessage()));
            return;
        }
        if (n < 0) {
            close(lost(peer.address() + " closed the HTTP/2 connection"));
            return;
        }
        if (n > 0) {
            receive();
        }
    }

    private void receive() {
        receiving = true;
        try {
            h2.receive(input.bytes(), loop.now);
        } catch (RuntimeException e) {
            LOG.warn("HTTP/2 connection to {} failed", peer.address(), e);
            h2.goAway(H2ErrorCode.INTERNAL_ERROR);
            close(lost("HTTP/2 connection to " + peer.address() + " failed: " + e));
        } finally {
            receiving = false;
        }
        if (state == State.CLOSED) {
            input.release();
        } else {
            input.releaseIfEmpty();
        }
        for (int i = 0; i < touched.size(); i++) {
            H2UpstreamStream s = touched.get(i);
            s.touched = false;
            s.flushClient();
        }
        touched.clear();
        if (state != State.CLOSED) {
            flushNow();
        }
    }

    /** A stream delivered something to its client in this read: flush that client after it. */
    void touched(H2UpstreamStream s) {
        if (!s.touched && receiving) {
            s.touched = true;
            touched.add(s);
        }
    }

    // ------------------------------------------------------------------ H2Listener

    @Override
    public void onResponseHeaders(int streamId, ResponseHead head, boolean endStream) {
        H2UpstreamStream s = streams.get(streamId);
        if (s != null) {
            s.onHead(head, endStream);
        }
    }

    @Override
    public void onData(int streamId, ByteBuffer data, boolean endStream) {
        H2UpstreamStream s = streams.get(streamId);
        if (s != null) {
            s.onData(data, endStream);
        } else {
            h2.consumed(streamId, data.remaining()); // a stream we gave up: keep the window open
        }
    }

    @Override
    public void onTrailers(int streamId, HeaderBlock trailers) {
        H2UpstreamStream s = streams.get(streamId);
        if (s != null) {
            s.onTrailers(trailers);
        }
    }

    @Override
    public void onStreamReset(int streamId, int errorCode, H2Exception cause) {
        H2UpstreamStream s = streams.get(streamId);
        if (s != null) {
            s.onReset(errorCode, cause);
        }
    }

    @Override
    public void onStreamWritable(int streamId) {
        H2UpstreamStream s = streams.get(streamId);
        if (s != null) {
            s.writable();
        }
    }

    @Override
    public void onGoAway(int lastStreamId, int errorCode) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} sent GOAWAY (last stream {}, {})", peer.address(), lastStreamId, H2ErrorCode.name(errorCode));
        }
        if (state == State.STARTING || state == State.READY) {
            state = State.DRAINING;
        }
        if (!waiters.isEmpty()) {
            close(ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECT_FAILED,
                    peer.address() + " sent GOAWAY before taking a request"));
            return;
        }
        if (active.isEmpty()) {
            closeAfterFlush();
        }
    }

    @Override
    public void onPingAck(long data) {
        pingAckDeadline = 0;
    }

    @Override
    public void onConnectionError(H2Exception error) {
        close(lost("HTTP/2 error from " + peer.address() + ": " + error.getMessage()));
    }

    // ------------------------------------------------------------------ writing

    @Override
    public ByteBuffer reserve(int bytes) {
        return output.room(bytes);
    }

    @Override
    public void payload(ByteBuffer data) {
        output.put(data);
    }

    /** One write per loop turn for everything the streams queued in it. */
    void scheduleFlush() {
        if (!flushQueued && state != State.CLOSED && transport != null) {
            flushQueued = true;
            loop.execute(flushTask);
        }
    }

    private void flushNow() {
        flushQueued = false;
        if (state == State.CLOSED || transport == null) {
            return;
        }
        boolean done;
        try {
            done = output.flush(transport);
        } catch (IOException e) {
            close(lost("connection to " + peer.address() + " failed: " + e.getMessage()));
            return;
        }
        if (done) {
            writeDeadline = 0;
            setInterest(interest & ~SelectionKey.OP_WRITE);
            h2.outboundDrained();
            if (closing) {
                close(lost("HTTP/2 connection to " + peer.address() + " closed"));
                return;
            }
            pumpHeldStreams();
        } else {
            if (writeDeadline == 0) {
                writeDeadline = loop.now + peer.writeTimeoutNanos();
                deadline.want(writeDeadline);
            }
            setInterest(interest | SelectionKey.OP_WRITE);
        }
    }

    @Override
    public void onWritable() {
        flushNow();
    }

    /** Streams holding request bytes try again: the output has room. */
    private void pumpHeldStreams() {
        if (output.dataRoom() <= 0) {
            return;
        }
        for (int i = 0; i < active.size(); i++) {
            H2UpstreamStream s = active.get(i);
            if (s.holdsRequestBytes()) {
                s.writable();
            }
        }
    }

    private void setInterest(int ops) {
        if (ops != interest && key != null && key.isValid()) {
            boolean readOn = (ops & ~interest & SelectionKey.OP_READ) != 0;
            interest = ops;
            key.interestOps(ops);
            if (readOn) {
                transport.readResumed();
            }
        }
    }

    // ------------------------------------------------------------------ deadlines

    @Override
    public long currentDeadline() {
        if (state == State.CLOSED) {
            return 0;
        }
        long d = earliest(state == State.STARTING ? startDeadline : 0, writeDeadline);
        if (h2.awaitingSettingsAck()) {
            d = earliest(d, settingsAckDeadline);
        }
        if (active.isEmpty() && waiters.isEmpty() && idleDeadline != 0) {
            d = earliest(d, earliest(idleDeadline, pingAckDeadline != 0 ? pingAckDeadline : pingAt));
        }
        return d;
    }

    private static long earliest(long a, long b) {
        if (a == 0) {
            return b;
        }
        return b == 0 || a - b <= 0 ? a : b;
    }

    @Override
    public void onDeadline(long now) {
        checkDeadlines(now);
        if (state != State.CLOSED) {
            deadline.want(currentDeadline()); // a fired timer is not re-armed by itself
        }
    }

    private void checkDeadlines(long now) {
        if (state == State.STARTING && startDeadline != 0 && now - startDeadline >= 0) {
            close(ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECT_TIMEOUT,
                    peer.address() + " sent no HTTP/2 SETTINGS in time"));
            return;
        }
        if (writeDeadline != 0 && now - writeDeadline >= 0) {
            close(ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.WRITE_TIMEOUT,
                    "write to " + peer.address() + " timed out"));
            return;
        }
        if (h2.awaitingSettingsAck() && now - settingsAckDeadline >= 0) {
            h2.settingsTimeout(); // GOAWAY SETTINGS_TIMEOUT, reported as a connection error
            flushNow();
            return;
        }
        if (!active.isEmpty() || !waiters.isEmpty() || idleDeadline == 0) {
            return;
        }
        if (now - idleDeadline >= 0) {
            h2.goAway(H2ErrorCode.NO_ERROR);
            closeAfterFlush();
        } else if (pingAckDeadline != 0 && now - pingAckDeadline >= 0) {
            close(lost(peer.address() + " did not answer a PING"));
        } else if (pingAckDeadline == 0 && pingAt != 0 && now - pingAt >= 0) {
            h2.ping(PING_DATA);
            pingAt = 0;
            pingAckDeadline = earliest(idleDeadline, now + peer.readTimeoutNanos());
            flushNow();
        }
    }

    // ------------------------------------------------------------------ the end

    /** Closes once what is queued (a GOAWAY) has gone out. */
    private void closeAfterFlush() {
        if (state == State.CLOSED) {
            return;
        }
        closing = true;
        flushNow();
    }

    private ProxyError lost(String why) {
        return ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECTION_CLOSED, why);
    }

    /** The proxy closes the connection (shutting down). */
    void close(String why) {
        close(ProxyError.of(ProxyError.Source.INTERNAL, ProxyError.Kind.CONNECTION_CLOSED, why));
    }

    /** Closes the socket; requests waiting for it or on it hear {@code e}. */
    void close(ProxyError e) {
        if (state == State.CLOSED) {
            return;
        }
        boolean dialling = state == State.DIALLING;
        state = State.CLOSED;
        loop.upstreams.h2Closed(this);
        deadline.cancel();
        output.clear();
        if (key != null) {
            key.cancel();
        }
        if (transport != null) {
            transport.close();
        }
        if (!receiving) {
            input.release();
        }
        H2UpstreamStream w;
        while ((w = waiters.pollFirst()) != null) {
            ProxySession o = w.owner;
            w.forget();
            o.onConnectFailed(w, dialling || e.kind() != ProxyError.Kind.CONNECTION_CLOSED ? e
                    : ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECT_FAILED, e.getMessage()));
        }
        for (H2UpstreamStream s : new ArrayList<>(active)) {
            s.connectionLost(e);
        }
    }
}
