package io.pingora4j.codec.h2;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.HttpMethod;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import java.nio.ByteBuffer;

/**
 * What each frame the reader reports means for an {@link H2Connection} and its streams (RFC 9113
 * §5, §6, §8): stream states and ids, flow control on receipt, header blocks through HPACK and the
 * downgrade to h1 heads, SETTINGS, PING, GOAWAY, and the security limits that count frames. Split
 * from the connection, which keeps the public API, the outbound side and stream bookkeeping.
 *
 * <p>Not thread-safe: owned by its connection.
 */
final class H2Inbound implements H2FrameHandler {

    private final H2Connection c;

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

    H2Inbound(H2Connection connection) {
        this.c = connection;
    }

    /** A stream was closed: a frame being read for it loses its target. */
    void streamClosed(H2Stream s) {
        if (dataTarget == s) {
            dataTarget = null;
            dataOrphaned = true;
        }
        if (blockTarget == s) {
            blockTarget = null;
        }
    }

    int dataInFlight() {
        return dataInFlight;
    }

    @Override
    public void onDataFrame(int streamId, int frameLength, int dataLength, boolean endStream) {
        dataTarget = null;
        dataOrphaned = false;
        dataInFlight = 0;
        if (frameLength > c.connRecvWindow) {
            throw new H2Exception(H2Error.CONNECTION_WINDOW_EXCEEDED, streamId);
        }
        c.connRecvWindow -= frameLength;
        if (frameLength == 0 && !endStream) {
            c.emptyFrame();
        } else if (frameLength > 0) {
            c.emptyFrames = 0;
        }
        H2Stream s = c.streams.get(streamId);
        if (s == null) {
            if (c.idle(streamId)) {
                throw new H2Exception(H2Error.FRAME_ON_IDLE_STREAM, streamId);
            }
            c.returnToConnection(frameLength);
            int how = c.closed.find(streamId);
            if (how == ClosedStreams.ENDED) {
                throw new H2Exception(H2Error.FRAME_AFTER_END_STREAM, streamId);
            }
            if (how != ClosedStreams.RESET_BY_US) {
                c.streamError(streamId, null, new H2Exception(H2Error.STREAM_CLOSED, streamId));
            }
            return;
        }
        if (!s.remoteOpen()) {
            c.returnToConnection(frameLength);
            c.streamError(streamId, s, new H2Exception(H2Error.STREAM_CLOSED, streamId));
            return;
        }
        if (c.role == H2Connection.Role.CLIENT && !s.finalResponse) {
            c.returnToConnection(frameLength);
            c.streamError(streamId, s, new H2Exception(H2Error.DATA_BEFORE_HEADERS, streamId));
            return;
        }
        if (frameLength > s.recvWindow) {
            c.returnToConnection(frameLength);
            c.streamError(streamId, s, new H2Exception(H2Error.STREAM_WINDOW_EXCEEDED, streamId));
            return;
        }
        s.recvWindow -= frameLength;
        long total = s.received + dataLength;
        if (s.contentLength >= 0 && (total > s.contentLength || (endStream && total != s.contentLength))) {
            // known from the frame header, before any of it is delivered (§8.1.1)
            c.returnToConnection(frameLength);
            c.streamError(streamId, s, new H2Exception(H2Error.CONTENT_LENGTH_MISMATCH, streamId));
            return;
        }
        int padding = frameLength - dataLength;
        if (padding > 0) {
            // the engine never sees padding: it is consumed here
            s.unconsumed += padding;
            c.consumed(streamId, padding);
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
                c.returnToConnection(length); // taken from the window at the frame's start, never delivered
            }
            return; // (a frame refused at its start went back whole then)
        }
        s.received += length;
        boolean end = last && dataEndStream;
        s.unconsumed += length;
        if (end) {
            dataTarget = null;
            c.remoteClosed(s);
        }
        int position = in.position();
        int limit = in.limit();
        in.limit(at + length).position(at);
        try {
            c.listener.onData(streamId, in, end);
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
        c.hpack.beginBlock();
        if (fragmentLength == 0 && !endHeaders) {
            c.emptyFrame();
        }
        HeadDowngrade.Kind kind = locate(streamId, endStream);
        c.downgrade.begin(kind);
        if (dependency == streamId && blockError == null) {
            blockError = H2Error.STREAM_DEPENDS_ON_ITSELF;
        }
    }

    /** Finds or opens the stream a HEADERS frame is for; sets blockTarget and blockError. */
    private HeadDowngrade.Kind locate(int streamId, boolean endStream) {
        H2Stream s = c.streams.get(streamId);
        if (s != null) {
            if (!s.remoteOpen()) {
                blockTarget = s;
                blockError = H2Error.STREAM_CLOSED;
                return HeadDowngrade.Kind.DISCARD;
            }
            blockTarget = s;
            if (c.role == H2Connection.Role.CLIENT && !s.finalResponse) {
                return HeadDowngrade.Kind.RESPONSE;
            }
            if (!endStream) {
                blockError = H2Error.TRAILERS_WITHOUT_END_STREAM;
                return HeadDowngrade.Kind.DISCARD;
            }
            return HeadDowngrade.Kind.TRAILERS;
        }
        if (!c.peerInitiated(streamId)) {
            if (c.role == H2Connection.Role.SERVER) {
                throw new H2Exception(H2Error.INVALID_STREAM_ID, streamId);
            }
            if (c.idle(streamId)) {
                throw new H2Exception(H2Error.FRAME_ON_IDLE_STREAM, streamId);
            }
            return closedStream(streamId);
        }
        if (streamId <= c.lastPeerStreamId) {
            return closedStream(streamId);
        }
        if (c.role == H2Connection.Role.CLIENT) {
            throw new H2Exception(H2Error.FRAME_ON_IDLE_STREAM, streamId); // a server may not open streams (no push)
        }
        c.lastPeerStreamId = streamId;
        if (c.goAwaySent && streamId > c.goAwayLastStreamId) {
            return HeadDowngrade.Kind.DISCARD; // after our final GOAWAY: ignored (§6.8)
        }
        if (c.activePeerStreams >= c.limits.maxConcurrentStreams()) {
            blockError = H2Error.TOO_MANY_STREAMS;
            return HeadDowngrade.Kind.DISCARD;
        }
        blockTarget = c.newStream(streamId, H2Stream.State.OPEN);
        c.activePeerStreams++;
        return HeadDowngrade.Kind.REQUEST;
    }

    private HeadDowngrade.Kind closedStream(int streamId) {
        int f = c.closed.find(streamId);
        if (f == ClosedStreams.NOT_FOUND) {
            throw new H2Exception(H2Error.STREAM_ID_NOT_INCREASING, streamId);
        }
        if (f == ClosedStreams.ENDED) {
            throw new H2Exception(H2Error.FRAME_AFTER_END_STREAM, streamId);
        }
        if (f == ClosedStreams.RESET_BY_PEER) {
            blockError = H2Error.STREAM_CLOSED;
        }
        return HeadDowngrade.Kind.DISCARD;
    }

    @Override
    public void onContinuation(int streamId, boolean endHeaders, int fragmentLength) {
        if (++continuationFrames > c.limits.maxContinuationFrames()) {
            throw new H2Exception(H2Error.CONTINUATION_FLOOD, streamId);
        }
        if (fragmentLength == 0 && !endHeaders) {
            c.emptyFrame();
        }
    }

    @Override
    public void onHeaderFragment(int streamId, ByteBuffer in, int at, int length) {
        c.hpack.decode(in, at, at + length, c.downgrade);
    }

    @Override
    public void onHeaderFrameEnd(int streamId, boolean endHeaders) {
        if (!endHeaders) {
            return;
        }
        c.hpack.endBlock();
        finishBlock();
    }

    private void finishBlock() {
        int id = blockStream;
        H2Stream s = blockTarget;
        blockTarget = null;
        if (blockError != null) {
            c.streamError(id, s, new H2Exception(blockError, id));
            return;
        }
        switch (c.downgrade.kind()) {
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
            head = c.downgrade.finishRequest(id, blockEndStream);
            if (blockEndStream && head.contentLength() > 0) {
                throw new H2Exception(H2Error.CONTENT_LENGTH_MISMATCH, id);
            }
        } catch (H2Exception e) {
            c.streamError(id, s, e);
            return;
        }
        s.contentLength = head.contentLength();
        s.surfaced = true;
        c.emptyFrames = 0;
        if (blockEndStream) {
            c.remoteClosed(s);
        }
        c.listener.onRequestHeaders(id, head, blockEndStream);
    }

    private void response(int id, H2Stream s) {
        ResponseHead head;
        try {
            head = c.downgrade.finishResponse(id, blockEndStream, s.requestMethod);
            boolean bodyless = s.requestMethod == HttpMethod.HEAD || head.status() == 204 || head.status() == 304;
            if (!head.interim()) {
                s.finalResponse = true;
                s.contentLength = bodyless ? -1 : head.contentLength();
                if (blockEndStream && !bodyless && head.contentLength() > 0) {
                    throw new H2Exception(H2Error.CONTENT_LENGTH_MISMATCH, id);
                }
            }
        } catch (H2Exception e) {
            c.streamError(id, s, e);
            return;
        }
        c.emptyFrames = 0;
        if (blockEndStream) {
            c.remoteClosed(s);
        }
        c.listener.onResponseHeaders(id, head, blockEndStream);
    }

    private void trailers(int id, H2Stream s) {
        HeaderBlock t;
        try {
            t = c.downgrade.finishTrailers(id);
            if (s.contentLength >= 0 && s.received != s.contentLength) {
                throw new H2Exception(H2Error.CONTENT_LENGTH_MISMATCH, id);
            }
        } catch (H2Exception e) {
            c.streamError(id, s, e);
            return;
        }
        c.remoteClosed(s);
        c.listener.onTrailers(id, t);
    }

    @Override
    public void onPriority(int streamId, int dependency, boolean exclusive, int weight) {
        // RFC 9113 §5.3.2: priority signals are parsed and ignored; a self-dependency is still an error
        if (dependency == streamId) {
            c.streamError(streamId, c.streams.get(streamId), new H2Exception(H2Error.STREAM_DEPENDS_ON_ITSELF, streamId));
        }
    }

    @Override
    public void onRstStream(int streamId, int errorCode) {
        if (c.idle(streamId)) {
            throw new H2Exception(H2Error.FRAME_ON_IDLE_STREAM, streamId);
        }
        H2Stream s = c.streams.get(streamId);
        if (s == null) {
            return; // already closed: RST_STREAM crossing ours, or late
        }
        if (!c.resets.spend(c.now)) {
            throw new H2Exception(H2Error.RESET_FLOOD, streamId);
        }
        boolean surfaced = s.surfaced;
        c.closeStream(s, ClosedStreams.RESET_BY_PEER);
        if (surfaced) {
            c.listener.onStreamReset(streamId, errorCode, null);
        }
    }

    private boolean windowGrew;

    @Override
    public void onSetting(int id, long value) {
        switch (id) {
            case H2Frames.SETTINGS_HEADER_TABLE_SIZE:
                c.encoder.hpack().peerMaxTableSize(value);
                break;
            case H2Frames.SETTINGS_ENABLE_PUSH:
                if (value > 1 || (c.role == H2Connection.Role.CLIENT && value != 0)) {
                    throw new H2Exception(H2Error.INVALID_ENABLE_PUSH, 0);
                }
                break;
            case H2Frames.SETTINGS_MAX_CONCURRENT_STREAMS:
                c.peerMaxConcurrentStreams = value;
                break;
            case H2Frames.SETTINGS_INITIAL_WINDOW_SIZE: {
                if (value > H2Frames.MAX_WINDOW) {
                    throw new H2Exception(H2Error.INITIAL_WINDOW_SIZE_TOO_LARGE, 0);
                }
                int delta = (int) value - c.peerInitialWindow;
                c.peerInitialWindow = (int) value;
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
                c.peerMaxFrameSize = (int) value;
                break;
            case H2Frames.SETTINGS_MAX_HEADER_LIST_SIZE:
                c.peerMaxHeaderListSize = value;
                break;
            default:
                break; // unknown settings are ignored (§6.5.2)
        }
    }

    private void adjustSendWindows(int delta) {
        if (c.streams.size() > c.scratch.length) {
            c.scratch = new H2Stream[Math.max(c.streams.size(), c.scratch.length * 2)];
        }
        int n = c.streams.snapshot(c.scratch);
        for (int i = 0; i < n; i++) {
            H2Stream s = c.scratch[i];
            c.scratch[i] = null;
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
            if (c.awaitingSettingsAck) {
                c.awaitingSettingsAck = false;
                int shrink = c.limits.initialStreamWindow() - H2Frames.DEFAULT_WINDOW;
                if (shrink < 0) {
                    shrinkReceiveWindows(shrink);
                }
            }
            return;
        }
        c.controlFrameQueued();
        H2FrameWriter.settingsAck(c.sink.reserve(9));
        c.peerSettingsReceived = true;
        if (windowGrew) {
            windowGrew = false;
            c.notifyAllWritable();
        }
        c.listener.onSettings();
    }

    /** Our smaller initial window took effect: streams opened before lose the difference (§6.9.2). */
    private void shrinkReceiveWindows(int delta) {
        if (c.streams.size() > c.scratch.length) {
            c.scratch = new H2Stream[Math.max(c.streams.size(), c.scratch.length * 2)];
        }
        int n = c.streams.snapshot(c.scratch);
        for (int i = 0; i < n; i++) {
            c.scratch[i].recvWindow += delta;
            c.scratch[i] = null;
        }
    }

    @Override
    public void onPushPromise(int streamId) {
        throw new H2Exception(H2Error.PUSH_PROMISE_REFUSED, streamId);
    }

    @Override
    public void onPing(boolean ack, long data) {
        if (!ack) {
            c.controlFrameQueued();
            H2FrameWriter.ping(c.sink.reserve(17), true, data);
            return;
        }
        if (c.gracefulPending && data == H2Connection.GRACEFUL_PING) {
            c.gracefulPending = false;
            c.goAwayLastStreamId = c.lastPeerStreamId;
            H2FrameWriter.goAway(c.sink.reserve(17), c.lastPeerStreamId, H2ErrorCode.NO_ERROR);
            return;
        }
        c.listener.onPingAck(data);
    }

    @Override
    public void onGoAway(int lastStreamId, int errorCode, int debugLength) {
        c.goAwayReceived = true;
        if (c.streams.size() > c.scratch.length) {
            c.scratch = new H2Stream[Math.max(c.streams.size(), c.scratch.length * 2)];
        }
        int n = c.streams.snapshot(c.scratch);
        for (int i = 0; i < n; i++) {
            H2Stream s = c.scratch[i];
            c.scratch[i] = null;
            if (!c.peerInitiated(s.id) && s.id > lastStreamId && s.id != 0) {
                int id = s.id;
                boolean surfaced = s.surfaced;
                c.closeStream(s, ClosedStreams.RESET_BY_PEER); // refused by the GOAWAY
                if (surfaced) {
                    c.listener.onStreamReset(id, H2ErrorCode.REFUSED_STREAM, null);
                }
            }
        }
        c.listener.onGoAway(lastStreamId, errorCode);
    }

    @Override
    public void onWindowUpdate(int streamId, int increment) {
        if (streamId == 0) {
            if (increment == 0) {
                throw new H2Exception(H2Error.ZERO_CONNECTION_WINDOW_INCREMENT, 0);
            }
            long w = (long) c.connSendWindow + increment;
            if (w > H2Frames.MAX_WINDOW) {
                throw new H2Exception(H2Error.CONNECTION_WINDOW_OVERFLOW, 0);
            }
            c.connSendWindow = (int) w;
            c.notifyAllWritable();
            return;
        }
        if (c.idle(streamId)) {
            throw new H2Exception(H2Error.FRAME_ON_IDLE_STREAM, streamId);
        }
        H2Stream s = c.streams.get(streamId);
        if (s == null) {
            return; // closed: a late update is harmless
        }
        if (increment == 0) {
            c.streamError(streamId, s, new H2Exception(H2Error.ZERO_WINDOW_INCREMENT, streamId));
            return;
        }
        long w = (long) s.sendWindow + increment;
        if (w > H2Frames.MAX_WINDOW) {
            c.streamError(streamId, s, new H2Exception(H2Error.STREAM_WINDOW_OVERFLOW, streamId));
            return;
        }
        s.sendWindow = (int) w;
        c.notifyWritable(s);
    }

    @Override
    public void onStreamError(int streamId, H2Error error) {
        c.streamError(streamId, c.streams.get(streamId), new H2Exception(error, streamId));
    }
}
