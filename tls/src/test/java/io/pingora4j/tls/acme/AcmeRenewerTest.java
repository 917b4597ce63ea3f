package io.pingora4j.tls.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.tls.TestPki;
import io.pingora4j.tls.acme.AcmeIssuanceException.Step;
import io.pingora4j.tls.acme.AcmeRenewer.Backoff;
import io.pingora4j.tls.acme.AcmeRenewer.ManagedCertificate;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AcmeRenewerTest {

    private static final TestPki CA = TestPki.create("renewer-test-ca");
    private static final Duration BUFFER = Duration.ofDays(14);
    private static final List<String> DOMAINS = List.of("site.example");

    private final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T00:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler();
    private final FakeIssuer issuer = new FakeIssuer();
    private final List<IssuedCertificate> issued = new ArrayList<>();
    private final List<Duration> retries = new ArrayList<>();
    private final AcmeRenewer.Listener listener = new AcmeRenewer.Listener() {
        @Override
        public void issued(IssuedCertificate certificate) {
            issued.add(certificate);
        }

        @Override
        public void failed(String name, Exception error, Duration retryIn) {
            retries.add(retryIn);
        }
    };

    private AcmeRenewer renewer() {
        return new AcmeRenewer(List.of(new ManagedCertificate("site", DOMAINS, BUFFER, issuer)), listener, clock,
                Backoff.DEFAULT, scheduler);
    }

    @Test
    void issuesAMissingCertificateAndHandsItToTheListener() {
        renewer().start();
        scheduler.runNext();

        assertEquals(1, issuer.issuances);
        assertEquals(1, issued.size());
        assertSame(issuer.stored.get("site"), issued.get(0));
    }

    @Test
    void doesNotReissueAFreshCertificateAndChecksAgainWhenItIsDue() {
        issuer.store(clock.instant().minus(Duration.ofDays(60)), clock.instant().plus(BUFFER).plus(Duration.ofHours(6)));
        renewer().start();
        scheduler.runNext();

        assertEquals(0, issuer.issuances);
        assertEquals(Duration.ofHours(6), scheduler.nextDelay());
        clock.advance(Duration.ofHours(6));
        scheduler.runNext();
        assertEquals(1, issuer.issuances);
    }

    @Test
    void checksAFarFromDueCertificateAgainWithinADay() {
        issuer.store(clock.instant(), clock.instant().plus(Duration.ofDays(90)));
        renewer().start();
        scheduler.runNext();

        assertEquals(0, issuer.issuances);
        assertEquals(AcmeRenewer.RECHECK_AT_MOST, scheduler.nextDelay());
    }

    @Test
    void reissuesAnUnreadableStoredCertificate() {
        issuer.storedError = new IOException("site.key: key file missing");
        renewer().start();
        scheduler.runNext();

        assertEquals(1, issuer.issuances);
    }

    @Test
    void retriesAFailedIssuanceWithDoublingDelays() {
        issuer.failNext(3);
        renewer().start();
        scheduler.runNext();
        scheduler.runNext();
        scheduler.runNext();

        assertEquals(List.of(Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(20)), retries);
        assertEquals(Duration.ofMinutes(20), scheduler.nextDelay());
        assertTrue(issued.isEmpty());
    }

    @Test
    void aRetryThatSucceedsHandsOverTheCertificate() {
        issuer.failNext(1);
        renewer().start();
        scheduler.runNext();
        scheduler.runNext();

        assertEquals(2, issuer.issuances);
        assertEquals(1, issued.size());
    }

    @Test
    void backoffStartsOverAfterASuccess() {
        issuer.failNext(2);
        renewer().start();
        scheduler.runNext(); // fails: 5 min
        scheduler.runNext(); // fails: 10 min
        scheduler.runNext(); // succeeds
        clock.advance(Duration.ofDays(90));
        issuer.failNext(1);
        scheduler.runNext(); // expired: issues, fails

        assertEquals(List.of(Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(5)), retries);
    }

    @Test
    void backoffDoublesUpToItsMaximum() {
        Backoff b = new Backoff(Duration.ofMinutes(5), Duration.ofMinutes(30));
        assertEquals(Duration.ofMinutes(5), b.after(1));
        assertEquals(Duration.ofMinutes(20), b.after(3));
        assertEquals(Duration.ofMinutes(30), b.after(4));
        assertEquals(Duration.ofMinutes(30), b.after(1000));
    }

    @Test
    void listenerFailureDoesNotStopRenewals() {
        AcmeRenewer r = new AcmeRenewer(List.of(new ManagedCertificate("site", DOMAINS, BUFFER, issuer)),
                c -> {
                    throw new IllegalStateException("swap failed");
                }, clock, Backoff.DEFAULT, scheduler);
        r.start();
        scheduler.runNext();

        assertEquals(1, scheduler.pending());
    }

    @Test
    void runsOnItsOwnDaemonThreadUntilClosed() throws Exception {
        CompletableFuture<Thread> ranOn = new CompletableFuture<>();
        try (AcmeRenewer r = new AcmeRenewer(List.of(new ManagedCertificate("site", DOMAINS, BUFFER, issuer)),
                c -> ranOn.complete(Thread.currentThread()))) {
            r.start();
            Thread t = ranOn.get(30, TimeUnit.SECONDS);
            assertTrue(t.isDaemon());
            assertEquals("pingora4j-acme-renewer", t.getName());
            r.close();
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(t.isAlive());
        }
    }

    /** Tasks in the order they would run; the test runs them, and the clock, by hand. */
    private static final class ManualScheduler implements AcmeRenewer.Scheduler {
        private record Task(Runnable run, Duration delay) {}

        private final List<Task> tasks = new ArrayList<>();

        @Override
        public void schedule(Runnable task, Duration delay) {
            tasks.add(new Task(task, delay));
            tasks.sort((a, b) -> a.delay.compareTo(b.delay));
        }

        Duration nextDelay() {
            return tasks.get(0).delay;
        }

        int pending() {
            return tasks.size();
        }

        void runNext() {
            tasks.remove(0).run.run();
        }

        @Override
        public void close() {
            tasks.clear();
        }
    }

    /** Issues 90-day certificates from a test CA, or fails as scripted. */
    private final class FakeIssuer implements CertificateIssuer {
        final Map<String, IssuedCertificate> stored = new HashMap<>();
        final Deque<Boolean> failures = new ArrayDeque<>();
        IOException storedError;
        int issuances;

        void failNext(int n) {
            for (int i = 0; i < n; i++) {
                failures.add(Boolean.TRUE);
            }
        }

        void store(Instant notBefore, Instant notAfter) {
            TestPki.Leaf leaf = CA.issue("EC", notBefore, notAfter, DOMAINS.toArray(new String[0]));
            stored.put("site", new IssuedCertificate("site", Path.of("site.crt"), Path.of("site.key"), leaf.chain()));
        }

        @Override
        public Optional<IssuedCertificate> stored(String name) throws IOException {
            if (storedError != null) {
                throw storedError;
            }
            return Optional.ofNullable(stored.get(name));
        }

        @Override
        public IssuedCertificate issue(String name, List<String> domains) throws AcmeIssuanceException {
            issuances++;
            if (failures.poll() != null) {
                throw new AcmeIssuanceException(name, Step.CHALLENGE, domains.get(0), "connection refused",
                        "validation failed", null);
            }
            storedError = null;
            store(clock.instant(), clock.instant().plus(Duration.ofDays(90)));
            return stored.get(name);
        }
    }
}
