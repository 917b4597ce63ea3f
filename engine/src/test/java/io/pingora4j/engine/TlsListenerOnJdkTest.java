package io.pingora4j.engine;

import io.pingora4j.tls.TlsProvider;

/** {@link TlsListenerTest}'s cases with the JDK provider. */
class TlsListenerOnJdkTest extends TlsListenerTest {
    @Override
    TlsProvider provider() {
        return TlsProvider.JDK;
    }
}
