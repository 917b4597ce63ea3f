package io.pingora4j.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

/** Server engines from {@link ServerTls} against plain JDK client engines, in memory. */
abstract class ServerTlsTest {

    /** The provider whose engines the cases run on ({@link ServerTlsOnJdkTest}, {@link ServerTlsOnOpenSslTest}). */
    abstract TlsProvider provider();

    static final TestPki CA = TestPki.create("server tls test ca");
    static final TestPki.Leaf A = CA.issue("a.example.com");
    static final TestPki.Leaf B = CA.issue("b.example.com");
    static final TestPki.Leaf WILD = CA.issue("*.wild.example.com");
    static final TestPki.Leaf A_RSA = CA.issue("RSA", Instant.now().minusSeconds(60), Instant.now().plusSeconds(86_400),
            "a.example.com");

    static CertifiedKey ck(String name, TestPki.Leaf leaf, boolean isDefault) {
        return CertifiedKey.of(name, leaf.chain(), leaf.key(), List.of(), isDefault, name + ".crt", name + ".key");
    }

    ServerTls server(List<CertifiedKey> certs) {
        return new ServerTls(CertificateStore.of(certs), ServerTlsSettings.defaults(), provider(), null);
    }

    /** A client trusting the test CA, sending {@code sni} (null: none), limited to {@code protocols} if given. */
    static SSLEngine client(SSLContext ctx, String sni, String... protocols) {
        SSLEngine e = ctx.createSSLEngine("peer", 443);
        e.setUseClientMode(true);
        SSLParameters p = e.getSSLParameters();
        p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        if (protocols.length > 0) {
            p.setProtocols(protocols);
        }
        e.setSSLParameters(p);
        return e;
    }

    static SSLEngine client(String sni, String... protocols) {
        return client(CA.trustingContext(), sni, protocols);
    }

    static EnginePair handshake(ServerTls server, SSLEngine client) {
        return EnginePair.handshake(client, server.newServerEngine());
    }

    static X509Certificate served(ServerTls server, String sni) {
        EnginePair p = handshake(server, client(sni));
        assertTrue(p.succeeded(), p.toString());
        return p.serverLeaf();
    }

    @Test
    void eachDomainGetsItsOwnCertificate() {
        ServerTls server = server(List.of(ck("a", A, false), ck("b", B, false)));
        assertEquals(A.certificate(), served(server, "a.example.com"));
        assertEquals(B.certificate(), served(server, "b.example.com"));
    }

    @Test
    void aWildcardCertificateServesOneLabelBelowIt() {
        ServerTls server = server(List.of(ck("a", A, true), ck("wild", WILD, false)));
        assertEquals(WILD.certificate(), served(server, "x.wild.example.com"));
        assertEquals(A.certificate(), served(server, "x.y.wild.example.com"));
    }

    @Test
    void aClientSendingNoSniGetsTheDefault() {
        ServerTls server = server(List.of(ck("a", A, false), ck("b", B, true)));
        assertEquals(B.certificate(), served(server, null));
    }

    @Test
    void anUnknownNameWithNoDefaultFailsTheHandshakeWithAnAlert() {
        CertificateStore store = new CertificateStore(CertificateStore.Fallback.MARKED_ONLY);
        store.replace(List.of(ck("a", A, false)));
        ServerTls server = new ServerTls(store, ServerTlsSettings.defaults(), provider(), null);
        EnginePair p = handshake(server, client("unknown.example.com"));
        assertFalse(p.succeeded());
        assertNotNull(p.serverError, "the server refuses");
        assertNotNull(p.clientError, "the client is told");
        // the JDK's key manager finds nothing and says handshake_failure; BoringSSL's certificate
        // callback failing says internal_error
        String alert = provider() == TlsProvider.JDK ? "handshake_failure" : "internal_error";
        assertTrue(p.clientError.getMessage().contains("Received fatal alert: " + alert), p.clientError.getMessage());
        // and the listener keeps serving
        assertEquals(A.certificate(), served(server, "a.example.com"));
    }

    @Test
    void aTls12OnlyClientNegotiatesTls12WithDefaults() {
        EnginePair p = handshake(server(List.of(ck("a", A, true))), client("a.example.com", "TLSv1.2"));
        assertTrue(p.succeeded(), p.toString());
        assertEquals("TLSv1.2", p.client.getSession().getProtocol());
        String suite = p.client.getSession().getCipherSuite();
        assertTrue(suite.startsWith("TLS_ECDHE_") && (suite.contains("_GCM_") || suite.contains("CHACHA20")), suite);
    }

    @Test
    void aTls13OnlyClientNegotiatesTls13WithDefaults() {
        EnginePair p = handshake(server(List.of(ck("a", A, true))), client("a.example.com", "TLSv1.3"));
        assertTrue(p.succeeded(), p.toString());
        assertEquals("TLSv1.3", p.client.getSession().getProtocol());
    }

    @Test
    void aTls13OnlyServerRefusesATls12OnlyClient() {
        ServerTlsSettings only13 = ServerTlsSettings.builder().minVersion("tlsv1.3").build();
        ServerTls server = new ServerTls(CertificateStore.of(List.of(ck("a", A, true))), only13, provider(), null);
        EnginePair p = handshake(server, client("a.example.com", "TLSv1.2"));
        assertFalse(p.succeeded());
        assertNotNull(p.serverError);
    }

    @Test
    void aClientOfferingOnlyCbcSuitesIsRefusedByDefault() {
        SSLEngine c = client("a.example.com", "TLSv1.2");
        c.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"});
        EnginePair p = handshake(server(List.of(ck("a", A, true))), c);
        assertFalse(p.succeeded());
    }

    @Test
    void theCertificateWithTheKeyTypeTheClientCanUseIsChosen() {
        ServerTls server = server(List.of(ck("a-ec", A, false), ck("a-rsa", A_RSA, false)));
        // A TLS 1.2 client offering only ECDHE_RSA suites can only use the RSA certificate ...
        SSLEngine rsaOnly = client("a.example.com", "TLSv1.2");
        rsaOnly.setEnabledCipherSuites(new String[] {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"});
        EnginePair p = handshake(server, rsaOnly);
        assertTrue(p.succeeded(), p.toString());
        assertEquals(A_RSA.certificate(), p.serverLeaf());
        // ... and one offering only ECDHE_ECDSA suites only the EC one.
        SSLEngine ecOnly = client("a.example.com", "TLSv1.2");
        ecOnly.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"});
        p = handshake(server, ecOnly);
        assertTrue(p.succeeded(), p.toString());
        assertEquals(A.certificate(), p.serverLeaf());
    }

    @Test
    void anRsaCertificateServesTls13() {
        EnginePair p = handshake(server(List.of(ck("a-rsa", A_RSA, true))), client("a.example.com", "TLSv1.3"));
        assertTrue(p.succeeded(), p.toString());
        assertEquals(A_RSA.certificate(), p.serverLeaf());
    }

    private String alpn(ServerTlsSettings settings, String... offered) {
        ServerTls server = new ServerTls(CertificateStore.of(List.of(ck("a", A, true))), settings, provider(), null);
        SSLEngine c = client("a.example.com");
        SSLParameters params = c.getSSLParameters();
        params.setApplicationProtocols(offered);
        c.setSSLParameters(params);
        EnginePair p = handshake(server, c);
        assertTrue(p.succeeded(), p.toString());
        // none chosen reads "" from the JDK's engine and null from netty's: the same to TlsTransport
        String chosen = p.server.getApplicationProtocol() == null ? "" : p.server.getApplicationProtocol();
        assertEquals(chosen, p.client.getApplicationProtocol());
        return p.client.getApplicationProtocol();
    }

    @Test
    void alpnPicksH2WhenEnabledAndOffered() {
        assertEquals("h2", alpn(ServerTlsSettings.builder().enableH2(true).build(), "http/1.1", "h2"));
    }

    @Test
    void alpnPicksHttp11WhenH2IsNotEnabled() {
        assertEquals("http/1.1", alpn(ServerTlsSettings.builder().enableH2(false).build(), "h2", "http/1.1"));
    }

    @Test
    void alpnWithNothingInCommonProceedsWithoutAProtocol() {
        assertEquals("", alpn(ServerTlsSettings.defaults(), "spdy/3", "h2"));
    }

    @Test
    void aClientOfferingNoAlpnGetsNone() {
        assertEquals("", alpn(ServerTlsSettings.builder().enableH2(true).build()));
    }

    private ServerTls mtls(ServerTlsSettings.ClientAuth mode) {
        ServerTlsSettings s = ServerTlsSettings.builder()
                .clientAuth(mode, PemSource.inline(CA.certificatePem(), "client_ca")).build();
        return new ServerTls(CertificateStore.of(List.of(ck("a", A, true))), s, provider(), null);
    }

    private static SSLEngine clientWithCertificate(TestPki.Leaf leaf) {
        return client(leaf.context(CA.trustManagers()), "a.example.com");
    }

    @Test
    void requiredClientAuthRefusesAClientWithoutACertificate() {
        EnginePair p = handshake(mtls(ServerTlsSettings.ClientAuth.REQUIRED), client("a.example.com"));
        assertFalse(p.succeeded());
        assertNotNull(p.serverError);
    }

    @Test
    void requiredClientAuthAdmitsAClientWithACertificateFromTheCa() throws Exception {
        TestPki.Leaf alice = CA.issue("alice.clients.example.com");
        EnginePair p = handshake(mtls(ServerTlsSettings.ClientAuth.REQUIRED), clientWithCertificate(alice));
        assertTrue(p.succeeded(), p.toString());
        assertEquals(alice.certificate(), p.server.getSession().getPeerCertificates()[0]);
    }

    @Test
    void requiredClientAuthRefusesACertificateFromAnotherCa() {
        TestPki.Leaf mallory = TestPki.create("other ca").issue("mallory.example.com");
        EnginePair p = handshake(mtls(ServerTlsSettings.ClientAuth.REQUIRED), clientWithCertificate(mallory));
        assertFalse(p.succeeded());
        assertNotNull(p.serverError);
    }

    @Test
    void optionalClientAuthAdmitsAClientWithoutACertificate() {
        EnginePair p = handshake(mtls(ServerTlsSettings.ClientAuth.OPTIONAL), client("a.example.com"));
        assertTrue(p.succeeded(), p.toString());
    }

    @Test
    void optionalClientAuthStillVerifiesACertificateThatIsSent() throws Exception {
        TestPki.Leaf alice = CA.issue("alice.clients.example.com");
        EnginePair ok = handshake(mtls(ServerTlsSettings.ClientAuth.OPTIONAL), clientWithCertificate(alice));
        assertTrue(ok.succeeded(), ok.toString());
        assertEquals(alice.certificate(), ok.server.getSession().getPeerCertificates()[0]);
    }

    @Test
    void aReplaceWhileServingIsSeenByTheNextHandshake() {
        CertificateStore store = CertificateStore.of(List.of(ck("a", A, true)));
        ServerTls server = new ServerTls(store, ServerTlsSettings.defaults(), provider(), null);
        EnginePair before = handshake(server, client("a.example.com"));
        assertTrue(before.succeeded());
        store.replace(List.of(ck("b", B, true)));
        assertEquals(B.certificate(), served(server, "a.example.com"));
        // the connection made before the swap is unaffected
        before.send(true, "ping");
        assertEquals("ping", before.received(false));
    }

    @Test
    void aReplaceBetweenChoosingAndFetchingTheKeyStillResolves() {
        CertificateStore store = CertificateStore.of(List.of(ck("a", A, true)));
        SniKeyManager km = new SniKeyManager(store);
        String alias = km.chooseEngineServerAlias("EC", null, null);
        store.replace(List.of(ck("b", B, true)));
        assertEquals(A.certificate(), km.getCertificateChain(alias)[0]);
        assertEquals(A.key(), km.getPrivateKey(alias));
        store.replace(List.of(ck("a", A, true)));
        assertNull(km.getPrivateKey(alias), "two swaps later the alias is stale");
    }

    @Test
    void theKeyManagerAnswersOnlyForTheKeyTypeAsked() {
        CertificateStore store = CertificateStore.of(List.of(ck("a", A, true)));
        SniKeyManager km = new SniKeyManager(store);
        assertNull(km.chooseEngineServerAlias("RSA", null, null));
        assertNotNull(km.chooseEngineServerAlias("EC", null, null));
    }
}
