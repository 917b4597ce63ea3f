package io.pingora4j.tls.acme;

import java.util.Optional;

/**
 * An issuance that failed, saying for which certificate, at which {@link Step}, for which domain
 * (when one is to blame) and, when the ACME server explained, its problem document's detail (RFC
 * 8555 §6.7). The caller logs it and tries again later; nothing was written to storage.
 */
public final class AcmeIssuanceException extends Exception {

    /** Where in the issuance it failed. */
    public enum Step {
        /** Reading or creating the account key, fetching the directory, finding or registering the account. */
        ACCOUNT,
        /** Creating the order. */
        ORDER,
        /** An authorization offered no HTTP-01 challenge, or could not be read. */
        AUTHORIZATION,
        /** The CA could not validate the HTTP-01 response (or did not say so in time). */
        CHALLENGE,
        /** Submitting the CSR, or the CA not issuing in time. */
        FINALIZE,
        /** Downloading the certificate chain. */
        DOWNLOAD,
        /** Writing the certificate and key into storage. */
        STORE
    }

    private final String certificateName;
    private final Step step;
    private final String domain;
    private final String problem;

    public AcmeIssuanceException(String certificateName, Step step, String domain, String problem, String message,
            Throwable cause) {
        super(describe(certificateName, step, domain, problem, message), cause);
        this.certificateName = certificateName;
        this.step = step;
        this.domain = domain;
        this.problem = problem;
    }

    public String certificateName() {
        return certificateName;
    }

    public Step step() {
        return step;
    }

    /** The domain being validated when it failed, if the failure belongs to one. */
    public Optional<String> domain() {
        return Optional.ofNullable(domain);
    }

    /** The ACME server's problem document, rendered (type, detail and sub-problems), if it sent one. */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    private static String describe(String name, Step step, String domain, String problem, String message) {
        StringBuilder sb = new StringBuilder("ACME certificate '").append(name).append("'");
        if (domain != null) {
            sb.append(", domain ").append(domain);
        }
        sb.append(", step ").append(step).append(": ").append(message);
        if (problem != null) {
            sb.append(" (").append(problem).append(')');
        }
        return sb.toString();
    }
}
