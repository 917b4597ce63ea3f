package io.pingora4j.tls;

/** {@link TlsCodecTest}'s cases on the JDK's engines. */
class TlsCodecOnJdkTest extends TlsCodecTest {
    @Override
    TlsProvider provider() {
        return TlsProvider.JDK;
    }
}
