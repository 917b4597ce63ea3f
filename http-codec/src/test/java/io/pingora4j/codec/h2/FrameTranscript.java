package io.pingora4j.codec.h2;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Records what a {@link H2FrameReader} reports as lines of text, pieces of one frame's payload
 * joined, so that the transcript of an input does not depend on how it was split.
 */
final class FrameTranscript implements H2FrameHandler {

    final List<String> lines = new ArrayList<>();
    private StringBuilder payload;

    static List<String> read(byte[] input, boolean server, int... splits) {
        FrameTranscript t = new FrameTranscript();
        H2FrameReader r = new H2FrameReader(t, server);
        int from = 0;
        try {
            for (int at : splits) {
                feed(r, input, from, at);
                from = at;
            }
            feed(r, input, from, input.length);
        } catch (H2Exception e) {
            t.lines.add("error " + e.error());
        }
        return t.lines;
    }

    static List<String> readByteAtATime(byte[] input, boolean server) {
        int[] splits = new int[Math.max(0, input.length - 1)];
        for (int i = 0; i < splits.length; i++) {
            splits[i] = i + 1;
        }
        return read(input, server, splits);
    }

    private static void feed(H2FrameReader r, byte[] input, int from, int to) {
        // a buffer with bytes before and after the piece, so offsets are checked too
        ByteBuffer b = ByteBuffer.allocate(to - from + 6);
        b.put(new byte[] {1, 2, 3});
        b.put(input, from, to - from);
        b.put(new byte[] {4, 5, 6});
        b.position(3).limit(3 + to - from);
        r.read(b);
        if (b.position() != b.limit()) {
            throw new AssertionError("reader left " + b.remaining() + " bytes");
        }
    }

    private static String hex(ByteBuffer in, int at, int len) {
        StringBuilder sb = new StringBuilder();
        for (int i = at; i < at + len; i++) {
            sb.append(String.format("%02x", in.get(i) & 0xff));
        }
        return sb.toString();
    }

    @Override
    public void onDataFrame(int streamId, int frameLength, int dataLength, boolean endStream) {
        lines.add("DATA stream=" + streamId + " frame=" + frameLength + " data=" + dataLength + " end=" + endStream);
        payload = new StringBuilder();
    }

    @Override
    public void onData(int streamId, ByteBuffer in, int at, int length, boolean last) {
        payload.append(hex(in, at, length));
        if (last) {
            lines.add("  data " + payload);
        }
    }

    @Override
    public void onHeaders(int streamId, boolean endStream, boolean endHeaders, int dependency, boolean exclusive,
                          int weight, int fragmentLength) {
        lines.add("HEADERS stream=" + streamId + " endStream=" + endStream + " endHeaders=" + endHeaders
                + " dep=" + dependency + " excl=" + exclusive + " weight=" + weight + " len=" + fragmentLength);
        payload = new StringBuilder();
    }

    @Override
    public void onContinuation(int streamId, boolean endHeaders, int fragmentLength) {
        lines.add("CONTINUATION stream=" + streamId + " endHeaders=" + endHeaders + " len=" + fragmentLength);
        payload = new StringBuilder();
    }

    @Override
    public void onHeaderFragment(int streamId, ByteBuffer in, int at, int length) {
        payload.append(hex(in, at, length));
    }

    @Override
    public void onHeaderFrameEnd(int streamId, boolean endHeaders) {
        lines.add("  fragment " + payload + " end=" + endHeaders);
    }

    @Override
    public void onPriority(int streamId, int dependency, boolean exclusive, int weight) {
        lines.add("PRIORITY stream=" + streamId + " dep=" + dependency + " excl=" + exclusive + " weight=" + weight);
    }

    @Override
    public void onRstStream(int streamId, int errorCode) {
        lines.add("RST_STREAM stream=" + streamId + " code=" + errorCode);
    }

    @Override
    public void onSetting(int id, long value) {
        lines.add("  setting " + id + "=" + value);
    }

    @Override
    public void onSettingsEnd(boolean ack) {
        lines.add("SETTINGS ack=" + ack);
    }

    @Override
    public void onPushPromise(int streamId) {
        lines.add("PUSH_PROMISE stream=" + streamId);
    }

    @Override
    public void onPing(boolean ack, long data) {
        lines.add("PING ack=" + ack + " data=" + Long.toHexString(data));
    }

    @Override
    public void onGoAway(int lastStreamId, int errorCode, int debugLength) {
        lines.add("GOAWAY last=" + lastStreamId + " code=" + errorCode + " debug=" + debugLength);
    }

    @Override
    public void onWindowUpdate(int streamId, int increment) {
        lines.add("WINDOW_UPDATE stream=" + streamId + " inc=" + increment);
    }

    @Override
    public void onUnknownFrame(int type, int streamId, int length) {
        lines.add("UNKNOWN type=" + type + " stream=" + streamId + " len=" + length);
    }

    @Override
    public void onStreamError(int streamId, H2Error error) {
        lines.add("stream error " + streamId + " " + error);
    }
}
