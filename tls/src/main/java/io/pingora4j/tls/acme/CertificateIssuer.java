package io.pingora4j.tls.acme;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * What {@link AcmeRenewer} needs from an issuer: the certificate it stored last, and a new one.
 * {@link AcmeIssuer} is the ACME implementation. Both methods block; the renewer calls them on its
 * own background thread, never on an event loop.
 */
public interface CertificateIssuer {

    /**
     * The certificate stored under {@code name}; empty if none was ever issued.
     *
     * @throws IOException if it exists but cannot be read, or its key does not match
     */
    Optional<IssuedCertificate> stored(String name) throws IOException;

    /**
     * Obtains a certificate for {@code domains}, stores it under {@code name} and returns it.
     *
     * @throws AcmeIssuanceException if the CA did not issue; storage is unchanged
     * @throws InterruptedException if the thread was interrupted while waiting for the CA
     */
    IssuedCertificate issue(String name, List<String> domains) throws AcmeIssuanceException, InterruptedException;
}
