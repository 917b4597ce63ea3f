package io.pingora4j.tls.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.tls.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RenewalDecisionTest {

    private static final TestPki CA = TestPki.create("renewal-test-ca");
    private static final Instant ISSUED = Instant.parse("2025-01-01T00:00:00Z");
    private static final Instant EXPIRES = ISSUED.plus(Duration.ofDays(90));
    private static final Duration FOURTEEN_DAYS = Duration.ofDays(14);
    private static final List<String> DOMAINS = List.of("a.example", "b.example");

    private static IssuedCertificate cert(Instant notBefore, Instant notAfter, String... names) {
        TestPki.Leaf leaf = CA.issue("EC", notBefore, notAfter, names);
        return new IssuedCertificate("site", Path.of("site.crt"), Path.of("site.key"), leaf.chain());
    }

    private static final IssuedCertificate NINETY_DAYS = cert(ISSUED, EXPIRES, "a.example", "b.example");

    @Test
    void issuesWhenNothingIsStored() {
        RenewalDecision d = RenewalDecision.decide(null, DOMAINS, FOURTEEN_DAYS, ISSUED);
        assertTrue(d.issueNow());
        assertEquals("no certificate stored", d.reason());
    }

    @Test
    void waitsUntilTheRenewalWindowOpens() {
        RenewalDecision d = RenewalDecision.decide(NINETY_DAYS, DOMAINS, FOURTEEN_DAYS, ISSUED.plus(Duration.ofDays(1)));
        assertFalse(d.issueNow());
        assertEquals(EXPIRES.minus(FOURTEEN_DAYS), d.renewAt());
    }

    @Test
    void stillWaitsJustBeforeTheWindow() {
        Instant justBefore = EXPIRES.minus(FOURTEEN_DAYS).minusSeconds(1);
        assertFalse(RenewalDecision.decide(NINETY_DAYS, DOMAINS, FOURTEEN_DAYS, justBefore).issueNow());
    }

    @Test
    void issuesOnceNotAfterMinusBufferIsReached() {
        assertTrue(RenewalDecision.decide(NINETY_DAYS, DOMAINS, FOURTEEN_DAYS, EXPIRES.minus(FOURTEEN_DAYS)).issueNow());
    }

    @Test
    void issuesWhenExpired() {
        assertTrue(RenewalDecision.decide(NINETY_DAYS, DOMAINS, FOURTEEN_DAYS, EXPIRES.plusSeconds(1)).issueNow());
    }

    @Test
    void issuesWhenAConfiguredDomainIsMissingFromTheCertificate() {
        IssuedCertificate onlyA = cert(ISSUED, EXPIRES, "a.example");
        RenewalDecision d = RenewalDecision.decide(onlyA, DOMAINS, FOURTEEN_DAYS, ISSUED.plus(Duration.ofDays(1)));
        assertTrue(d.issueNow());
        assertTrue(d.reason().contains("b.example"), d.reason());
    }

    @Test
    void domainsAreComparedCaseInsensitively() {
        assertFalse(RenewalDecision.decide(NINETY_DAYS, List.of("A.Example"), FOURTEEN_DAYS,
                ISSUED.plus(Duration.ofDays(1))).issueNow());
    }

    @Test
    void windowIsCappedAtAThirdOfAShortLifetime() {
        // a 6-day certificate with a 14-day buffer: renew after 4 days, not on every check
        Instant sixDays = ISSUED.plus(Duration.ofDays(6));
        IssuedCertificate shortLived = cert(ISSUED, sixDays, "a.example", "b.example");
        RenewalDecision d = RenewalDecision.decide(shortLived, DOMAINS, FOURTEEN_DAYS, ISSUED.plus(Duration.ofHours(1)));
        assertFalse(d.issueNow());
        assertEquals(sixDays.minus(Duration.ofDays(2)), d.renewAt());
    }
}
