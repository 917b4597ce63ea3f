package io.pingora4j.tls;

/** {@link SessionResumptionTest}'s cases on a listener with the OPENSSL provider. */
class SessionResumptionOnOpenSslTest extends SessionResumptionTest {
    @Override
    TlsProvider provider() {
        return TlsProvider.OPENSSL;
    }
}
