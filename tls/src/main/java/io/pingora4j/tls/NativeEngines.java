package io.pingora4j.tls;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.internal.tcnative.SSL;
import javax.net.ssl.SSLEngine;

/**
 * What {@link TlsCodec} asks of a BoringSSL engine beyond the SSLEngine API. Kept apart so a
 * process on the JDK provider never loads netty's classes.
 */
final class NativeEngines {

    private NativeEngines() {
    }

    /** Whether {@code engine} is netty's OpenSSL engine (a class-name test: no netty class is loaded otherwise). */
    static boolean isNative(SSLEngine engine) {
        return engine.getClass().getName().startsWith("io.netty.handler.ssl.");
    }

    /** Whether the completed handshake resumed a session (ticket or session id). */
    static boolean resumed(SSLEngine engine) {
        if (engine instanceof ReferenceCountedOpenSslEngine e) {
            long ssl = e.sslPointer();
            return ssl != 0 && SSL.isSessionReused(ssl);
        }
        return false;
    }

    /** Frees the engine's native SSL object now rather than when the GC finds it. Idempotent. */
    static void release(SSLEngine engine) {
        if (engine instanceof ReferenceCountedOpenSslEngine e && e.refCnt() > 0) {
            e.release();
        }
    }
}
