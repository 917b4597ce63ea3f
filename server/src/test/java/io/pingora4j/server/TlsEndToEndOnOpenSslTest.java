package io.pingora4j.server;

/** {@link TlsEndToEndTest}'s cases with {@code tls_provider = "openssl"}. */
class TlsEndToEndOnOpenSslTest extends TlsEndToEndTest {
    @Override
    String provider() {
        return "openssl";
    }
}
