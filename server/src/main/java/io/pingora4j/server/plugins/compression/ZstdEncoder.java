package io.pingora4j.server.plugins.compression;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/** zstd (RFC 8878) with zstd-jni's native encoder. Not thread-safe: one response. */
final class ZstdEncoder implements StreamEncoder {

    private final Sink out = new Sink();
    private final ZstdOutputStreamNoFinalizer stream;
    private final byte[] scratch = new byte[16384];
    private boolean closed;

    ZstdEncoder(int level) {
        try {
            stream = new ZstdOutputStreamNoFinalizer(out, level);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Null when the native library loads here, else why it does not. */
    static String unavailable() {
        try {
            new ZstdOutputStreamNoFinalizer(new Sink(), 1).close();
            return null;
        } catch (Throwable t) {
            return "zstd is not available on this platform: " + t;
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
