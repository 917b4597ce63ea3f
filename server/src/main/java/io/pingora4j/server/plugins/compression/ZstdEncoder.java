package io.pingora4j.server.plugins.compression;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;

/** zstd (RFC 8878) with zstd-jni's native encoder. */
final class ZstdEncoder {

    private ZstdEncoder() {
    }

    /** An encoder for one response at {@code level}. */
    static StreamEncoder create(int level) {
        return new NativeStreamEncoder(out -> new ZstdOutputStreamNoFinalizer(out, level));
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
}
