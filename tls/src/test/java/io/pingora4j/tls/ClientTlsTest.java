package io.pingora4j.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client engines from {@link ClientTls} against a {@link ServerTls} origin, in memory. */
abstract class ClientTlsTest {

    /** The provider of the client engines ({@link ClientTlsOnJdkTest}, {@link ClientTlsOnOpenSslTest}). */
    abstract TlsProvider provider();


    static final TestPki CA = TestPki.create("client tls test ca");
    static final TestPki.Leaf ORIGIN = CA.issue("origin.example.com", "10.1.2.3");
    static final ServerTls SERVER = new ServerTls(CertificateStore.of(List.of(CertifiedKey.of("origin",
            ORIGIN.chain(), ORIGIN.key(), List.of(), true, "c", "k"))),
            ServerTlsSettings.builder().enableH2(true).build());

    @TempDir
    static Path dir;
    static String caFile;

    @BeforeAll
    static void writeCa() throws Exception {
        caFile = Files.writeString(dir.resolve("ca.pem"), CA.certificatePem()).toString();
    }

    private final ClientTls tls = new ClientTls(List.of("http/1.1"), provider());

    private static EnginePair connect(SSLEngine client) {
        return EnginePair.handshake(client, SERVER.newServerEngine());
    }

    private static List<SNIServerName> sniSeenByServer(EnginePair p) {
        return ((ExtendedSSLSession) p.server.getSession()).getRequestedServerNames();
    }

    @Test
    void theRightNameVerifiesAgainstTheCaBundle() {
        EnginePair p = connect(tls.newClientEngine("origin.example.com", "10.9.9.9", 443, true, caFile));
        assertTrue(p.succeeded(), p.toString());
        assertEquals(List.of(new SNIHostName("origin.example.com")), sniSeenByServer(p));
    }

    @Test
    void aNameTheCertificateDoesNotCarryFailsVerification() {
        EnginePair p = connect(tls.newClientEngine("other.example.com", "10.9.9.9", 443, true, caFile));
        assertFalse(p.succeeded());
        assertNotNull(p.clientError);
        assertTrue(String.valueOf(p.clientError.getCause()).contains("No subject alternative DNS name matching"),
                String.valueOf(p.clientError.getCause()));
    }

    @Test
    void aCertificateFromACaNotTrustedFailsVerification() {
        EnginePair p = connect(tls.newClientEngine("origin.example.com", "10.9.9.9", 443, true, null));
        assertFalse(p.succeeded());
        assertNotNull(p.clientError);
    }

    @Test
    void withVerificationOffAnyCertificateAndNameIsAccepted() {
        EnginePair p = connect(tls.newClientEngine("other.example.com", "10.9.9.9", 443, false, null));
        assertTrue(p.succeeded(), p.toString());
    }

    @Test
    void anIpLiteralIsNotSentAsSniButIsVerifiedAgainstTheCertificatesIpNames() {
        EnginePair p = connect(tls.newClientEngine("10.1.2.3", "10.1.2.3", 443, true, caFile));
        assertTrue(p.succeeded(), p.toString());
        assertEquals(List.of(), sniSeenByServer(p));
    }

    @Test
    void withNoSniNameTheHostIsVerified() {
        assertTrue(connect(tls.newClientEngine(null, "10.1.2.3", 443, true, caFile)).succeeded());
        assertFalse(connect(tls.newClientEngine(null, "10.1.2.4", 443, true, caFile)).succeeded());
    }

    @Test
    void aTrailingDotInTheSniNameIsDropped() {
        EnginePair p = connect(tls.newClientEngine("Origin.Example.com.", "10.9.9.9", 443, true, caFile));
        assertTrue(p.succeeded(), p.toString());
        assertEquals(List.of(new SNIHostName("origin.example.com")), sniSeenByServer(p));
    }

    @Test
    void offersHttp11OverAlpnEvenToAnH2CapableServer() {
        EnginePair p = connect(tls.newClientEngine("origin.example.com", "10.9.9.9", 443, true, caFile));
        assertEquals("http/1.1", p.client.getApplicationProtocol());
    }

    @Test
    void aMissingCaFileIsAConfigErrorNamingIt() {
        String missing = dir.resolve("missing-ca.pem").toString();
        TlsConfigException e = assertThrows(TlsConfigException.class,
                () -> tls.newClientEngine("origin.example.com", "h", 443, true, missing));
        assertEquals(missing + ": file missing", e.getMessage());
    }

    @Test
    void oneContextIsBuiltPerCaFile() {
        EnginePair first = connect(tls.newClientEngine("origin.example.com", "h", 443, true, caFile));
        EnginePair second = connect(tls.newClientEngine("origin.example.com", "h", 443, true, caFile));
        EnginePair other = connect(new ClientTls(List.of("http/1.1"), provider()).newClientEngine("origin.example.com", "h", 443, true, caFile));
        // engines of one context share its client session cache
        assertNotNull(first.client.getSession().getSessionContext());
        assertSame(first.client.getSession().getSessionContext(), second.client.getSession().getSessionContext());
        assertNotSame(first.client.getSession().getSessionContext(), other.client.getSession().getSessionContext());
    }
}
