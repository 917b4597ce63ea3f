package io.pingora4j.tls.acme;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how {@link AcmeIssuer} gets certificates; one per {@code [certificates.NAME]} table
 * with {@code acme} set (certificates sharing settings may share an issuer).
 *
 * @param directory the ACME directory URL ({@code acme_directory}); {@link #LETS_ENCRYPT} by default
 * @param email the account's contact address ({@code acme_email}), or {@code null} for none
 * @param caFile a PEM file of the CA certificates the directory's TLS certificate must chain to
 *     ({@code acme_ca_file}), for private CAs such as Pebble; {@code null} trusts the JDK's default
 *     trust store. Only this issuer's connections trust it; nothing JVM-wide changes.
 * @param storageDirectory where the account key and the certificates are kept (see {@link AcmeStorage})
 * @param validationTimeout how long to wait for the CA to validate one domain's challenge
 * @param issuanceTimeout how long to wait for an order to become ready, and then to be issued
 * @param networkTimeout connect and request timeout of each HTTP exchange with the CA
 */
public record AcmeSettings(URI directory, String email, Path caFile, Path storageDirectory,
        Duration validationTimeout, Duration issuanceTimeout, Duration networkTimeout) {

    /** Let's Encrypt's production directory. */
    public static final URI LETS_ENCRYPT = URI.create("https://acme-v02.api.letsencrypt.org/directory");

    public static final Duration DEFAULT_VALIDATION_TIMEOUT = Duration.ofMinutes(2);
    public static final Duration DEFAULT_ISSUANCE_TIMEOUT = Duration.ofMinutes(2);
    public static final Duration DEFAULT_NETWORK_TIMEOUT = Duration.ofSeconds(30);

    public AcmeSettings {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(storageDirectory, "storageDirectory");
        String scheme = directory.getScheme();
        if (!"https".equalsIgnoreCase(scheme) && !"http".equalsIgnoreCase(scheme) && !"acme".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("acme_directory " + directory + ": an https:// URL expected");
        }
        if (email != null && (email.isBlank() || email.indexOf('@') <= 0)) {
            throw new IllegalArgumentException("acme_email '" + email + "': not an e-mail address");
        }
        requirePositive(validationTimeout, "validationTimeout");
        requirePositive(issuanceTimeout, "issuanceTimeout");
        requirePositive(networkTimeout, "networkTimeout");
    }

    /** Let's Encrypt, no contact, default trust and timeouts, storing in {@code storageDirectory}. */
    public static AcmeSettings defaults(Path storageDirectory) {
        return new AcmeSettings(LETS_ENCRYPT, null, null, storageDirectory, DEFAULT_VALIDATION_TIMEOUT,
                DEFAULT_ISSUANCE_TIMEOUT, DEFAULT_NETWORK_TIMEOUT);
    }

    public AcmeSettings withDirectory(URI newDirectory) {
        return new AcmeSettings(newDirectory, email, caFile, storageDirectory, validationTimeout, issuanceTimeout,
                networkTimeout);
    }

    public AcmeSettings withEmail(String newEmail) {
        return new AcmeSettings(directory, newEmail, caFile, storageDirectory, validationTimeout, issuanceTimeout,
                networkTimeout);
    }

    public AcmeSettings withCaFile(Path newCaFile) {
        return new AcmeSettings(directory, email, newCaFile, storageDirectory, validationTimeout, issuanceTimeout,
                networkTimeout);
    }

    public AcmeSettings withTimeouts(Duration validation, Duration issuance, Duration network) {
        return new AcmeSettings(directory, email, caFile, storageDirectory, validation, issuance, network);
    }

    private static void requirePositive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + d);
        }
    }
}
