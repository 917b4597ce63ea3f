package io.pingora4j.codec.h2;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import java.nio.ByteBuffer;

/**
 * One HTTP/2 connection as a state machine, either end (RFC 9113): bytes in through
 * {@link #receive}, events out to an {@link H2Listener}, frames out to an {@link H2FrameSink}.
 * No I/O, no threads, no timers: the engine owns those and calls in.
 *
 * <h2>Life</h2>
 * {@link #start()} queues our preface (the client's 24 bytes, then SETTINGS, and a connection
 * WINDOW_UPDATE up to {@link H2Limits#connectionWindow()}). From then on every byte received goes
 * to {@link #receive} (for a server, the client's preface included). The engine arms a timer of
 * {@link H2Limits#settingsTimeoutMillis()} and calls {@link #settingsTimeout()} when it fires;
 * it does nothing once {@link #awaitingSettingsAck()} is false.
 *
 * <h2>Streams</h2>
 * A server learns of a stream from {@link H2Listener#onRequestHeaders}; a client opens one with
 * {@link #openStream}. Either end writes its head ({@link #writeHeaders}), its body
 * ({@link #writeData}) and optional trailers ({@link #writeTrailers}); a stream closes when both
 * ends have ended it, or is reset ({@link #resetStream}, {@link H2Listener#onStreamReset}).
 * Closing is automatic; the engine drops its own state when it has ended its side and seen the
 * peer's end (or a reset).
 *
 * <h2>Flow control</h2>
 * Inbound: each stream may receive {@link H2Limits#initialStreamWindow()} bytes and the
 * connection {@link H2Limits#connectionWindow()} before the engine calls {@link #consumed}; the
 * codec sends WINDOW_UPDATE when half a window has been consumed (batching). An engine that does
 * not consume (its upstream is slow) stops the peer. Bytes of a stream that closes or is reset
 * before they were reported consumed go back to the connection window at once; consuming them
 * later is ignored. Outbound: {@link #writeData} sends what the peer's windows allow and says how
 * much; {@link H2Listener#onStreamWritable} says when to try again.
 *
 * <h2>Errors</h2>
 * A stream error (a malformed request, a frame on a closed stream...) resets that stream and
 * reports it; a connection error queues GOAWAY and reports {@link H2Listener#onConnectionError},
 * after which the connection ignores input and output. Security limits ({@link H2Limits}) end the
 * connection with ENHANCE_YOUR_CALM. {@link #outboundDrained()} tells the control-frame cap that
 * the engine's output queue is empty.
 *
 * <h2>Shutdown</h2>
 * {@link #shutdownGracefully()} sends GOAWAY with the largest stream id and a PING; when the PING
 * returns, a second GOAWAY with the last stream actually accepted (RFC 9113 §6.8). Streams below
 * it finish; {@link #canClose()} says when nothing is left.
 *
 * <p>What each received frame means lives in {@link H2Inbound}; this class keeps the API, what
 * is sent, and the streams' books.
 *
 * <p>Not thread-safe: owned by the engine's event loop; every method runs on it. Steady state
 * allocates nothing per stream or frame (streams are pooled, buffers reused).
 */
public final class H2Connection {

    /** Which end of the connection this is. */
    public enum Role { SERVER, CLIENT }

    static final long GRACEFUL_PING = 0x7067346a2d676f61L; // "pg4j-goa"

    // fields without 'private' are shared with H2Inbound, which reads frames for this connection
    final Role role;
    final H2Limits limits;
    final H2Listener listener;
    final H2FrameSink sink;
    private final H2FrameReader reader;
    final HpackDecoder hpack;
    final HeadDowngrade downgrade;
    final HeadEncoder encoder;
    private final H2Inbound inbound;

    final StreamMap streams = new StreamMap();
    final ClosedStreams closed = new ClosedStreams(256);
    final ResetBudget resets;
    private final ControlFrameCap controlFrames;
    private H2Stream free;
    private int freeCount;
    H2Stream[] scratch = new H2Stream[16];

    int lastPeerStreamId;
    private int nextLocalStreamId;
    int activePeerStreams;
    private int activeLocalStreams;

    // the peer's settings
    int peerInitialWindow = H2Frames.DEFAULT_WINDOW;
    int peerMaxFrameSize = H2Frames.DEFAULT_MAX_FRAME_SIZE;
    long peerMaxConcurrentStreams = Long.MAX_VALUE;
    long peerMaxHeaderListSize = Long.MAX_VALUE;
    boolean peerSettingsReceived;

    // connection windows
    int connSendWindow = H2Frames.DEFAULT_WINDOW;
    int connRecvWindow = H2Frames.DEFAULT_WINDOW;
    private int connUnacked;

    private boolean started;
    boolean awaitingSettingsAck;
    boolean goAwaySent;
    int goAwayLastStreamId = Integer.MAX_VALUE;
    boolean gracefulPending;
    boolean goAwayReceived;
    private boolean failed;
    private H2Exception failure;
    long now;
    int emptyFrames;


    public H2Connection(Role role, H2Limits limits, H2Listener listener, H2FrameSink sink) {
        this.role = role;
        this.limits = limits;
        this.listener = listener;
        this.sink = sink;
        this.inbound = new H2Inbound(this);
        this.reader = new H2FrameReader(inbound, role == Role.SERVER);
        this.reader.maxFrameSize(limits.maxFrameSize());
        this.hpack = new HpackDecoder(limits.headerTableSize(), limits.maxHeaderListSize());
        this.downgrade = new HeadDowngrade(limits.maxHeaderListSize());
        this.encoder = new HeadEncoder(new HpackEncoder(limits.headerTableSize()));
        this.resets = new ResetBudget(limits.maxResetsPerWindow(), limits.resetWindowNanos());
        this.controlFrames = new ControlFrameCap(limits.maxQueuedControlFrames());
        this.nextLocalStreamId = role == Role.CLIENT ? 1 : 2;
    }

    public Role role() {
        return role;
    }

    public H2Limits limits() {
        return limits;
    }

    // ------------------------------------------------------------------ life

    /** Queues our connection preface: (client) the magic, SETTINGS, and the connection window's WINDOW_UPDATE. */
    public void start() {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        int[] ids = new int[6];
        long[] values = new long[6];
        int n = 0;
        if (limits.headerTableSize() != H2Limits.DEFAULT_HEADER_TABLE_SIZE) {
            ids[n] = H2Frames.SETTINGS_HEADER_TABLE_SIZE;
            values[n++] = limits.headerTableSize();
        }
        if (role == Role.CLIENT) {
            ids[n] = H2Frames.SETTINGS_ENABLE_PUSH;
            values[n++] = 0;
        }
        ids[n] = H2Frames.SETTINGS_MAX_CONCURRENT_STREAMS;
        values[n++] = limits.maxConcurrentStreams();
        if (limits.initialStreamWindow() != H2Frames.DEFAULT_WINDOW) {
            ids[n] = H2Frames.SETTINGS_INITIAL_WINDOW_SIZE;
            values[n++] = limits.initialStreamWindow();
        }
        if (limits.maxFrameSize() != H2Frames.DEFAULT_MAX_FRAME_SIZE) {
            ids[n] = H2Frames.SETTINGS_MAX_FRAME_SIZE;
            values[n++] = limits.maxFrameSize();
        }
        ids[n] = H2Frames.SETTINGS_MAX_HEADER_LIST_SIZE;
        values[n++] = limits.maxHeaderListSize();
        int grow = limits.connectionWindow() - H2Frames.DEFAULT_WINDOW;
        ByteBuffer out = sink.reserve((role == Role.CLIENT ? H2Frames.PREFACE_BYTES.length : 0) + 9 + 6 * n
                + (grow > 0 ? 13 : 0));
        if (role == Role.CLIENT) {
            out.put(H2Frames.PREFACE_BYTES);
        }
        H2FrameWriter.settings(out, ids, values, n);
        if (grow > 0) {
            H2FrameWriter.windowUpdate(out, 0, grow);
            connRecvWindow = limits.connectionWindow();
        }
        awaitingSettingsAck = true;
    }

    /**
     * Reads {@code in[position, limit)}: all of it is consumed (a frame cut short is kept inside),
     * the position ends at the limit. Listener calls happen from here. {@code nowNanos} is the
     * caller's clock (System.nanoTime()), for the rapid-reset budget.
     */
    public void receive(ByteBuffer in, long nowNanos) {
        if (failed) {
            in.position(in.limit());
            return;
        }
        if (!started) {
            throw new IllegalStateException("start() first");
        }
        now = nowNanos;
        try {
            reader.read(in);
        } catch (H2Exception e) {
            in.position(in.limit());
            fail(e);
        }
    }

    /** True until the peer acknowledged our SETTINGS. */
    public boolean awaitingSettingsAck() {
        return awaitingSettingsAck;
    }

    /** The engine's SETTINGS timer fired: if they are still not acknowledged, the connection fails (§6.5.3). */
    public void settingsTimeout() {
        if (awaitingSettingsAck && !failed) {
            fail(new H2Exception(H2Error.SETTINGS_NOT_ACKNOWLEDGED, 0));
        }
    }

    /** The engine's output queue is empty: control frames queued since no longer count against the flood cap. */
    public void outboundDrained() {
        controlFrames.drained();
    }

    /** True once a connection error ended the connection. */
    public boolean failed() {
        return failed;
    }

    /** The connection error, or null. */
    public H2Exception failure() {
        return failure;
    }

    /** Open streams, both directions. */
    public int activeStreams() {
        return streams.size();
    }

    /** The highest stream id the peer opened. */
    public int lastPeerStreamId() {
        return lastPeerStreamId;
    }

    /** True once the connection failed, or a final GOAWAY went either way and no stream is left. */
    public boolean canClose() {
        return failed || ((goAwaySent && !gracefulPending || goAwayReceived) && streams.size() == 0);
    }

    /** True if we sent GOAWAY (graceful or not): the engine accepts no new work. */
    public boolean goingAway() {
        return goAwaySent || goAwayReceived || failed;
    }

    /**
     * The connection receive window's books (for tests): what the peer may still send, plus what
     * is owed back in a WINDOW_UPDATE, plus what streams hold unconsumed. Always equals
     * {@link H2Limits#connectionWindow()} once started.
     */
    long connectionWindowAccounted() {
        long held = 0;
        if (streams.size() > scratch.length) {
            scratch = new H2Stream[Math.max(streams.size(), scratch.length * 2)];
        }
        int n = streams.snapshot(scratch);
        for (int i = 0; i < n; i++) {
            held += scratch[i].unconsumed;
            scratch[i] = null;
        }
        return (long) connRecvWindow + connUnacked + held + inbound.dataInFlight();
    }

    /** True once the peer's first SETTINGS arrived. */
    public boolean peerSettingsReceived() {
        return peerSettingsReceived;
    }

    /** The peer's SETTINGS_MAX_CONCURRENT_STREAMS (streams we may open at once), or Long.MAX_VALUE. */
    public long peerMaxConcurrentStreams() {
        return peerMaxConcurrentStreams;
    }

    /** Streams we opened that are not closed yet (client role: requests in flight). */
    public int activeLocalStreams() {
        return activeLocalStreams;
    }

    /** The peer's SETTINGS_MAX_HEADER_LIST_SIZE (advisory), or Long.MAX_VALUE. */
    public long peerMaxHeaderListSize() {
        return peerMaxHeaderListSize;
    }

    // ------------------------------------------------------------------ streams, outbound

    /** Client role: true if a new stream may be opened now (peer's limit, no GOAWAY). */
    public boolean canOpenStream() {
        return role == Role.CLIENT && started && !failed && !goAwayReceived && !goAwaySent
                && activeLocalStreams < peerMaxConcurrentStreams && nextLocalStreamId > 0;
    }

    /**
     * Client role: opens a stream with a request head (names lower-cased, Host as
     * {@code :authority}, connection-specific fields left out) and returns its id.
     *
     * @param scheme    {@code :scheme}, "http" or "https"
     * @param endStream true if the request has no body
     * @throws IllegalStateException if {@link #canOpenStream()} is false
     */
    public int openStream(RequestHead head, CharSequence scheme, boolean endStream) {
        if (!canOpenStream()) {
            throw new IllegalStateException("cannot open a stream now");
        }
        int id = nextLocalStreamId;
        nextLocalStreamId += 2;
        H2Stream s = newStream(id, endStream ? H2Stream.State.HALF_CLOSED_LOCAL : H2Stream.State.OPEN);
        s.surfaced = true;
        s.headersSent = true;
        s.requestMethod = head.method();
        activeLocalStreams++;
        writeBlock(id, encoder.request(head, scheme), endStream);
        return id;
    }

    /**
     * Server role: writes a response head (a 1xx interim head first if need be, with
     * {@code endStream} false). Names are lower-cased and connection-specific fields left out.
     *
     * @return false if the stream is gone (reset, or the connection failed): nothing was written
     */
    public boolean writeHeaders(int streamId, ResponseHead head, boolean endStream) {
        if (role != Role.SERVER) {
            throw new IllegalStateException("writeHeaders(ResponseHead) is for the server role");
        }
        H2Stream s = sendable(streamId);
        if (s == null) {
            return false;
        }
        if (head.interim() && endStream) {
            throw new IllegalArgumentException("an interim response cannot end the stream");
        }
        writeBlock(streamId, encoder.response(head), endStream);
        if (!head.interim()) {
            s.headersSent = true;
        }
        if (endStream) {
            localClosed(s);
        }
        return true;
    }

    /**
     * Writes trailer fields, which end the stream.
     *
     * @return false if the stream is gone
     */
    public boolean writeTrailers(int streamId, HeaderBlock trailers) {
        H2Stream s = sendable(streamId);
        if (s == null) {
            return false;
        }
        writeBlock(streamId, encoder.trailers(trailers), true);
        localClosed(s);
        return true;
    }

    /**
     * Sends body bytes {@code data[position, limit)} as far as the flow-control windows allow, in
     * DATA frames of at most the peer's SETTINGS_MAX_FRAME_SIZE whose payloads are
     * {@code data} itself ({@link H2FrameSink#payload}: no copy here). Advances the position by
     * what was sent. {@code endStream} takes effect only if all of it was sent; an empty
     * {@code data} with {@code endStream} sends an empty DATA frame that ends the stream.
     *
     * @return bytes sent (less than asked when a window is short: {@link H2Listener#onStreamWritable}
     *         follows when it opens), or -1 if the stream is gone
     */
    public int writeData(int streamId, ByteBuffer data, boolean endStream) {
        H2Stream s = sendable(streamId);
        if (s == null) {
            return -1;
        }
        int len = data.remaining();
        int n = Math.max(0, Math.min(len, Math.min(s.sendWindow, connSendWindow)));
        if (n == 0 && (len > 0 || !endStream)) {
            if (len > 0) {
                s.sendBlocked = true;
            }
            return 0;
        }
        int p = data.position();
        int limit = data.limit();
        int sent = 0;
        try {
            do {
                int chunk = Math.min(n - sent, peerMaxFrameSize);
                boolean fin = endStream && sent + chunk == len;
                H2FrameWriter.frameHeader(sink.reserve(9), chunk, H2Frames.DATA, fin ? H2Frames.FLAG_END_STREAM : 0,
                        streamId);
                if (chunk > 0) {
                    data.limit(p + sent + chunk).position(p + sent);
                    sink.payload(data);
                }
                sent += chunk;
            } while (sent < n);
        } finally {
            data.limit(limit).position(p + sent);
        }
        s.sendWindow -= n;
        connSendWindow -= n;
        if (n < len) {
            s.sendBlocked = true;
        } else if (endStream) {
            localClosed(s);
        }
        return n;
    }

    /** Bytes {@link #writeData} could send on the stream now (the smaller window), or -1 if it is gone. */
    public int sendWindow(int streamId) {
        H2Stream s = streams.get(streamId);
        if (s == null || !s.localOpen() || failed) {
            return -1;
        }
        return Math.max(0, Math.min(s.sendWindow, connSendWindow));
    }

    /**
     * The engine is done with {@code bytes} of the stream's body delivered by
     * {@link H2Listener#onData}: they go back to the stream's and the connection's windows
     * (in a WINDOW_UPDATE once half a window is owed).
     */
    public void consumed(int streamId, int bytes) {
        if (failed || bytes <= 0) {
            return;
        }
        H2Stream s = streams.get(streamId);
        if (s == null) {
            return; // closed: its bytes went back already
        }
        if (bytes > s.unconsumed) {
            throw new IllegalArgumentException("stream " + streamId + ": consumed " + bytes + " of "
                    + s.unconsumed + " bytes delivered");
        }
        s.unconsumed -= bytes;
        returnToConnection(bytes);
        if (s.remoteOpen()) {
            s.unacked += bytes;
            if (s.unacked >= Math.max(1, limits.initialStreamWindow() / 2)) {
                H2FrameWriter.windowUpdate(sink.reserve(13), streamId, s.unacked);
                s.recvWindow += s.unacked;
                s.unacked = 0;
            }
        }
    }

    /** Resets a stream (RST_STREAM with {@code errorCode}, e.g. CANCEL); nothing if it is gone. */
    public void resetStream(int streamId, int errorCode) {
        H2Stream s = streams.get(streamId);
        if (s == null || failed) {
            return;
        }
        H2FrameWriter.rstStream(sink.reserve(13), streamId, errorCode);
        closeStream(s, ClosedStreams.RESET_BY_US);
    }

    /** Sends GOAWAY at once with the last stream the peer opened, and accepts no new stream (§6.8). */
    public void goAway(int errorCode) {
        if (failed) {
            return;
        }
        H2FrameWriter.goAway(sink.reserve(17), lastPeerStreamId, errorCode);
        goAwaySent = true;
        gracefulPending = false;
        goAwayLastStreamId = lastPeerStreamId;
    }

    /**
     * The two-step graceful GOAWAY (§6.8): GOAWAY with 2^31-1 and a PING now; when the PING comes
     * back, GOAWAY with the last stream accepted by then. Streams up to it may finish.
     */
    public void shutdownGracefully() {
        if (failed || goAwaySent) {
            return;
        }
        ByteBuffer out = sink.reserve(34);
        H2FrameWriter.goAway(out, Integer.MAX_VALUE, H2ErrorCode.NO_ERROR);
        H2FrameWriter.ping(out, false, GRACEFUL_PING);
        goAwaySent = true;
        gracefulPending = true;
    }

    /** Sends a PING; {@link H2Listener#onPingAck} reports its return. */
    public void ping(long data) {
        if (!failed) {
            H2FrameWriter.ping(sink.reserve(17), false, data);
        }
    }

    // ------------------------------------------------------------------ internals

    private H2Stream sendable(int streamId) {
        if (failed) {
            return null;
        }
        H2Stream s = streams.get(streamId);
        return s != null && s.localOpen() ? s : null;
    }

    private void writeBlock(int streamId, ByteBuffer block, boolean endStream) {
        ByteBuffer out = sink.reserve(H2FrameWriter.headersLength(block.remaining(), peerMaxFrameSize));
        H2FrameWriter.headers(out, streamId, endStream, block, peerMaxFrameSize);
    }

    boolean peerInitiated(int id) {
        return role == Role.SERVER ? (id & 1) == 1 : (id & 1) == 0;
    }

    boolean idle(int id) {
        return peerInitiated(id) ? id > lastPeerStreamId : id >= nextLocalStreamId;
    }

    /** The receive window a new stream starts with: the default until the peer has our SETTINGS (§6.9.2). */
    private int localInitialWindow() {
        return awaitingSettingsAck ? Math.max(H2Frames.DEFAULT_WINDOW, limits.initialStreamWindow())
                : limits.initialStreamWindow();
    }

    H2Stream newStream(int id, H2Stream.State state) {
        H2Stream s = free;
        if (s != null) {
            free = s.next;
            freeCount--;
        } else {
            s = new H2Stream();
        }
        s.init(id, state, peerInitialWindow, localInitialWindow());
        streams.put(s);
        return s;
    }

    /** @param how a {@link ClosedStreams} code: ENDED, RESET_BY_US or RESET_BY_PEER */
    void closeStream(H2Stream s, int how) {
        s.state = H2Stream.State.CLOSED;
        streams.remove(s.id);
        closed.add(s.id, how);
        if (peerInitiated(s.id)) {
            activePeerStreams--;
        } else {
            activeLocalStreams--;
        }
        if (s.unconsumed > 0) {
            returnToConnection(s.unconsumed);
        }
        inbound.streamClosed(s);
        s.id = 0;
        if (freeCount < limits.maxConcurrentStreams()) {
            s.next = free;
            free = s;
            freeCount++;
        }
    }

    private void localClosed(H2Stream s) {
        if (s.state == H2Stream.State.OPEN) {
            s.state = H2Stream.State.HALF_CLOSED_LOCAL;
        } else if (s.state == H2Stream.State.HALF_CLOSED_REMOTE) {
            closeStream(s, ClosedStreams.ENDED);
        }
    }

    void remoteClosed(H2Stream s) {
        if (s.state == H2Stream.State.OPEN) {
            s.state = H2Stream.State.HALF_CLOSED_REMOTE;
        } else if (s.state == H2Stream.State.HALF_CLOSED_LOCAL) {
            closeStream(s, ClosedStreams.ENDED);
        }
    }

    void returnToConnection(int bytes) {
        connUnacked += bytes;
        if (connUnacked >= limits.connectionWindow() / 2) {
            H2FrameWriter.windowUpdate(sink.reserve(13), 0, connUnacked);
            connRecvWindow += connUnacked;
            connUnacked = 0;
        }
    }

    void controlFrameQueued() {
        if (!controlFrames.add()) {
            throw new H2Exception(H2Error.CONTROL_FRAME_FLOOD, 0);
        }
    }

    void emptyFrame() {
        if (++emptyFrames > limits.maxConsecutiveEmptyFrames()) {
            throw new H2Exception(H2Error.EMPTY_FRAME_FLOOD, 0);
        }
    }

    /**
     * Resets a stream because of what the peer sent: RST_STREAM, the reset budget (MadeYouReset)
     * and the control-frame cap, then the listener. {@code s} may be null (a closed or refused id).
     */
    void streamError(int streamId, H2Stream s, H2Exception e) {
        if (!resets.spend(now)) {
            throw new H2Exception(H2Error.RESET_FLOOD, streamId);
        }
        controlFrameQueued();
        H2FrameWriter.rstStream(sink.reserve(13), streamId, e.error().code());
        if (s != null) {
            boolean surfaced = s.surfaced;
            closeStream(s, ClosedStreams.RESET_BY_US);
            if (surfaced) {
                listener.onStreamReset(streamId, e.error().code(), e);
            } else {
                listener.onRefusedStream(streamId, e);
            }
        } else {
            closed.add(streamId, ClosedStreams.RESET_BY_US);
            if (e.error() == H2Error.TOO_MANY_STREAMS) {
                listener.onRefusedStream(streamId, e);
            }
        }
    }

    private void fail(H2Exception e) {
        if (failed) {
            return;
        }
        failed = true;
        failure = e;
        H2FrameWriter.goAway(sink.reserve(17), lastPeerStreamId, e.error().code());
        listener.onConnectionError(e);
    }

    void notifyWritable(H2Stream s) {
        if (s.sendBlocked && s.localOpen() && s.sendWindow > 0 && connSendWindow > 0) {
            s.sendBlocked = false;
            listener.onStreamWritable(s.id);
        }
    }

    void notifyAllWritable() {
        if (streams.size() > scratch.length) {
            scratch = new H2Stream[Math.max(streams.size(), scratch.length * 2)];
        }
        int n = streams.snapshot(scratch);
        for (int i = 0; i < n; i++) {
            H2Stream s = scratch[i];
            scratch[i] = null;
            if (s.id != 0 && streams.get(s.id) == s) {
                notifyWritable(s);
            }
        }
    }

    // ------------------------------------------------------------------ inbound frames

}
