package io.pingora4j.engine;

import io.pingora4j.tls.TlsProvider;

/** {@link TlsListenerTest}'s cases with the OPENSSL provider. */
class TlsListenerOnOpenSslTest extends TlsListenerTest {
    @Override
    TlsProvider provider() {
        return TlsProvider.OPENSSL;
    }
}
