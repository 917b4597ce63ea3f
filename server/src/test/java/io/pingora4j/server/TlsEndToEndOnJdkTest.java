package io.pingora4j.server;

/** {@link TlsEndToEndTest}'s cases with {@code tls_provider = "jdk"}. */
class TlsEndToEndOnJdkTest extends TlsEndToEndTest {
    @Override
    String provider() {
        return "jdk";
    }
}
