package io.pingora4j.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;

class TestPkiTest {

    @Test
    void issuedLeafVerifiesAgainstItsCaAndCarriesTheNames() throws Exception {
        TestPki ca = TestPki.create("test ca");
        TestPki.Leaf leaf = ca.issue("a.example.com", "127.0.0.1");
        X509Certificate cert = leaf.certificate();
        cert.verify(ca.certificate().getPublicKey());
        assertEquals(2, cert.getSubjectAlternativeNames().size());
        assertTrue(leaf.chainPem().startsWith("-----BEGIN CERTIFICATE-----"));
        assertTrue(leaf.keyPem().startsWith("-----BEGIN PRIVATE KEY-----"));
    }
}
