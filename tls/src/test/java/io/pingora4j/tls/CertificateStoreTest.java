package io.pingora4j.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificateStoreTest {

    static final TestPki CA = TestPki.create("store test ca");
    static final CertifiedKey A = cert("a", false, "a.example.com");
    static final CertifiedKey B = cert("b", false, "b.example.com");
    static final CertifiedKey WILD = cert("wild", false, "*.example.com");
    static final CertifiedKey FALLBACK = cert("fallback", true, "fallback.example.net");

    static CertifiedKey cert(String name, boolean isDefault, String... names) {
        TestPki.Leaf l = CA.issue(names);
        return CertifiedKey.of(name, l.chain(), l.key(), List.of(), isDefault, name + ".crt", name + ".key");
    }

    @Test
    void anExactNameWinsOverAWildcardThatAlsoMatches() {
        CertificateStore s = CertificateStore.of(List.of(WILD, A, B));
        assertSame(A, s.select("a.example.com"));
        assertSame(B, s.select("b.example.com"));
    }

    @Test
    void namesMatchCaseInsensitivelyAndIgnoreATrailingDot() {
        CertificateStore s = CertificateStore.of(List.of(A, B));
        assertSame(B, s.select("B.Example.COM."));
    }

    @Test
    void aWildcardMatchesExactlyOneLabel() {
        CertificateStore s = CertificateStore.of(List.of(FALLBACK, WILD));
        assertSame(WILD, s.select("c.example.com"));
        assertSame(FALLBACK, s.select("example.com"));
        assertSame(FALLBACK, s.select("x.c.example.com"));
    }

    @Test
    void noSniGetsTheCertificateMarkedDefault() {
        CertificateStore s = CertificateStore.of(List.of(A, FALLBACK, B));
        assertSame(FALLBACK, s.select(null));
        assertSame(FALLBACK, s.select(""));
        assertSame(FALLBACK, s.select("unknown.example.org"));
    }

    @Test
    void withNoneMarkedDefaultTheFirstConfiguredIsTheDefaultAsInNginx() {
        CertificateStore s = CertificateStore.of(List.of(B, A));
        assertSame(B, s.select("unknown.example.org"));
        assertSame(B, s.select(null));
    }

    @Test
    void withMarkedOnlyFallbackAnUnknownNameGetsNothing() {
        CertificateStore s = new CertificateStore(CertificateStore.Fallback.MARKED_ONLY);
        s.replace(List.of(A, B));
        assertNull(s.select("unknown.example.org"));
        assertNull(s.select(null));
        assertSame(A, s.select("a.example.com"));
    }

    @Test
    void anEmptyStoreServesNothing() {
        assertNull(new CertificateStore().select("a.example.com"));
    }

    @Test
    void aNameWithAnRsaAndAnEcCertificateListsBothInConfigurationOrder() {
        TestPki.Leaf rsaLeaf = CA.issue("RSA", Instant.now(), Instant.now().plusSeconds(3600), "a.example.com");
        CertifiedKey rsa = CertifiedKey.of("a-rsa", rsaLeaf.chain(), rsaLeaf.key(), List.of(), false, "c", "k");
        CertificateStore s = CertificateStore.of(List.of(rsa, A));
        assertEquals(List.of(rsa, A), s.snapshot().candidates("a.example.com"));
    }

    @Test
    void replaceSwapsTheContentsAndKeepsThePreviousSnapshotReachable() {
        CertificateStore s = CertificateStore.of(List.of(A));
        CertificateStore.Snapshot first = s.snapshot();
        CertificateStore.Snapshot second = s.replace(List.of(B));
        assertSame(B, s.select("anything.example.com"));
        assertSame(first, s.snapshot(first.generation()));
        assertSame(second, s.snapshot(second.generation()));
        s.replace(List.of(A));
        assertNull(s.snapshot(first.generation()), "two replaces later the first snapshot is gone");
    }
}
