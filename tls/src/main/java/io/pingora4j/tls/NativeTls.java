package io.pingora4j.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCredential;
import io.netty.util.ResourceLeakDetector;

/**
 * Whether BoringSSL (netty-tcnative-boringssl-static) loads in this process. Asking loads it once:
 * netty extracts the shared library from the jar into a temporary directory and links it (tens of
 * milliseconds), so nothing asks unless TLS is configured.
 */
final class NativeTls {

    private static volatile Boolean available;
    private static volatile String reason;

    private NativeTls() {
    }

    /** True when BoringSSL loaded and supports what we use (credentials, to pick a certificate per client). */
    static boolean available() {
        Boolean a = available;
        if (a == null) {
            synchronized (NativeTls.class) {
                a = available;
                if (a == null) {
                    a = probe();
                    available = a;
                }
            }
        }
        return a;
    }

    /** Why {@link #available()} is false; null when it is true. */
    static String unavailabilityReason() {
        available();
        return reason;
    }

    private static boolean probe() {
        try {
            // Engines are released explicitly (TlsCodec.release), and tests check it; netty's leak
            // detector would otherwise sample one engine in 128 with a stack trace and a phantom
            // reference. -Dio.netty.leakDetection.level turns it back on.
            if (System.getProperty("io.netty.leakDetection.level") == null
                    && System.getProperty("io.netty.leakDetectionLevel") == null) {
                ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
            }
            if (!OpenSsl.isAvailable()) {
                Throwable cause = OpenSsl.unavailabilityCause();
                reason = cause == null ? "unknown" : String.valueOf(cause.getMessage() != null ? cause.getMessage() : cause);
                return false;
            }
            if (!OpenSslCredential.isAvailable()) {
                reason = OpenSsl.versionString() + " has no SSL_CREDENTIAL (BoringSSL is needed)";
                return false;
            }
            return true;
        } catch (LinkageError | RuntimeException e) {
            reason = e.toString();
            return false;
        }
    }
}
