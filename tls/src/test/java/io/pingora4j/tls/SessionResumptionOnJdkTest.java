package io.pingora4j.tls;

/** {@link SessionResumptionTest}'s cases on a listener with the JDK provider. */
class SessionResumptionOnJdkTest extends SessionResumptionTest {
    @Override
    TlsProvider provider() {
        return TlsProvider.JDK;
    }
}
