package io.pingora4j.codec.h2;

import java.nio.ByteBuffer;

/**
 * What {@link H2FrameReader} reports, frame by frame. Payloads that may be large (DATA, header
 * block fragments) are reported in pieces as they arrive, as ranges of the reader's input buffer:
 * valid only during the call. Everything else is reported once the frame's fixed fields are in.
 *
 * <p>A method may throw {@link H2Exception}; the reader passes it on to its caller.
 */
public interface H2FrameHandler {

    /** A DATA frame began; {@code dataLength} is its payload less padding (flow control counts {@code frameLength}). */
    void onDataFrame(int streamId, int frameLength, int dataLength, boolean endStream);

    /**
     * DATA payload bytes {@code in[at, at+length)}. {@code last} is true on the piece that ends the
     * frame's data (a zero-length piece for an empty frame).
     */
    void onData(int streamId, ByteBuffer in, int at, int length, boolean last);

    /**
     * A HEADERS frame began ({@code dependency} is -1 without the PRIORITY flag); its fragment
     * follows through {@link #onHeaderFragment}, then {@link #onHeaderFrameEnd}.
     */
    void onHeaders(int streamId, boolean endStream, boolean endHeaders, int dependency, boolean exclusive,
                   int weight, int fragmentLength);

    /** A CONTINUATION frame of the open header block began. */
    void onContinuation(int streamId, boolean endHeaders, int fragmentLength);

    /** Header block fragment bytes {@code in[at, at+length)}. */
    void onHeaderFragment(int streamId, ByteBuffer in, int at, int length);

    /** The HEADERS or CONTINUATION frame was consumed whole (padding included). */
    void onHeaderFrameEnd(int streamId, boolean endHeaders);

    void onPriority(int streamId, int dependency, boolean exclusive, int weight);

    void onRstStream(int streamId, int errorCode);

    /** One setting of a SETTINGS frame (values are unsigned 32-bit). */
    void onSetting(int id, long value);

    /** A SETTINGS frame ended (after its {@link #onSetting} calls). */
    void onSettingsEnd(boolean ack);

    /** A PUSH_PROMISE frame header (its payload is skipped). */
    void onPushPromise(int streamId);

    void onPing(boolean ack, long data);

    /** GOAWAY; its debug data ({@code debugLength} bytes) is skipped. */
    void onGoAway(int lastStreamId, int errorCode, int debugLength);

    void onWindowUpdate(int streamId, int increment);

    /** A frame of a type this codec does not know, skipped (§4.1, §5.5). */
    default void onUnknownFrame(int type, int streamId, int length) {
    }

    /** A frame broke a rule that costs only its stream ({@link H2Error#connectionError()} false); its payload was skipped. */
    void onStreamError(int streamId, H2Error error);
}
