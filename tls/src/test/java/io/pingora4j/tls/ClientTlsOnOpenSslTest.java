package io.pingora4j.tls;

/** {@link ClientTlsTest}'s cases with BoringSSL's client engines. */
class ClientTlsOnOpenSslTest extends ClientTlsTest {
    @Override
    TlsProvider provider() {
        return TlsProvider.OPENSSL;
    }
}
