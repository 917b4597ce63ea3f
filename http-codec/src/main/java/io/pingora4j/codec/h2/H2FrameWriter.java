package io.pingora4j.codec.h2;

import java.nio.ByteBuffer;

/**
 * Writes frames (RFC 9113 §4.1, §6) at a buffer's position, advancing it. The caller makes room:
 * each method says how many bytes it writes. DATA payloads are not written here (the connection
 * passes them through untouched): {@link #frameHeader} writes the 9 bytes that go before them.
 *
 * <p>Stateless; safe from any thread for buffers that thread owns.
 */
public final class H2FrameWriter {

    private H2FrameWriter() {
    }

    /**
     * Writes {@code v} in network byte order whatever {@code out}'s order is: an engine's pooled
     * buffers may be in native (little-endian) order for its HTTP/1.1 word scans.
     */
    private static void int32(ByteBuffer out, int v) {
        out.put((byte) (v >>> 24));
        out.put((byte) (v >>> 16));
        out.put((byte) (v >>> 8));
        out.put((byte) v);
    }

    /** 9 bytes. */
    public static void frameHeader(ByteBuffer out, int length, int type, int flags, int streamId) {
        out.put((byte) (length >>> 16));
        out.put((byte) (length >>> 8));
        out.put((byte) length);
        out.put((byte) type);
        out.put((byte) flags);
        int32(out, streamId & 0x7fffffff);
    }

    /** 9 + 6 per setting; {@code ids} and {@code values} are parallel. */
    public static void settings(ByteBuffer out, int[] ids, long[] values, int count) {
        frameHeader(out, 6 * count, H2Frames.SETTINGS, 0, 0);
        for (int i = 0; i < count; i++) {
            out.put((byte) (ids[i] >>> 8));
            out.put((byte) ids[i]);
            int32(out, (int) values[i]);
        }
    }

    /** 9 bytes. */
    public static void settingsAck(ByteBuffer out) {
        frameHeader(out, 0, H2Frames.SETTINGS, H2Frames.FLAG_ACK, 0);
    }

    /** 17 bytes. */
    public static void ping(ByteBuffer out, boolean ack, long data) {
        frameHeader(out, 8, H2Frames.PING, ack ? H2Frames.FLAG_ACK : 0, 0);
        int32(out, (int) (data >>> 32));
        int32(out, (int) data);
    }

    /** 17 bytes. */
    public static void goAway(ByteBuffer out, int lastStreamId, int errorCode) {
        frameHeader(out, 8, H2Frames.GOAWAY, 0, 0);
        int32(out, lastStreamId & 0x7fffffff);
        int32(out, errorCode);
    }

    /** 13 bytes. */
    public static void rstStream(ByteBuffer out, int streamId, int errorCode) {
        frameHeader(out, 4, H2Frames.RST_STREAM, 0, streamId);
        int32(out, errorCode);
    }

    /** 13 bytes. */
    public static void windowUpdate(ByteBuffer out, int streamId, int increment) {
        frameHeader(out, 4, H2Frames.WINDOW_UPDATE, 0, streamId);
        int32(out, increment & 0x7fffffff);
    }

    /** 14 bytes. */
    public static void priority(ByteBuffer out, int streamId, int dependency, boolean exclusive, int weight) {
        frameHeader(out, 5, H2Frames.PRIORITY, 0, streamId);
        int32(out, exclusive ? dependency | 0x80000000 : dependency);
        out.put((byte) (weight - 1));
    }

    /** Bytes {@link #headers} writes for a block of {@code blockLength} bytes in frames of at most {@code maxFrame}. */
    public static int headersLength(int blockLength, int maxFrame) {
        int frames = Math.max(1, (blockLength + maxFrame - 1) / maxFrame);
        return blockLength + 9 * frames;
    }

    /**
     * A HEADERS frame, then as many CONTINUATION frames as the block needs, none longer than
     * {@code maxFrame} (§4.3: the frames of one block are written back to back).
     */
    public static void headers(ByteBuffer out, int streamId, boolean endStream, ByteBuffer block, int maxFrame) {
        int len = block.remaining();
        int first = Math.min(len, maxFrame);
        int flags = (endStream ? H2Frames.FLAG_END_STREAM : 0) | (first == len ? H2Frames.FLAG_END_HEADERS : 0);
        frameHeader(out, first, H2Frames.HEADERS, flags, streamId);
        int p = block.position();
        out.put(out.position(), block, p, first);
        out.position(out.position() + first);
        p += first;
        len -= first;
        while (len > 0) {
            int n = Math.min(len, maxFrame);
            frameHeader(out, n, H2Frames.CONTINUATION, n == len ? H2Frames.FLAG_END_HEADERS : 0, streamId);
            out.put(out.position(), block, p, n);
            out.position(out.position() + n);
            p += n;
            len -= n;
        }
        block.position(p);
    }
}
