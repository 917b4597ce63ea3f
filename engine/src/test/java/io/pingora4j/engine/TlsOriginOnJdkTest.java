package io.pingora4j.engine;

import io.pingora4j.tls.TlsProvider;

/** {@link TlsOriginTest}'s cases with the JDK provider. */
class TlsOriginOnJdkTest extends TlsOriginTest {
    @Override
    TlsProvider provider() {
        return TlsProvider.JDK;
    }
}
