package io.pingora4j.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServerTlsSettingsTest {

    private static TlsConfigException configError(Runnable r) {
        return assertThrows(TlsConfigException.class, r::run);
    }

    @Test
    void defaultsAreTls12And13WithOnlyEcdheAeadSuitesFor12() {
        ServerTlsSettings s = ServerTlsSettings.defaults();
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), s.protocols());
        for (String suite : s.tls12CipherSuites()) {
            assertTrue(suite.startsWith("TLS_ECDHE_"), suite + " has forward secrecy");
            assertTrue(suite.contains("_GCM_") || suite.contains("_CHACHA20_POLY1305_"), suite + " is AEAD");
            assertTrue(!suite.contains("CBC") && !suite.endsWith("_SHA"), suite + " has no CBC, no SHA-1");
        }
        assertEquals(List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"),
                s.tls13CipherSuites());
        assertEquals(List.of("http/1.1"), s.alpn());
        assertEquals(ServerTlsSettings.ClientAuth.NONE, s.clientAuth());
    }

    @Test
    void versionsAcceptPingapNginxAndBareSpellings() {
        for (String v : List.of("tlsv1.2", "TLSv1.2", "1.2", "tls1.2")) {
            assertEquals(TlsVersion.TLS_1_2, TlsVersion.parse("tls_min_version", v), v);
        }
        assertEquals(TlsVersion.TLS_1_3, TlsVersion.parse("tls_max_version", "TLSv1.3"));
    }

    @Test
    void anUnknownVersionNamesTheKeyAndTheValue() {
        TlsConfigException e = configError(() -> ServerTlsSettings.builder().maxVersion("tlsv2.0"));
        assertEquals("tls_max_version: unknown TLS version 'tlsv2.0'; expected tlsv1.2 or tlsv1.3", e.getMessage());
    }

    @Test
    void tls11IsRefusedAsDeprecated() {
        TlsConfigException e = configError(() -> ServerTlsSettings.builder().minVersion("tlsv1.1"));
        assertEquals("tls_min_version", e.source());
        assertTrue(e.reason().contains("RFC 8996"), e.reason());
    }

    @Test
    void aMinimumAboveTheMaximumIsRefused() {
        TlsConfigException e = configError(() -> ServerTlsSettings.builder().minVersion("1.3").maxVersion("1.2")
                .build());
        assertEquals("tls_min_version: TLSv1.3 is above tls_max_version TLSv1.2", e.getMessage());
    }

    @Test
    void onlyTls13EnablesOnlyTls13Suites() {
        ServerTlsSettings s = ServerTlsSettings.builder().minVersion("tlsv1.3").build();
        assertEquals(List.of("TLSv1.3"), s.protocols());
        assertEquals(s.tls13CipherSuites(), s.enabledCipherSuites());
    }

    @Test
    void cipherListTakesColonSeparatedOpenSslAndIanaNames() {
        ServerTlsSettings s = ServerTlsSettings.builder()
                .cipherList("ECDHE-RSA-AES128-GCM-SHA256:TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:"
                        + "ecdhe-ecdsa-chacha20-poly1305")
                .build();
        assertEquals(List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
                "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"), s.tls12CipherSuites());
    }

    @Test
    void anUnknownCipherNamesTheKeyAndTheValue() {
        TlsConfigException e = configError(() -> ServerTlsSettings.builder()
                .cipherList("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-ROT13-SHA"));
        assertEquals("tls_cipher_list: unknown or unsupported cipher suite 'ECDHE-RSA-ROT13-SHA'", e.getMessage());
    }

    @Test
    void anOpenSslCipherExpressionIsRefusedWithAnExplanation() {
        TlsConfigException e = configError(() -> ServerTlsSettings.builder().cipherList("HIGH:!aNULL:!MD5"));
        assertEquals("tls_cipher_list", e.source());
        assertTrue(e.reason().startsWith("'HIGH' is an OpenSSL cipher expression"), e.reason());
    }

    @Test
    void aTls13SuiteInTheTls12ListIsRefusedAndViceVersa() {
        assertEquals("tls_cipher_list: 'TLS_AES_128_GCM_SHA256' is a TLS 1.3 suite; put it in tls_ciphersuites",
                configError(() -> ServerTlsSettings.builder().cipherList("TLS_AES_128_GCM_SHA256")).getMessage());
        assertEquals("tls_ciphersuites: 'ECDHE-RSA-AES128-GCM-SHA256' is a TLS 1.2 suite; put it in tls_cipher_list",
                configError(() -> ServerTlsSettings.builder().cipherSuites("ECDHE-RSA-AES128-GCM-SHA256"))
                        .getMessage());
    }

    @Test
    void tls13SuitesCanBeNarrowed() {
        ServerTlsSettings s = ServerTlsSettings.builder().cipherSuites("TLS_CHACHA20_POLY1305_SHA256").build();
        assertEquals(List.of("TLS_CHACHA20_POLY1305_SHA256"), s.tls13CipherSuites());
    }

    @Test
    void blankValuesKeepTheDefaults() {
        ServerTlsSettings s = ServerTlsSettings.builder().minVersion("").cipherList(" ").cipherSuites(null).build();
        assertEquals(ServerTlsSettings.defaults().enabledCipherSuites(), s.enabledCipherSuites());
    }

    @Test
    void clientAuthWithoutACaBundleIsRefused() {
        TlsConfigException e = configError(() -> ServerTlsSettings.builder()
                .clientAuth(ServerTlsSettings.ClientAuth.REQUIRED, null));
        assertTrue(e.reason().contains("no CA bundle"), e.reason());
    }
}
