package io.pingora4j.server.plugins.compression;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.encoder.BrotliOutputStream;
import com.aayushatharva.brotli4j.encoder.Encoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/** brotli (RFC 7932) with brotli4j's native encoder. Not thread-safe: one response. */
final class BrotliEncoder implements StreamEncoder {

    private final Sink out = new Sink();
    private final BrotliOutputStream stream;
    private final byte[] scratch = new byte[16384];
    private boolean closed;

    BrotliEncoder(int level) {
        try {
            stream = new BrotliOutputStream(out, new Encoder.Parameters().setQuality(level), 16384);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Null when the native library loads here, else why it does not. */
    static String unavailable() {
        try {
            Brotli4jLoader.ensureAvailability();
            return null;
        } catch (Throwable t) {
            return "brotli is not available on this platform: " + t.getMessage();
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
                // only frees the native encoder here
            }
        }
    }
}
