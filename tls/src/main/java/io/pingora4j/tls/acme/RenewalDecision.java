package io.pingora4j.tls.acme;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Whether a certificate must be issued now and, if not, when it will need renewing. A pure
 * function of the stored certificate, the configured domains, the renewal window and the time.
 *
 * @param issueNow whether to issue now
 * @param renewAt when the stored certificate enters its renewal window ({@code now} when {@code issueNow})
 * @param reason why, for the log
 */
public record RenewalDecision(boolean issueNow, Instant renewAt, String reason) {

    /**
     * Decides for {@code current} (null: nothing stored). Issue when there is no certificate, when it
     * does not name every configured domain, or when {@code now} is at or past {@code notAfter -
     * renewBefore}. The window is capped at a third of the certificate's lifetime, so that a CA
     * issuing certificates shorter-lived than {@code renewBefore} does not get asked for a new one
     * on every check.
     */
    public static RenewalDecision decide(IssuedCertificate current, List<String> domains, Duration renewBefore,
            Instant now) {
        if (current == null) {
            return new RenewalDecision(true, now, "no certificate stored");
        }
        for (String d : domains) {
            if (!current.covers(d)) {
                return new RenewalDecision(true, now, "the stored certificate does not name " + d);
            }
        }
        Duration lifetime = Duration.between(current.notBefore(), current.notAfter());
        Duration window = renewBefore.compareTo(lifetime.dividedBy(3)) > 0 ? lifetime.dividedBy(3) : renewBefore;
        Instant renewAt = current.notAfter().minus(window);
        if (!now.isBefore(renewAt)) {
            return new RenewalDecision(true, now, "the stored certificate expires " + current.notAfter()
                    + ", within the renewal window of " + human(window));
        }
        return new RenewalDecision(false, renewAt, "valid until " + current.notAfter() + ", renewing from " + renewAt);
    }

    private static String human(Duration d) {
        return d.toHours() % 24 == 0 ? d.toDays() + " days" : d.toHours() + " hours";
    }
}
