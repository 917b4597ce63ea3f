package io.pingora4j.codec.h2;

import java.nio.ByteBuffer;

/**
 * Where an {@link H2Connection} puts the frames it sends; the engine implements it over its
 * outbound queue. Frames are produced whole and in order: what {@link #reserve} buffers received
 * and what {@link #payload} passed go on the wire in the order of the calls.
 */
public interface H2FrameSink {

    /**
     * A buffer with at least {@code bytes} bytes free from its position; the codec writes
     * exactly {@code bytes} bytes there at once (a frame header, or whole control or header
     * frames) and advances the position.
     */
    ByteBuffer reserve(int bytes);

    /**
     * A DATA payload, {@code data[position, limit)}, to send right after the frame header the
     * last {@link #reserve} wrote. It is the application's own buffer, passed through without a
     * copy: valid only during the call, so the engine either copies the bytes or keeps a
     * duplicate of the buffer until they are written (and the application does not reuse them
     * until then). The engine must not move {@code data}'s position or limit.
     */
    void payload(ByteBuffer data);
}
