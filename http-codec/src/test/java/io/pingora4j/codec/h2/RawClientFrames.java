package io.pingora4j.codec.h2;

import java.nio.ByteBuffer;

/** Single frames as bytes, for tests that build their input by hand. */
final class RawClientFrames {

    private RawClientFrames() {
    }

    /** A HEADERS frame (END_HEADERS, no END_STREAM) with a plain GET request. */
    static byte[] headers(int stream) {
        byte[] block = RawClient.block(RawClient.request());
        ByteBuffer f = ByteBuffer.allocate(9 + block.length);
        H2FrameWriter.frameHeader(f, block.length, H2Frames.HEADERS, H2Frames.FLAG_END_HEADERS, stream);
        f.put(block);
        return f.array();
    }
}
