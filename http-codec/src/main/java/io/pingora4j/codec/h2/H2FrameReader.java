package io.pingora4j.codec.h2;

import java.nio.ByteBuffer;

/**
 * The incremental HTTP/2 frame reader (RFC 9113 §4, §6): bytes in, {@link H2FrameHandler} calls
 * out, however the input is split.
 *
 * <p>{@link #read(ByteBuffer)} consumes everything from the buffer's position to its limit: a
 * frame header or a fixed-size payload cut short is kept in a few bytes of state, DATA and
 * header-block payloads are reported in pieces as they arrive (no copy, no wait for the whole
 * frame). Only the structure of frames is checked here (lengths, stream 0 or not, padding,
 * CONTINUATION sequencing, SETTINGS_MAX_FRAME_SIZE); what a frame means is the handler's
 * business. A rule broken is an {@link H2Exception}, after which the reader refuses further input.
 *
 * <p>Not thread-safe: owned by the event loop that owns the connection. Allocates nothing.
 */
public final class H2FrameReader {

    private enum State {
        PREFACE, HEADER, PAD_LENGTH, PRIORITY_FIELDS, DATA, FRAGMENT, PADDING, FIXED, SETTING, SKIP, FAILED
    }

    /** Handed over for a DATA frame with no data; per reader, since the handler may move its position. */
    private final ByteBuffer empty = ByteBuffer.allocate(0);

    private final H2FrameHandler handler;
    private State state;
    private H2Exception failure;
    private int maxFrameSize = H2Frames.DEFAULT_MAX_FRAME_SIZE;
    private boolean firstFrame = true;

    // the frame being read
    private int length;
    private int type;
    private int flags;
    private int streamId;
    private int remaining;     // payload bytes of the frame not read yet
    private int padding;       // padding bytes at the end of the payload
    private int dataRemaining; // DATA or fragment bytes before the padding

    // small fields collected across reads
    private long acc;
    private int accCount;
    private int accNeed;

    // header block sequencing (§6.10)
    private int continuationStream; // 0 when no header block is open

    /**
     * @param handler         receives the frames
     * @param expectPreface   true for a server: the client's 24-byte preface comes first (§3.4)
     */
    public H2FrameReader(H2FrameHandler handler, boolean expectPreface) {
        this.handler = handler;
        this.state = expectPreface ? State.PREFACE : State.HEADER;
    }

    /** The largest frame payload accepted: our SETTINGS_MAX_FRAME_SIZE. */
    public void maxFrameSize(int max) {
        if (max < H2Frames.DEFAULT_MAX_FRAME_SIZE || max > H2Frames.MAX_FRAME_SIZE_LIMIT) {
            throw new IllegalArgumentException("max frame size out of range: " + max);
        }
        this.maxFrameSize = max;
    }

    /** True while a header block is open: only CONTINUATION of its stream may come next. */
    public boolean inHeaderBlock() {
        return continuationStream != 0;
    }

    /** True between frames (no partial frame held). */
    public boolean atFrameBoundary() {
        return state == State.HEADER && accCount == 0;
    }

    /**
     * Reads {@code in[position, limit)} and moves the position to the limit.
     *
     * @throws H2Exception a connection error; the reader is unusable after it
     */
    public void read(ByteBuffer in) {
        if (state == State.FAILED) {
            throw failure;
        }
        int p = in.position();
        int limit = in.limit();
        try {
            while (p < limit) {
                switch (state) {
                    case PREFACE: p = preface(in, p, limit); break;
                    case HEADER: p = header(in, p, limit); break;
                    case PAD_LENGTH: p = padLength(in, p); break;
                    case PRIORITY_FIELDS: p = priorityFields(in, p, limit); break;
                    case DATA: p = data(in, p, limit); break;
                    case FRAGMENT: p = fragment(in, p, limit); break;
                    case PADDING:
                    case SKIP: p = skip(in, p, limit); break;
                    case FIXED: p = fixed(in, p, limit); break;
                    case SETTING: p = setting(in, p, limit); break;
                    default: throw failure;
                }
            }
        } catch (H2Exception e) {
            // the handler reports stream errors itself; anything thrown through here ends the connection
            state = State.FAILED;
            failure = e;
            throw e;
        } finally {
            in.position(Math.min(p, limit));
        }
    }

    private int preface(ByteBuffer in, int p, int limit) {
        byte[] preface = H2Frames.PREFACE_BYTES;
        while (p < limit && accCount < preface.length) {
            if (in.get(p) != preface[accCount]) {
                throw new H2Exception(H2Error.INVALID_PREFACE, 0);
            }
            p++;
            accCount++;
        }
        if (accCount == preface.length) {
            accCount = 0;
            state = State.HEADER;
        }
        return p;
    }

    private int header(ByteBuffer in, int p, int limit) {
        if (accCount == 0 && limit - p >= 9) {
            // the whole header is here: read it without the byte-by-byte path
            length = ((in.get(p) & 0xff) << 16) | ((in.get(p + 1) & 0xff) << 8) | (in.get(p + 2) & 0xff);
            type = in.get(p + 3) & 0xff;
            flags = in.get(p + 4) & 0xff;
            // byte by byte: network order whatever the buffer's order (engines read into native-order buffers)
            streamId = ((in.get(p + 5) & 0x7f) << 24) | ((in.get(p + 6) & 0xff) << 16) | ((in.get(p + 7) & 0xff) << 8)
                    | (in.get(p + 8) & 0xff);
            beginFrame();
            return p + 9;
        }
        while (p < limit && accCount < 9) {
            acc = (acc << 8) | (in.get(p++) & 0xff);
            accCount++;
            if (accCount == 5) {
                length = (int) (acc >>> 16) & 0xffffff;
                type = (int) (acc >>> 8) & 0xff;
                flags = (int) acc & 0xff;
                acc = 0;
            }
        }
        if (accCount == 9) {
            streamId = (int) acc & 0x7fffffff;
            acc = 0;
            accCount = 0;
            beginFrame();
        }
        return p;
    }

    private void beginFrame() {
        if (length > maxFrameSize) {
            throw new H2Exception(H2Error.FRAME_TOO_LARGE, streamId);
        }
        if (continuationStream != 0 && (type != H2Frames.CONTINUATION || streamId != continuationStream)) {
            throw new H2Exception(H2Error.CONTINUATION_EXPECTED, streamId);
        }
        if (firstFrame) {
            if (type != H2Frames.SETTINGS || (flags & H2Frames.FLAG_ACK) != 0) {
                throw new H2Exception(H2Error.FIRST_FRAME_NOT_SETTINGS, streamId);
            }
            firstFrame = false;
        }
        remaining = length;
        padding = 0;
        if ((flags & H2Frames.FLAG_PADDED) != 0 && length == 0
                && (type == H2Frames.DATA || type == H2Frames.HEADERS || type == H2Frames.PUSH_PROMISE)) {
            throw new H2Exception(H2Error.PADDING_TOO_LONG, streamId); // no room for the Pad Length field
        }
        switch (type) {
            case H2Frames.DATA:
                requireStream();
                if ((flags & H2Frames.FLAG_PADDED) != 0) {
                    state = State.PAD_LENGTH;
                } else {
                    startData();
                }
                break;
            case H2Frames.HEADERS:
                requireStream();
                if ((flags & H2Frames.FLAG_PADDED) != 0) {
                    state = State.PAD_LENGTH;
                } else {
                    afterPadLength();
                }
                break;
            case H2Frames.CONTINUATION:
                requireStream();
                if (continuationStream == 0) {
                    throw new H2Exception(H2Error.UNEXPECTED_CONTINUATION, streamId);
                }
                startFragment();
                break;
            case H2Frames.PRIORITY:
                requireStream();
                if (length != 5) {
                    state = State.SKIP;
                    if (length == 0) {
                        endFrame();
                    }
                    handler.onStreamError(streamId, H2Error.PRIORITY_FRAME_SIZE);
                    return;
                }
                collect(5);
                break;
            case H2Frames.RST_STREAM:
                requireStream();
                if (length != 4) {
                    throw new H2Exception(H2Error.RST_STREAM_FRAME_SIZE, streamId);
                }
                collect(4);
                break;
            case H2Frames.SETTINGS:
                requireConnection();
                if ((flags & H2Frames.FLAG_ACK) != 0 && length != 0) {
                    throw new H2Exception(H2Error.SETTINGS_ACK_WITH_PAYLOAD, 0);
                }
                if (length % 6 != 0) {
                    throw new H2Exception(H2Error.SETTINGS_FRAME_SIZE, 0);
                }
                if (length == 0) {
                    endFrame();
                    handler.onSettingsEnd((flags & H2Frames.FLAG_ACK) != 0);
                } else {
                    state = State.SETTING;
                    acc = 0;
                    accCount = 0;
                }
                break;
            case H2Frames.PUSH_PROMISE:
                requireStream();
                handler.onPushPromise(streamId);
                skipPayload();
                break;
            case H2Frames.PING:
                requireConnection();
                if (length != 8) {
                    throw new H2Exception(H2Error.PING_FRAME_SIZE, 0);
                }
                collect(8);
                break;
            case H2Frames.GOAWAY:
                requireConnection();
                if (length < 8) {
                    throw new H2Exception(H2Error.GOAWAY_FRAME_SIZE, 0);
                }
                collect(8);
                break;
            case H2Frames.WINDOW_UPDATE:
                if (length != 4) {
                    throw new H2Exception(H2Error.WINDOW_UPDATE_FRAME_SIZE, streamId);
                }
                collect(4);
                break;
            default:
                handler.onUnknownFrame(type, streamId, length);
                skipPayload();
                break;
        }
    }

    private void requireStream() {
        if (streamId == 0) {
            throw new H2Exception(H2Error.STREAM_FRAME_ON_STREAM_ZERO, 0);
        }
    }

    private void requireConnection() {
        if (streamId != 0) {
            throw new H2Exception(H2Error.CONNECTION_FRAME_ON_STREAM, streamId);
        }
    }

    private void collect(int n) {
        state = State.FIXED;
        acc = 0;
        accCount = 0;
        accNeed = n;
    }

    private void skipPayload() {
        state = State.SKIP;
        if (remaining == 0) {
            endFrame();
        }
    }

    private int padLength(ByteBuffer in, int p) {
        padding = in.get(p) & 0xff;
        remaining--;
        if (padding > remaining) {
            throw new H2Exception(H2Error.PADDING_TOO_LONG, streamId);
        }
        if (type == H2Frames.DATA) {
            startData();
        } else {
            afterPadLength();
        }
        return p + 1;
    }

    /** HEADERS after its pad length: the priority fields, if flagged, else the fragment. */
    private void afterPadLength() {
        if ((flags & H2Frames.FLAG_PRIORITY) != 0) {
            if (remaining - padding < 5) {
                throw new H2Exception(H2Error.HEADERS_FRAME_SIZE, streamId);
            }
            state = State.PRIORITY_FIELDS;
            acc = 0;
            accCount = 0;
        } else {
            startHeaders(-1, false, 0);
        }
    }

    private int priorityFields(ByteBuffer in, int p, int limit) {
        while (p < limit && accCount < 5) {
            acc = (acc << 8) | (in.get(p++) & 0xff);
            accCount++;
        }
        if (accCount == 5) {
            remaining -= 5;
            int dep = (int) (acc >>> 8);
            int weight = (int) (acc & 0xff) + 1;
            accCount = 0;
            startHeaders(dep & 0x7fffffff, dep < 0, weight);
        }
        return p;
    }

    private void startHeaders(int dependency, boolean exclusive, int weight) {
        boolean endHeaders = (flags & H2Frames.FLAG_END_HEADERS) != 0;
        dataRemaining = remaining - padding;
        continuationStream = endHeaders ? 0 : streamId;
        state = State.FRAGMENT;
        handler.onHeaders(streamId, (flags & H2Frames.FLAG_END_STREAM) != 0, endHeaders, dependency, exclusive,
                weight, dataRemaining);
        if (remaining == 0) {
            finishHeaderFrame();
        }
    }

    private void startFragment() {
        boolean endHeaders = (flags & H2Frames.FLAG_END_HEADERS) != 0;
        dataRemaining = remaining;
        if (endHeaders) {
            continuationStream = 0;
        }
        state = State.FRAGMENT;
        handler.onContinuation(streamId, endHeaders, dataRemaining);
        if (remaining == 0) {
            finishHeaderFrame();
        }
    }

    private int fragment(ByteBuffer in, int p, int limit) {
        if (dataRemaining > 0) {
            int n = Math.min(dataRemaining, limit - p);
            dataRemaining -= n;
            remaining -= n;
            handler.onHeaderFragment(streamId, in, p, n);
            p += n;
        }
        if (dataRemaining == 0) {
            if (remaining == 0) {
                finishHeaderFrame();
            } else {
                state = State.PADDING;
            }
        }
        return p;
    }

    private void finishHeaderFrame() {
        endFrame();
        handler.onHeaderFrameEnd(streamId, (flags & H2Frames.FLAG_END_HEADERS) != 0);
    }

    private void startData() {
        dataRemaining = remaining - padding;
        state = State.DATA;
        boolean endStream = (flags & H2Frames.FLAG_END_STREAM) != 0;
        handler.onDataFrame(streamId, length, dataRemaining, endStream);
        if (dataRemaining == 0) {
            handler.onData(streamId, empty, 0, 0, true);
            afterData();
        }
    }

    private int data(ByteBuffer in, int p, int limit) {
        int n = Math.min(dataRemaining, limit - p);
        dataRemaining -= n;
        remaining -= n;
        handler.onData(streamId, in, p, n, dataRemaining == 0);
        p += n;
        if (dataRemaining == 0) {
            afterData();
        }
        return p;
    }

    private void afterData() {
        if (remaining == 0) {
            endFrame();
        } else {
            state = State.PADDING;
        }
    }

    private int skip(ByteBuffer in, int p, int limit) {
        int n = Math.min(remaining, limit - p);
        remaining -= n;
        p += n;
        if (remaining == 0) {
            if (type == H2Frames.HEADERS || type == H2Frames.CONTINUATION) {
                finishHeaderFrame();
            } else {
                endFrame();
            }
        }
        return p;
    }

    private int fixed(ByteBuffer in, int p, int limit) {
        while (p < limit && accCount < accNeed) {
            acc = (acc << 8) | (in.get(p++) & 0xff);
            accCount++;
        }
        if (accCount < accNeed) {
            return p;
        }
        long v = acc;
        accCount = 0;
        acc = 0;
        remaining -= accNeed;
        switch (type) {
            case H2Frames.PRIORITY: {
                endFrame();
                int dep = (int) (v >>> 8);
                handler.onPriority(streamId, dep & 0x7fffffff, dep < 0, (int) (v & 0xff) + 1);
                break;
            }
            case H2Frames.RST_STREAM:
                endFrame();
                handler.onRstStream(streamId, (int) v);
                break;
            case H2Frames.PING:
                endFrame();
                handler.onPing((flags & H2Frames.FLAG_ACK) != 0, v);
                break;
            case H2Frames.WINDOW_UPDATE:
                endFrame();
                handler.onWindowUpdate(streamId, (int) v & 0x7fffffff);
                break;
            case H2Frames.GOAWAY:
                handler.onGoAway((int) (v >>> 32) & 0x7fffffff, (int) v, remaining);
                skipPayload();
                break;
            default:
                throw new IllegalStateException("fixed fields of frame type " + type);
        }
        return p;
    }

    private int setting(ByteBuffer in, int p, int limit) {
        while (p < limit && accCount < 6) {
            acc = (acc << 8) | (in.get(p++) & 0xff);
            accCount++;
        }
        if (accCount == 6) {
            long v = acc;
            acc = 0;
            accCount = 0;
            remaining -= 6;
            handler.onSetting((int) (v >>> 32) & 0xffff, v & 0xffffffffL);
            if (remaining == 0) {
                endFrame();
                handler.onSettingsEnd(false);
            }
        }
        return p;
    }

    private void endFrame() {
        state = State.HEADER;
        acc = 0;
    }
}
