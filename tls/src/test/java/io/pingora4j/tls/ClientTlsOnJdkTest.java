package io.pingora4j.tls;

/** {@link ClientTlsTest}'s cases with the JDK's client engines. */
class ClientTlsOnJdkTest extends ClientTlsTest {
    @Override
    TlsProvider provider() {
        return TlsProvider.JDK;
    }
}
