package io.pingora4j.server.plugins.compression;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * A {@link StreamEncoder} over a native library's compressing {@code OutputStream} (brotli4j,
 * zstd-jni) that writes into a {@link Sink}: each call's input goes through a reused scratch array,
 * and closing the stream ends the encoding and frees the native context. Not thread-safe: one
 * response.
 */
final class NativeStreamEncoder implements StreamEncoder {

    /** Opens the library's stream over {@code out}. */
    interface Opener {
        OutputStream open(Sink out) throws IOException;
    }

    private final Sink out = new Sink();
    private final OutputStream stream;
    private final byte[] scratch = new byte[16384];
    private boolean closed;

    NativeStreamEncoder(Opener opener) {
        try {
            stream = opener.open(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public ByteBuffer encode(ByteBuffer chunk, boolean end) {
        try {
            while (chunk.hasRemaining()) {
                int n = Math.min(scratch.length, chunk.remaining());
                chunk.get(scratch, 0, n);
                stream.write(scratch, 0, n);
            }
            if (end) {
                closed = true;
                stream.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.take();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                stream.close();
            } catch (IOException ignored) {
                // only frees the native context here
            }
        }
    }
}
