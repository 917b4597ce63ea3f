package io.pingora4j.server.plugins.compression;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.encoder.BrotliOutputStream;
import com.aayushatharva.brotli4j.encoder.Encoder;

/** brotli (RFC 7932) with brotli4j's native encoder. */
final class BrotliEncoder {

    private BrotliEncoder() {
    }

    /** An encoder for one response at {@code level} (0-11). */
    static StreamEncoder create(int level) {
        return new NativeStreamEncoder(out -> new BrotliOutputStream(out, new Encoder.Parameters().setQuality(level), 16384));
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
}
