package io.pingora4j.server;

/** {@link TlsInteropTest}'s cases with {@code tls_provider = "openssl"} (interop: curl, openssl, testssl.sh, Pebble). */
class TlsInteropOnOpenSslTest extends TlsInteropTest {
    @Override
    String provider() {
        return "openssl";
    }
}
