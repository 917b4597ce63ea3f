package io.pingora4j.codec.h2;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.HttpMethod;
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
 * <p>Not thread-safe: owned by the engine's event loop; every method runs on it. Steady state
 * allocates nothing per stream or frame (streams are pooled, buffers reused).
 */
public final class H2Connection {

    /** Which end of the connection this is. */
    public enum Role { SERVER, CLIENT }

    private static final long GRACEFUL_PING = 0x7067346a2d676f61L; // "pg4j-goa"

    private final Role role;
    private final H2Limits limits;
    private final H2Listener listener;
    private final H2FrameSink sink;
    private final H2FrameReader reader;
    private final HpackDecoder hpack;
    private final HeadDowngrade downgrade;
    private final HeadEncoder encoder;
    private final Inbound inbound = new Inbound();

    private final StreamMap streams = new StreamMap();
    private final ClosedStreams closed = new ClosedStreams(256);
    private final ResetBudget resets;
    private final ControlFrameCap controlFrames;
    private H2Stream free;
    private int freeCount;
    private H2Stream[] scratch = new H2Stream[16];

    private int lastPeerStreamId;
    private int nextLocalStreamId;
    private int activePeerStreams;
    private int activeLocalStreams;

    // the peer's settings
    private int peerInitialWindow = H2Frames.DEFAULT_WINDOW;
    private int peerMaxFrameSize = H2Frames.DEFAULT_MAX_FRAME_SIZE;
    private long peerMaxConcurrentStreams = Long.MAX_VALUE;
    private long peerMaxHeaderListSize = Long.MAX_VALUE;
    private boolean peerSettingsReceived;

    // connection windows
    private int connSendWindow = H2Frames.DEFAULT_WINDOW;
    private int connRecvWindow = H2Frames.DEFAULT_WINDOW;
    private int connUnacked;

    private boolean started;
    private boolean awaitingSettingsAck;
    private boolean goAwaySent;
    private int goAwayLastStreamId = Integer.MAX_VALUE;
    private boolean gracefulPending;
    private boolean goAwayReceived;
    private boolean failed;
    private H2Exception failure;
    private long now;
    private int emptyFrames;

    // the header block being read
    private int blockStream;
    private boolean blockEndStream;
    private int continuationFrames;
    private H2Stream blockTarget;
    private H2Error blockError;

    // the DATA frame being read
    private H2Stream dataTarget;
    private boolean dataEndStream;
    /** The frame's stream closed mid-frame: its remaining pieces go back to the connection window. */
    private boolean dataOrphaned;
    /** Data bytes of the accepted frame being read that have not arrived yet (taken from the window already). */
    private int dataInFlight;

    public H2Connection(Role role, H2Limits limits, H2Listener listener, H2FrameSink sink) {
        this.role = role;
        this.limits = limits;
        this.listener = listener;
        this.sink = sink;
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
        ByteBuffer out = sink.reserve((role == Role.CLIENT ? H2Frames.PREFACE.length : 0) + 9 + 6 * n
                + (grow > 0 ? 13 : 0));
        if (role == Role.CLIENT) {
            out.put(H2Frames.PREFACE);
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
        return (long) connRecvWindow + connUnacked + held + dataInFlight;
    }

    /** True once the peer's first SETTINGS arrived. */
    public boolean peerSettingsReceived() {
        return peerSettingsReceived;
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
        closeStream(s, true);
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

    private boolean peerInitiated(int id) {
        return role == Role.SERVER ? (id & 1) == 1 : (id & 1) == 0;
    }

    private boolean idle(int id) {
        return peerInitiated(id) ? id > lastPeerStreamId : id >= nextLocalStreamId;
    }

    /** The receive window a new stream starts with: the default until the peer has our SETTINGS (§6.9.2). */
    private int localInitialWindow() {
        return awaitingSettingsAck ? Math.max(H2Frames.DEFAULT_WINDOW, limits.initialStreamWindow())
                : limits.initialStreamWindow();
    }

    private H2Stream newStream(int id, H2Stream.State state) {
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

    private void closeStream(H2Stream s, boolean resetByUs) {
        s.state = H2Stream.State.CLOSED;
        streams.remove(s.id);
        closed.add(s.id, resetByUs);
        if (peerInitiated(s.id)) {
            activePeerStreams--;
        } else {
            activeLocalStreams--;
        }
        if (s.unconsumed > 0) {
            returnToConnection(s.unconsumed);
        }
        if (dataTarget == s) {
            dataTarget = null;
            dataOrphaned = true;
        }
        if (blockTarget == s) {
            blockTarget = null;
        }
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
            closeStream(s, false);
        }
    }

    private void remoteClosed(H2Stream s) {
        if (s.state == H2Stream.State.OPEN) {
            s.state = H2Stream.State.HALF_CLOSED_REMOTE;
        } else if (s.state == H2Stream.State.HALF_CLOSED_LOCAL) {
            closeStream(s, false);
        }
    }

    private void returnToConnection(int bytes) {
        connUnacked += bytes;
        if (connUnacked >= limits.connectionWindow() / 2) {
            H2FrameWriter.windowUpdate(sink.reserve(13), 0, connUnacked);
            connRecvWindow += connUnacked;
            connUnacked = 0;
        }
    }

    private void controlFrameQueued() {
        if (!controlFrames.add()) {
            throw new H2Exception(H2Error.CONTROL_FRAME_FLOOD, 0);
        }
    }

    private void emptyFrame() {
        if (++emptyFrames > limits.maxConsecutiveEmptyFrames()) {
            throw new H2Exception(H2Error.EMPTY_FRAME_FLOOD, 0);
        }
    }

    /**
     * Resets a stream because of what the peer sent: RST_STREAM, the reset budget (MadeYouReset)
     * and the control-frame cap, then the listener. {@code s} may be null (a closed or refused id).
     */
    private void streamError(int streamId, H2Stream s, H2Exception e) {
        if (!resets.spend(now)) {
            throw new H2Exception(H2Error.RESET_FLOOD, streamId);
        }
        controlFrameQueued();
        H2FrameWriter.rstStream(sink.reserve(13), streamId, e.error().code());
        if (s != null) {
            boolean surfaced = s.surfaced;
            closeStream(s, true);
            if (surfaced) {
                listener.onStreamReset(streamId, e.error().code(), e);
            } else {
                listener.onRefusedStream(streamId, e);
            }
        } else {
            closed.add(streamId, true);
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

    private void notifyWritable(H2Stream s) {
        if (s.sendBlocked && s.localOpen() && s.sendWindow > 0 && connSendWindow > 0) {
            s.sendBlocked = false;
            listener.onStreamWritable(s.id);
        }
    }

    private void notifyAllWritable() {
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

    /** The reader's handler: what each frame means for the connection and its streams. */
    private final class Inbound implements H2FrameHandler {

        @Override
        public void onDataFrame(int streamId, int frameLength, int dataLength, boolean endStream) {
            dataTarget = null;
            dataOrphaned = false;
            dataInFlight = 0;
            if (frameLength > connRecvWindow) {
                throw new H2Exception(H2Error.CONNECTION_WINDOW_EXCEEDED, streamId);
            }
            connRecvWindow -= frameLength;
            if (frameLength == 0 && !endStream) {
                emptyFrame();
            } else if (frameLength > 0) {
                emptyFrames = 0;
            }
            H2Stream s = streams.get(streamId);
            if (s == null) {
                if (idle(streamId)) {
                    throw new H2Exception(H2Error.FRAME_ON_IDLE_STREAM, streamId);
                }
                returnToConnection(frameLength);
                if (closed.find(streamId) != ClosedStreams.RESET_BY_US) {
                    streamError(streamId, null, new H2Exception(H2Error.STREAM_CLOSED, streamId));
                }
                return;
            }
            if (!s.remoteOpen()) {
                returnToConnection(frameLength);
                streamError(streamId, s, new H2Exception(H2Error.STREAM_CLOSED, streamId));
                return;
            }
            if (role == Role.CLIENT && !s.finalResponse) {
                returnToConnection(frameLength);
                streamError(streamId, s, new H2Exception(H2Error.DATA_BEFORE_HEADERS, streamId));
                return;
            }
            if (frameLength > s.recvWindow) {
                returnToConnection(frameLength);
                streamError(streamId, s, new H2Exception(H2Error.STREAM_WINDOW_EXCEEDED, streamId));
                return;
            }
            s.recvWindow -= frameLength;
            long total = s.received + dataLength;
            if (s.contentLength >= 0 && (total > s.contentLength || (endStream && total != s.contentLength))) {
                // known from the frame header, before any of it is delivered (§8.1.1)
                returnToConnection(frameLength);
                streamError(streamId, s, new H2Exception(H2Error.CONTENT_LENGTH_MISMATCH, streamId));
                return;
            }
            int padding = frameLength - dataLength;
            if (padding > 0) {
                // the engine never sees padding: it is consumed here
                s.unconsumed += padding;
                consumed(streamId, padding);
            }
            dataTarget = s;
            dataEndStream = endStream;
            dataInFlight = dataLength;
        }

        @Override
        public void onData(int streamId, ByteBuffer in, int at, int length, boolean last) {
            if (dataTarget != null || dataOrphaned) {
                dataInFlight -= length;
            }
            H2Stream s = dataTarget;
            if (s == null) {
                if (dataOrphaned && length > 0) {
                    returnToConnection(length); // taken from the window at the frame's start, never delivered
                }
                return; // (a frame refused at its start went back whole then)
            }
            s.received += length;
            boolean end = last && dataEndStream;
            s.unconsumed += length;
            if (end) {
                dataTarget = null;
                remoteClosed(s);
            }
            int position = in.position();
            int limit = in.limit();
            in.limit(at + length).position(at);
            try {
                listener.onData(streamId, in, end);
            } finally {
                in.limit(limit).position(position);
            }
        }

        @Override
        public void onHeaders(int streamId, boolean endStream, boolean endHeaders, int dependency, boolean exclusive,
                              int weight, int fragmentLength) {
            blockStream = streamId;
            blockEndStream = endStream;
            continuationFrames = 0;
            blockTarget = null;
            blockError = null;
            hpack.beginBlock();
            if (fragmentLength == 0 && !endHeaders) {
                emptyFrame();
            }
            HeadDowngrade.Kind kind = locate(streamId, endStream);
            downgrade.begin(kind);
            if (dependency == streamId && blockError == null) {
                blockError = H2Error.STREAM_DEPENDS_ON_ITSELF;
            }
        }

        /** Finds or opens the stream a HEADERS frame is for; sets blockTarget and blockError. */
        private HeadDowngrade.Kind locate(int streamId, boolean endStream) {
            H2Stream s = streams.get(streamId);
            if (s != null) {
                if (!s.remoteOpen()) {
                    blockTarget = s;
                    blockError = H2Error.STREAM_CLOSED;
                    return HeadDowngrade.Kind.DISCARD;
                }
                blockTarget = s;
                if (role == Role.CLIENT && !s.finalResponse) {
                    return HeadDowngrade.Kind.RESPONSE;
                }
                if (!endStream) {
                    blockError = H2Error.TRAILERS_WITHOUT_END_STREAM;
                    return HeadDowngrade.Kind.DISCARD;
                }
                return HeadDowngrade.Kind.TRAILERS;
            }
            if (!peerInitiated(streamId)) {
                if (role == Role.SERVER) {
                    throw new H2Exception(H2Error.INVALID_STREAM_ID, streamId);
                }
                if (idle(streamId)) {
                    throw new H2Exception(H2Error.FRAME_ON_IDLE_STREAM, streamId);
                }
                return closedStream(streamId);
            }
            if (streamId <= lastPeerStreamId) {
                return closedStream(streamId);
            }
            if (role == Role.CLIENT) {
                throw new H2Exception(H2Error.FRAME_ON_IDLE_STREAM, streamId); // a server may not open streams (no push)
            }
            lastPeerStreamId = streamId;
            if (goAwaySent && streamId > goAwayLastStreamId) {
                return HeadDowngrade.Kind.DISCARD; // after our final GOAWAY: ignored (§6.8)
            }
            if (activePeerStreams >= limits.maxConcurrentStreams()) {
                blockError = H2Error.TOO_MANY_STREAMS;
                return HeadDowngrade.Kind.DISCARD;
            }
            blockTarget = newStream(streamId, H2Stream.State.OPEN);
            activePeerStreams++;
            return HeadDowngrade.Kind.REQUEST;
        }

        private HeadDowngrade.Kind closedStream(int streamId) {
            int f = closed.find(streamId);
            if (f == ClosedStreams.NOT_FOUND) {
                throw new H2Exception(H2Error.STREAM_ID_NOT_INCREASING, streamId);
            }
            if (f == ClosedStreams.CLOSED) {
                blockError = H2Error.STREAM_CLOSED;
            }
            return HeadDowngrade.Kind.DISCARD;
        }

        @Override
        public void onContinuation(int streamId, boolean endHeaders, int fragmentLength) {
            if (++continuationFrames > limits.maxContinuationFrames()) {
                throw new H2Exception(H2Error.CONTINUATION_FLOOD, streamId);
            }
            if (fragmentLength == 0 && !endHeaders) {
                emptyFrame();
            }
        }

        @Override
        public void onHeaderFragment(int streamId, ByteBuffer in, int at, int length) {
            hpack.decode(in, at, at + length, downgrade);
        }

        @Override
        public void onHeaderFrameEnd(int streamId, boolean endHeaders) {
            if (!endHeaders) {
                return;
            }
            hpack.endBlock();
            finishBlock();
        }

        private void finishBlock() {
            int id = blockStream;
            H2Stream s = blockTarget;
            blockTarget = null;
            if (blockError != null) {
                streamError(id, s, new H2Exception(blockError, id));
                return;
            }
            switch (downgrade.kind()) {
                case REQUEST:
                    request(id, s);
                    break;
                case RESPONSE:
                    response(id, s);
                    break;
                case TRAILERS:
                    trailers(id, s);
                    break;
                default:
                    break;
            }
        }

        private void request(int id, H2Stream s) {
            RequestHead head;
            try {
                head = downgrade.finishRequest(id, blockEndStream);
                if (blockEndStream && head.contentLength() > 0) {
                    throw new H2Exception(H2Error.CONTENT_LENGTH_MISMATCH, id);
                }
            } catch (H2Exception e) {
                streamError(id, s, e);
                return;
            }
            s.contentLength = head.contentLength();
            s.surfaced = true;
            emptyFrames = 0;
            if (blockEndStream) {
                remoteClosed(s);
            }
            listener.onRequestHeaders(id, head, blockEndStream);
        }

        private void response(int id, H2Stream s) {
            ResponseHead head;
            try {
                head = downgrade.finishResponse(id, blockEndStream, s.requestMethod);
                boolean bodyless = s.requestMethod == HttpMethod.HEAD || head.status() == 204 || head.status() == 304;
                if (!head.interim()) {
                    s.finalResponse = true;
                    s.contentLength = bodyless ? -1 : head.contentLength();
                    if (blockEndStream && !bodyless && head.contentLength() > 0) {
                        throw new H2Exception(H2Error.CONTENT_LENGTH_MISMATCH, id);
                    }
                }
            } catch (H2Exception e) {
                streamError(id, s, e);
                return;
            }
            emptyFrames = 0;
            if (blockEndStream) {
                remoteClosed(s);
            }
            listener.onResponseHeaders(id, head, blockEndStream);
        }

        private void trailers(int id, H2Stream s) {
            HeaderBlock t;
            try {
                t = downgrade.finishTrailers(id);
                if (s.contentLength >= 0 && s.received != s.contentLength) {
                    throw new H2Exception(H2Error.CONTENT_LENGTH_MISMATCH, id);
                }
            } catch (H2Exception e) {
                streamError(id, s, e);
                return;
            }
            remoteClosed(s);
            listener.onTrailers(id, t);
        }

        @Override
        public void onPriority(int streamId, int dependency, boolean exclusive, int weight) {
            // RFC 9113 §5.3.2: priority signals are parsed and ignored; a self-dependency is still an error
            if (dependency == streamId) {
                streamError(streamId, streams.get(streamId), new H2Exception(H2Error.STREAM_DEPENDS_ON_ITSELF, streamId));
            }
        }

        @Override
        public void onRstStream(int streamId, int errorCode) {
            if (idle(streamId)) {
                throw new H2Exception(H2Error.FRAME_ON_IDLE_STREAM, streamId);
            }
            H2Stream s = streams.get(streamId);
            if (s == null) {
                return; // already closed: RST_STREAM crossing ours, or late
            }
            if (!resets.spend(now)) {
                throw new H2Exception(H2Error.RESET_FLOOD, streamId);
            }
            boolean surfaced = s.surfaced;
            closeStream(s, false);
            if (surfaced) {
                listener.onStreamReset(streamId, errorCode, null);
            }
        }

        private boolean windowGrew;

        @Override
        public void onSetting(int id, long value) {
            switch (id) {
                case H2Frames.SETTINGS_HEADER_TABLE_SIZE:
                    encoder.hpack().peerMaxTableSize(value);
                    break;
                case H2Frames.SETTINGS_ENABLE_PUSH:
                    if (value > 1 || (role == Role.CLIENT && value != 0)) {
                        throw new H2Exception(H2Error.INVALID_ENABLE_PUSH, 0);
                    }
                    break;
                case H2Frames.SETTINGS_MAX_CONCURRENT_STREAMS:
                    peerMaxConcurrentStreams = value;
                    break;
                case H2Frames.SETTINGS_INITIAL_WINDOW_SIZE: {
                    if (value > H2Frames.MAX_WINDOW) {
                        throw new H2Exception(H2Error.INITIAL_WINDOW_SIZE_TOO_LARGE, 0);
                    }
                    int delta = (int) value - peerInitialWindow;
                    peerInitialWindow = (int) value;
                    if (delta != 0) {
                        adjustSendWindows(delta);
                        windowGrew |= delta > 0;
                    }
                    break;
                }
                case H2Frames.SETTINGS_MAX_FRAME_SIZE:
                    if (value < H2Frames.DEFAULT_MAX_FRAME_SIZE || value > H2Frames.MAX_FRAME_SIZE_LIMIT) {
                        throw new H2Exception(H2Error.INVALID_MAX_FRAME_SIZE, 0);
                    }
                    peerMaxFrameSize = (int) value;
                    break;
                case H2Frames.SETTINGS_MAX_HEADER_LIST_SIZE:
                    peerMaxHeaderListSize = value;
                    break;
                default:
                    break; // unknown settings are ignored (§6.5.2)
            }
        }

        private void adjustSendWindows(int delta) {
            if (streams.size() > scratch.length) {
                scratch = new H2Stream[Math.max(streams.size(), scratch.length * 2)];
            }
            int n = streams.snapshot(scratch);
            for (int i = 0; i < n; i++) {
                H2Stream s = scratch[i];
                scratch[i] = null;
                long w = (long) s.sendWindow + delta;
                if (w > H2Frames.MAX_WINDOW) {
                    throw new H2Exception(H2Error.CONNECTION_WINDOW_OVERFLOW, 0);
                }
                s.sendWindow = (int) w;
            }
        }

        @Override
        public void onSettingsEnd(boolean ack) {
            if (ack) {
                if (awaitingSettingsAck) {
                    awaitingSettingsAck = false;
                    int shrink = limits.initialStreamWindow() - H2Frames.DEFAULT_WINDOW;
                    if (shrink < 0) {
                        shrinkReceiveWindows(shrink);
                    }
                }
                return;
            }
            controlFrameQueued();
            H2FrameWriter.settingsAck(sink.reserve(9));
            peerSettingsReceived = true;
            if (windowGrew) {
                windowGrew = false;
                notifyAllWritable();
            }
            listener.onSettings();
        }

        /** Our smaller initial window took effect: streams opened before lose the difference (§6.9.2). */
        private void shrinkReceiveWindows(int delta) {
            if (streams.size() > scratch.length) {
                scratch = new H2Stream[Math.max(streams.size(), scratch.length * 2)];
            }
            int n = streams.snapshot(scratch);
            for (int i = 0; i < n; i++) {
                scratch[i].recvWindow += delta;
                scratch[i] = null;
            }
        }

        @Override
        public void onPushPromise(int streamId) {
            throw new H2Exception(H2Error.PUSH_PROMISE_REFUSED, streamId);
        }

        @Override
        public void onPing(boolean ack, long data) {
            if (!ack) {
                controlFrameQueued();
                H2FrameWriter.ping(sink.reserve(17), true, data);
                return;
            }
            if (gracefulPending && data == GRACEFUL_PING) {
                gracefulPending = false;
                goAwayLastStreamId = lastPeerStreamId;
                H2FrameWriter.goAway(sink.reserve(17), lastPeerStreamId, H2ErrorCode.NO_ERROR);
                return;
            }
            listener.onPingAck(data);
        }

        @Override
        public void onGoAway(int lastStreamId, int errorCode, int debugLength) {
            goAwayReceived = true;
            if (streams.size() > scratch.length) {
                scratch = new H2Stream[Math.max(streams.size(), scratch.length * 2)];
            }
            int n = streams.snapshot(scratch);
            for (int i = 0; i < n; i++) {
                H2Stream s = scratch[i];
                scratch[i] = null;
                if (!peerInitiated(s.id) && s.id > lastStreamId && s.id != 0) {
                    int id = s.id;
                    boolean surfaced = s.surfaced;
                    closeStream(s, false);
                    if (surfaced) {
                        listener.onStreamReset(id, H2ErrorCode.REFUSED_STREAM, null);
                    }
                }
            }
            listener.onGoAway(lastStreamId, errorCode);
        }

        @Override
        public void onWindowUpdate(int streamId, int increment) {
            if (streamId == 0) {
                if (increment == 0) {
                    throw new H2Exception(H2Error.ZERO_CONNECTION_WINDOW_INCREMENT, 0);
                }
                long w = (long) connSendWindow + increment;
                if (w > H2Frames.MAX_WINDOW) {
                    throw new H2Exception(H2Error.CONNECTION_WINDOW_OVERFLOW, 0);
                }
                connSendWindow = (int) w;
                notifyAllWritable();
                return;
            }
            if (idle(streamId)) {
                throw new H2Exception(H2Error.FRAME_ON_IDLE_STREAM, streamId);
            }
            H2Stream s = streams.get(streamId);
            if (s == null) {
                return; // closed: a late update is harmless
            }
            if (increment == 0) {
                streamError(streamId, s, new H2Exception(H2Error.ZERO_WINDOW_INCREMENT, streamId));
                return;
            }
            long w = (long) s.sendWindow + increment;
            if (w > H2Frames.MAX_WINDOW) {
                streamError(streamId, s, new H2Exception(H2Error.STREAM_WINDOW_OVERFLOW, streamId));
                return;
            }
            s.sendWindow = (int) w;
            notifyWritable(s);
        }

        @Override
        public void onStreamError(int streamId, H2Error error) {
            streamError(streamId, streams.get(streamId), new H2Exception(error, streamId));
        }
    }
}
