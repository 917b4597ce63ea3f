package io.pingora4j.engine;

import io.pingora4j.tls.TlsProvider;

/** {@link TlsOriginTest}'s cases with the OPENSSL provider. */
class TlsOriginOnOpenSslTest extends TlsOriginTest {
    @Override
    TlsProvider provider() {
        return TlsProvider.OPENSSL;
    }
}
