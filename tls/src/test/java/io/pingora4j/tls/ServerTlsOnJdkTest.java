package io.pingora4j.tls;

/** {@link ServerTlsTest}'s cases on the JDK's engine. */
class ServerTlsOnJdkTest extends ServerTlsTest {
    @Override
    TlsProvider provider() {
        return TlsProvider.JDK;
    }
}
