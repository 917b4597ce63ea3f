package io.pingora4j.engine;

import io.pingora4j.codec.h1.ChunkedEncoder;
import java.nio.ByteBuffer;

/**
 * The small buffers chunked framing needs around a body run that is written from where it was
 * read: the chunk-size line, the CRLF after the data, and the last chunk. One set per connection,
 * reused for every chunk (only one batch is ever queued at a time).
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class FramingBuffers {

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST = {'0', '\r', '\n', '\r', '\n'};

    private final ByteBuffer chunkHeader = ByteBuffer.allocateDirect(24);
    private final ByteBuffer crlf = ByteBuffer.allocateDirect(2);
    private final ByteBuffer last = ByteBuffer.allocateDirect(5);

    FramingBuffers() {
        crlf.put(CRLF).flip();
        last.put(LAST).flip();
    }

    /** The chunk-size line for {@code size} bytes, ready to write. */
    ByteBuffer chunkHeader(long size) {
        chunkHeader.clear();
        ChunkedEncoder.writeChunkHeader(size, chunkHeader);
        return chunkHeader.flip();
    }

    /** Queues {@code chunk} on {@code out} as one chunk: its size line, the data, CRLF. */
    void addChunk(Outbound out, ByteBuffer chunk) {
        out.add(chunkHeader(chunk.remaining()));
        out.add(chunk);
        out.add(crlf());
    }

    ByteBuffer crlf() {
        return crlf.rewind();
    }

    /** "0" CRLF CRLF: the end of a chunked body without trailers. */
    ByteBuffer lastChunk() {
        return last.rewind();
    }
}
