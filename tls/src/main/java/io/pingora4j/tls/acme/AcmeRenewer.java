package io.pingora4j.tls.acme;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps ACME certificates issued: for each {@link ManagedCertificate}, checks the stored one, issues
 * when it is missing, does not name every domain, or is within its renewal window ({@link
 * RenewalDecision}), hands each new certificate to the {@link Listener} (the server swaps it in), and
 * retries a failed issuance with exponential {@link Backoff}. A failure never escapes: it is logged
 * and reported to the listener, and the server keeps serving what it has.
 *
 * <p>Threads: all checks and issuances run one at a time on a single daemon thread owned by this
 * renewer ({@code pingora4j-acme-renewer}); the listener is called on it too, and may block briefly.
 * Nothing runs on an event loop. {@link #close()} stops the thread, interrupting an issuance in
 * progress.
 *
 * <p>Even when nothing is due, each certificate is re-checked at least every {@link #RECHECK_AT_MOST},
 * so a wall-clock jump or a file replaced by hand is noticed.
 */
public final class AcmeRenewer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AcmeRenewer.class);

    /** The longest a certificate goes without a check. */
    public static final Duration RECHECK_AT_MOST = Duration.ofDays(1);

    /** Pingap's {@code buffer_days} default. */
    public static final Duration DEFAULT_RENEW_BEFORE = Duration.ofDays(14);

    /**
     * A certificate to keep issued.
     *
     * @param name the storage name ({@code [certificates.NAME]})
     * @param domains the names it must carry
     * @param renewBefore how long before {@code notAfter} to renew ({@code buffer_days})
     * @param issuer who stores and issues it
     */
    public record ManagedCertificate(String name, List<String> domains, Duration renewBefore,
            CertificateIssuer issuer) {
        public ManagedCertificate {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(issuer, "issuer");
            domains = List.copyOf(domains);
            if (domains.isEmpty()) {
                throw new IllegalArgumentException("certificates." + name + ": acme needs at least one domain");
            }
            if (renewBefore.isNegative()) {
                throw new IllegalArgumentException("certificates." + name + ": buffer_days must not be negative");
            }
        }
    }

    /** Told about issuances; called on the renewer's thread. */
    public interface Listener {
        /** A new certificate is stored: swap it in (its files are {@link IssuedCertificate#certificateFile()} and key). */
        void issued(IssuedCertificate certificate);

        /** An issuance failed; the renewer tries again after {@code retryIn}. Logged already. */
        default void failed(String name, Exception error, Duration retryIn) {}
    }

    /** Retry delays after consecutive failures: {@code initial}, doubling, at most {@code max}. */
    public record Backoff(Duration initial, Duration max) {
        /** 5 minutes, then 10, 20... up to 6 hours: well inside Let's Encrypt's failed-validation limits. */
        public static final Backoff DEFAULT = new Backoff(Duration.ofMinutes(5), Duration.ofHours(6));

        public Backoff {
            if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("backoff needs 0 < initial <= max: " + initial + ", " + max);
            }
        }

        /** The delay after the {@code failures}-th consecutive failure (1 for the first). */
        public Duration after(int failures) {
            Duration d = initial;
            for (int i = 1; i < failures && d.compareTo(max) < 0; i++) {
                d = d.multipliedBy(2);
            }
            return d.compareTo(max) > 0 ? max : d;
        }
    }

    /** Runs tasks later, one at a time. Package-private so tests can step through time. */
    interface Scheduler extends AutoCloseable {
        void schedule(Runnable task, Duration delay);

        @Override
        void close();
    }

    private final List<ManagedCertificate> certificates;
    private final Listener listener;
    private final Clock clock;
    private final Backoff backoff;
    private final Scheduler scheduler;
    // touched only on the scheduler's thread
    private final Map<String, Integer> failures = new HashMap<>();

    /** With the system clock and the default backoff. Call {@link #start()}. */
    public AcmeRenewer(List<ManagedCertificate> certificates, Listener listener) {
        this(certificates, listener, Clock.systemUTC(), Backoff.DEFAULT);
    }

    /** With {@code clock} deciding renewal times. Call {@link #start()}. */
    public AcmeRenewer(List<ManagedCertificate> certificates, Listener listener, Clock clock, Backoff backoff) {
        this(certificates, listener, clock, backoff, new DaemonScheduler());
    }

    AcmeRenewer(List<ManagedCertificate> certificates, Listener listener, Clock clock, Backoff backoff,
            Scheduler scheduler) {
        this.certificates = List.copyOf(certificates);
        Set<String> names = new HashSet<>();
        for (ManagedCertificate c : this.certificates) {
            if (!names.add(c.name())) {
                throw new IllegalArgumentException("certificates." + c.name() + " is managed twice");
            }
        }
        this.listener = Objects.requireNonNull(listener, "listener");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.scheduler = scheduler;
    }

    /** Checks every certificate now (on the renewer's thread), then whenever one is due. */
    public void start() {
        for (ManagedCertificate c : certificates) {
            scheduler.schedule(() -> check(c), Duration.ZERO);
        }
    }

    /** Stops checking; an issuance in progress is interrupted. */
    @Override
    public void close() {
        scheduler.close();
    }

    private void check(ManagedCertificate c) {
        Instant now = clock.instant();
        RenewalDecision decision;
        try {
            Optional<IssuedCertificate> stored = c.issuer().stored(c.name());
            decision = RenewalDecision.decide(stored.orElse(null), c.domains(), c.renewBefore(), now);
        } catch (IOException | RuntimeException e) {
            decision = new RenewalDecision(true, now, "the stored certificate is unusable: " + e.getMessage());
        }
        if (!decision.issueNow()) {
            LOG.debug("acme {}: {}", c.name(), decision.reason());
            scheduleCheck(c, Duration.between(now, decision.renewAt()));
            return;
        }
        LOG.info("acme {}: issuing for {}: {}", c.name(), c.domains(), decision.reason());
        IssuedCertificate issued;
        try {
            issued = c.issuer().issue(c.name(), c.domains());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing
            return;
        } catch (AcmeIssuanceException | RuntimeException e) {
            failed(c, e);
            return;
        }
        RenewalDecision next = RenewalDecision.decide(issued, c.domains(), c.renewBefore(), clock.instant());
        if (next.issueNow()) {
            // the CA issued something that already needs replacing: do not ask again at once
            failed(c, new IllegalStateException("the new certificate is not good enough: " + next.reason()));
        } else {
            failures.remove(c.name());
            scheduleCheck(c, Duration.between(clock.instant(), next.renewAt()));
        }
        try {
            listener.issued(issued);
        } catch (RuntimeException e) {
            LOG.error("acme {}: the listener failed to take the new certificate", c.name(), e);
        }
    }

    private void failed(ManagedCertificate c, Exception e) {
        int n = failures.merge(c.name(), 1, Integer::sum);
        Duration retryIn = backoff.after(n);
        LOG.warn("acme {}: issuance failed ({} in a row), retrying in {}: {}", c.name(), n, retryIn, e.getMessage());
        scheduler.schedule(() -> check(c), retryIn);
        try {
            listener.failed(c.name(), e, retryIn);
        } catch (RuntimeException le) {
            LOG.error("acme {}: the listener failed", c.name(), le);
        }
    }

    private void scheduleCheck(ManagedCertificate c, Duration untilDue) {
        Duration delay = untilDue.compareTo(RECHECK_AT_MOST) > 0 ? RECHECK_AT_MOST : untilDue;
        scheduler.schedule(() -> check(c), delay.isNegative() ? Duration.ZERO : delay);
    }

    /** One daemon thread; tasks run in delay order. */
    private static final class DaemonScheduler implements Scheduler {
        private final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "pingora4j-acme-renewer");
            t.setDaemon(true);
            return t;
        });

        DaemonScheduler() {
            executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        }

        @Override
        public void schedule(Runnable task, Duration delay) {
            try {
                executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closed) {
                // closed while a check was running: nothing more to do
            }
        }

        @Override
        public void close() {
            executor.shutdownNow();
            try {
                executor.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
