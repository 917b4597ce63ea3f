package io.pingora4j.tls;

/** {@link ServerTlsTest}'s cases on BoringSSL's engine. */
class ServerTlsOnOpenSslTest extends ServerTlsTest {
    @Override
    TlsProvider provider() {
        return TlsProvider.OPENSSL;
    }
}
