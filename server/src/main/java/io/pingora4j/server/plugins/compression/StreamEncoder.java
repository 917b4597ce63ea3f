package io.pingora4j.server.plugins.compression;

import java.nio.ByteBuffer;

/**
 * One response body being compressed, chunk by chunk: what goes in is only read during the call,
 * what comes out is a new buffer the caller owns (the engine may still be writing an earlier one).
 * Memory is the coder's window, never the whole body.
 *
 * <p>Not thread-safe: owned by the session's event loop, used by one response.
 */
interface StreamEncoder extends AutoCloseable {

    /**
     * Compresses {@code chunk} (all of it is consumed); on {@code end}, also finishes the stream.
     *
     * @return the compressed bytes produced so far, or null when the coder is still holding them
     */
    ByteBuffer encode(ByteBuffer chunk, boolean end);

    /** Frees the coder (native memory for brotli and zstd); safe to call twice. */
    @Override
    void close();
}
