package io.pingora4j.tls;

/** {@link TlsCodecTest}'s cases on BoringSSL's engines. */
class TlsCodecOnOpenSslTest extends TlsCodecTest {
    @Override
    TlsProvider provider() {
        return TlsProvider.OPENSSL;
    }
}
