package io.pingora4j.server;

/** {@link TlsInteropTest}'s cases with {@code tls_provider = "jdk"} (interop: curl, openssl, testssl.sh, Pebble). */
class TlsInteropOnJdkTest extends TlsInteropTest {
    @Override
    String provider() {
        return "jdk";
    }
}
