package io.pingora4j.examples.codefirst;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a code-first proxy without TLS pulls in: the engine and the SPI, not BouncyCastle, acme4j
 * or jose4j (TLS and ACME are opt-in dependencies); and, shipped by this example, a logging binding.
 */
class DependenciesTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "org.bouncycastle.jce.provider.BouncyCastleProvider", // bcprov
        "org.bouncycastle.openssl.PEMParser",                 // bcpkix
        "org.shredzone.acme4j.Session",                       // acme4j
        "org.jose4j.jwk.JsonWebKey"                           // jose4j, acme4j's
    })
    void aProxyWithoutTlsDoesNotPull(String className) {
        assertThrows(ClassNotFoundException.class, () -> Class.forName(className, false, getClass().getClassLoader()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"org.slf4j.simple.SimpleServiceProvider"})
    void aLoggingBindingIsShipped(String className) {
        assertDoesNotThrow(() -> Class.forName(className, false, getClass().getClassLoader()));
    }
}
