package io.pingora4j.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertifiedKeyTest {

    static final TestPki CA = TestPki.create("certified key test ca");
    static final TestPki.Leaf A = CA.issue("a.example.com", "www.a.example.com", "*.apps.example.com");
    static final TestPki.Leaf B = CA.issue("b.example.com");

    @TempDir
    Path dir;

    @Test
    void servesTheCertificatesDnsNamesWhenNoDomainsAreConfigured() {
        CertifiedKey ck = CertifiedKey.of("a", A.chain(), A.key(), List.of(), false, "crt", "key");
        assertEquals(List.of("a.example.com", "www.a.example.com", "*.apps.example.com"), ck.names());
        assertEquals("EC", ck.keyType());
        assertEquals(A.certificate().getNotAfter().toInstant(), ck.notAfter());
    }

    @Test
    void configuredDomainsReplaceTheCertificatesNamesAndAreNormalised() {
        CertifiedKey ck = CertifiedKey.of("a", A.chain(), A.key(), List.of("API.Example.COM.", "*.Example.org",
                "bücher.example"), false, "crt", "key");
        assertEquals(List.of("api.example.com", "*.example.org", "xn--bcher-kva.example"), ck.names());
    }

    @Test
    void aDomainThatIsNotAHostNameOrLeadingWildcardIsRefused() {
        TlsConfigException e = assertThrows(TlsConfigException.class, () -> CertifiedKey.of("api", A.chain(), A.key(),
                List.of("a.*.example.com"), false, "crt", "key"));
        assertEquals("certificates.api.domains: 'a.*.example.com' is not a host name or a '*.' wildcard",
                e.getMessage());
    }

    @Test
    void aKeyThatDoesNotMatchTheCertificateIsRefusedNamingBothFiles() {
        Path[] a = A.write(dir, "a");
        Path[] b = B.write(dir, "b");
        TlsConfigException e = assertThrows(TlsConfigException.class, () -> CertifiedKey.load("a",
                PemSource.file(a[0]), PemSource.file(b[1]), List.of(), false));
        assertEquals(b[1] + ": key does not match the certificate in " + a[0], e.getMessage());
    }

    @Test
    void aChainWithTheLeafNotFirstIsRefusedWithAHint() {
        List<java.security.cert.X509Certificate> reversed = List.of(CA.certificate(), A.certificate());
        TlsConfigException e = assertThrows(TlsConfigException.class, () -> CertifiedKey.of("a", reversed, A.key(),
                List.of(), false, "a.crt", "a.key"));
        assertEquals("a.key: key does not match the first certificate in a.crt but certificate 2; the leaf "
                + "certificate must come first", e.getMessage());
    }

    @Test
    void anRsaKeyIsNotTheMatchOfAnEcCertificate() {
        TestPki.Leaf rsa = CA.issue("RSA", java.time.Instant.now(), java.time.Instant.now().plusSeconds(3600),
                "a.example.com");
        assertTrue(!KeyTypes.matches(rsa.key(), A.certificate().getPublicKey()));
        assertThrows(TlsConfigException.class, () -> CertifiedKey.of("a", A.chain(), rsa.key(), List.of(), false,
                "crt", "key"));
    }

    @Test
    void loadsFromFiles() {
        Path[] a = A.write(dir, "a");
        CertifiedKey ck = CertificateSource.of("a", a[0].toString(), a[1].toString(), List.of(), true).load();
        assertEquals(A.chain(), ck.chain());
        assertTrue(ck.isDefault());
    }

    @Test
    void loadsFromInlinePem() {
        CertifiedKey ck = CertificateSource.of("a", A.chainPem(), A.keyPem(), List.of("x.example.com"), false).load();
        assertEquals(List.of("x.example.com"), ck.names());
    }
}
