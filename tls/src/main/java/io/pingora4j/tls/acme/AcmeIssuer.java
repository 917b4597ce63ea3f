package io.pingora4j.tls.acme;

import io.pingora4j.tls.acme.AcmeIssuanceException.Step;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Obtains certificates from an ACME CA (RFC 8555) with HTTP-01 validation, using acme4j.
 *
 * <p>One {@link #issue} call: load or create the account key ({@link AcmeStorage}), find or register
 * the account for it (agreeing to the CA's terms; contact e-mail optional), create an order for the
 * domains, answer each pending authorization's HTTP-01 challenge by publishing the key
 * authorization in {@link Http01Challenges} and asking the CA to validate, wait (bounded by {@link
 * AcmeSettings#validationTimeout()}) for each, generate a new EC P-256 domain key, finalize the order
 * with a CSR for the domains, wait for issuance (bounded by {@link AcmeSettings#issuanceTimeout()}),
 * download the chain and write {@code <name>.key} and {@code <name>.crt} atomically. Whatever
 * happens, the challenge responses it published are withdrawn before it returns.
 *
 * <p>Thread-safety: {@link #issue} blocks for seconds to minutes (network and polling) and must run
 * on a background thread, never an event loop. Concurrent calls for different names are safe;
 * {@link AcmeRenewer} makes them one at a time anyway.
 *
 * <p>Trust: with {@link AcmeSettings#caFile()} set, this issuer's HTTP client trusts exactly the
 * certificates in that file (through an acme4j provider whose connector sets an {@link SSLContext} on
 * the {@code java.net.http} client); the JVM's default trust store and SSLContext are untouched.
 */
public final class AcmeIssuer implements CertificateIssuer {

    private static final Logger LOG = LoggerFactory.getLogger(AcmeIssuer.class);

    private final AcmeSettings settings;
    private final Http01Challenges challenges;
    private final AcmeStorage storage;
    private final SSLContext trust; // null: the JDK's defaults

    /**
     * @throws IllegalArgumentException if {@link AcmeSettings#caFile()} is set but cannot be read or
     *     holds no certificate (the message names the file)
     */
    public AcmeIssuer(AcmeSettings settings, Http01Challenges challenges) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.challenges = Objects.requireNonNull(challenges, "challenges");
        this.storage = new AcmeStorage(settings.storageDirectory());
        if (settings.caFile() != null && !settings.directory().getScheme().toLowerCase(Locale.ROOT).startsWith("http")) {
            throw new IllegalArgumentException("acme_ca_file is set: acme_directory " + settings.directory()
                    + " must then be an https:// URL");
        }
        this.trust = settings.caFile() == null ? null : trustingOnly(settings.caFile());
    }

    public AcmeSettings settings() {
        return settings;
    }

    public AcmeStorage storage() {
        return storage;
    }

    @Override
    public Optional<IssuedCertificate> stored(String name) throws IOException {
        return storage.read(name);
    }

    @Override
    public IssuedCertificate issue(String name, List<String> domains)
            throws AcmeIssuanceException, InterruptedException {
        List<String> names = normalize(name, domains);
        storage.certificateFile(name); // rejects a bad name before talking to the CA
        List<String> published = new ArrayList<>();
        try {
            Account account = account(name);
            Order order = order(name, account, names);
            for (Authorization auth : authorizations(name, order)) {
                authorize(name, auth, published);
            }
            return finalizeAndStore(name, names, order);
        } finally {
            for (String token : published) {
                challenges.remove(token);
            }
        }
    }

    private Account account(String name) throws AcmeIssuanceException {
        KeyPair accountKey;
        try {
            accountKey = storage.loadOrCreateAccountKey();
        } catch (IOException e) {
            throw new AcmeIssuanceException(name, Step.ACCOUNT, null, null, e.getMessage(), e);
        }
        Session session = session();
        AccountBuilder builder = new AccountBuilder().agreeToTermsOfService().useKeyPair(accountKey);
        if (settings.email() != null) {
            builder.addEmail(settings.email());
        }
        try {
            Account account = builder.create(session); // an existing account for this key is found, not duplicated
            LOG.info("acme {}: account {} at {}", name, account.getLocation(), settings.directory());
            return account;
        } catch (AcmeException | RuntimeException e) {
            throw failure(name, Step.ACCOUNT, null, "cannot find or register the account at " + settings.directory(),
                    e);
        }
    }

    private Order order(String name, Account account, List<String> domains) throws AcmeIssuanceException {
        try {
            Order order = account.newOrder().domains(domains).create();
            LOG.info("acme {}: order {} for {} is {}", name, order.getLocation(), domains, order.getStatus());
            return order;
        } catch (AcmeException | RuntimeException e) {
            throw failure(name, Step.ORDER, null, "cannot create an order for " + domains, e);
        }
    }

    private static List<Authorization> authorizations(String name, Order order) throws AcmeIssuanceException {
        try {
            return order.getAuthorizations();
        } catch (RuntimeException e) { // acme4j fetches lazily and wraps AcmeException in AcmeLazyLoadingException
            throw failure(name, Step.AUTHORIZATION, null, "cannot read the order's authorizations", e);
        }
    }

    private void authorize(String name, Authorization auth, List<String> published)
            throws AcmeIssuanceException, InterruptedException {
        String domain;
        Status status;
        try {
            domain = auth.getIdentifier().getDomain();
            status = auth.getStatus();
        } catch (RuntimeException e) {
            throw failure(name, Step.AUTHORIZATION, null, "cannot read an authorization", e);
        }
        if (status == Status.VALID) {
            LOG.info("acme {}: {} already authorized", name, domain);
            return;
        }
        if (status != Status.PENDING) {
            throw new AcmeIssuanceException(name, Step.AUTHORIZATION, domain, null,
                    "authorization is " + status + ", not pending", null);
        }
        Http01Challenge challenge = auth.findChallenge(Http01Challenge.class).orElseThrow(
                () -> new AcmeIssuanceException(name, Step.AUTHORIZATION, domain, null,
                        "the CA offers no http-01 challenge", null));
        challenges.put(challenge.getToken(), challenge.getAuthorization());
        published.add(challenge.getToken());
        LOG.info("acme {}: {} answering http-01 at {}{}", name, domain, Http01Challenges.PATH_PREFIX,
                challenge.getToken());
        Status result;
        try {
            challenge.trigger();
            result = challenge.waitForCompletion(settings.validationTimeout());
        } catch (AcmeException | RuntimeException e) {
            throw failure(name, Step.CHALLENGE, domain, "validation did not complete", e);
        }
        if (result != Status.VALID) {
            throw new AcmeIssuanceException(name, Step.CHALLENGE, domain,
                    challenge.getError().map(AcmeIssuer::render).orElse(null), "the CA found the challenge " + result,
                    null);
        }
        challenges.remove(challenge.getToken());
        LOG.info("acme {}: {} validated", name, domain);
    }

    private IssuedCertificate finalizeAndStore(String name, List<String> domains, Order order)
            throws AcmeIssuanceException, InterruptedException {
        KeyPair domainKey = AcmeStorage.newEcKeyPair();
        try {
            Status ready = order.waitUntilReady(settings.issuanceTimeout());
            if (ready != Status.READY) {
                throw new AcmeIssuanceException(name, Step.FINALIZE, null, order.getError().map(AcmeIssuer::render)
                        .orElse(null), "order is " + ready + " after all authorizations, not ready", null);
            }
            order.execute(domainKey); // CSR (acme4j's CSRBuilder) naming the order's identifiers
            Status done = order.waitForCompletion(settings.issuanceTimeout());
            if (done != Status.VALID) {
                throw new AcmeIssuanceException(name, Step.FINALIZE, null, order.getError().map(AcmeIssuer::render)
                        .orElse(null), "order is " + done + " after finalizing, not valid", null);
            }
        } catch (AcmeException | RuntimeException e) {
            throw failure(name, Step.FINALIZE, null, "cannot finalize the order", e);
        }
        List<X509Certificate> chain;
        try {
            org.shredzone.acme4j.Certificate cert = order.getCertificate();
            cert.download();
            chain = cert.getCertificateChain();
        } catch (AcmeException | RuntimeException e) {
            throw failure(name, Step.DOWNLOAD, null, "cannot download the certificate", e);
        }
        IssuedCertificate issued;
        try {
            issued = storage.write(name, chain, domainKey.getPrivate());
        } catch (IOException | IllegalArgumentException e) {
            throw new AcmeIssuanceException(name, Step.STORE, null, null, e.getMessage(), e);
        }
        for (String d : domains) {
            if (!issued.covers(d)) {
                LOG.warn("acme {}: the issued certificate does not name {} (it names {})", name, d, issued.dnsNames());
            }
        }
        LOG.info("acme {}: issued serial {} for {}, valid until {}, written to {}", name,
                issued.certificate().getSerialNumber().toString(16), issued.dnsNames(), issued.notAfter(),
                issued.certificateFile());
        return issued;
    }

    private Session session() {
        Session session = trust == null ? new Session(settings.directory())
                : new Session(settings.directory(), new TrustingProvider(trust));
        session.networkSettings().setTimeout(settings.networkTimeout());
        return session;
    }

    private static List<String> normalize(String name, List<String> domains) {
        if (domains == null || domains.isEmpty()) {
            throw new IllegalArgumentException("certificate " + name + ": no domains to issue for");
        }
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String d : domains) {
            if (d == null || d.isBlank() || d.indexOf('/') >= 0 || d.indexOf(':') >= 0) {
                throw new IllegalArgumentException("certificate " + name + ": '" + d + "' is not a domain name");
            }
            out.add(d.trim().toLowerCase(Locale.ROOT));
        }
        return List.copyOf(out);
    }

    private static AcmeIssuanceException failure(String name, Step step, String domain, String message, Exception e) {
        // acme4j wraps errors of lazily loaded resources (AcmeLazyLoadingException): look one level down
        Throwable t = e instanceof AcmeServerException ? e : e.getCause();
        if (t instanceof AcmeServerException server) {
            return new AcmeIssuanceException(name, step, domain, render(server.getProblem()), message, e);
        }
        return new AcmeIssuanceException(name, step, domain, null, message + ": " + causes(e), e);
    }

    /** "Network error (ConnectException: Connection refused)": acme4j's wrappers hide the reason. */
    private static String causes(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        String previous = null;
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            String one = c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
            if (!one.equals(previous)) {
                sb.append(" (").append(one).append(')');
            }
            previous = one;
        }
        return sb.toString();
    }

    /** A problem document as one line: type, detail, and each sub-problem's identifier and detail. */
    static String render(Problem p) {
        StringBuilder sb = new StringBuilder();
        sb.append(p.getType());
        p.getDetail().ifPresent(d -> sb.append(": ").append(d));
        for (Problem sub : p.getSubProblems()) {
            sb.append("; ");
            sub.getIdentifier().ifPresent(id -> sb.append(id.getValue()).append(": "));
            sb.append(sub.getType());
            sub.getDetail().ifPresent(d -> sb.append(": ").append(d));
        }
        return sb.toString();
    }

    /** An SSLContext whose only trust anchors are the certificates in {@code caFile}. */
    static SSLContext trustingOnly(Path caFile) {
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(caFile)) {
            certs = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("acme_ca_file " + caFile + ": no such file", e);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("acme_ca_file " + caFile + ": not PEM certificates (" + e.getMessage()
                    + ")", e);
        }
        if (certs.isEmpty()) {
            throw new IllegalArgumentException("acme_ca_file " + caFile + ": no certificate in the file");
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("acme_ca_file " + caFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * acme4j's generic provider (any http/https directory), with a connector whose
     * {@code java.net.http} clients use {@code trust} instead of the default SSLContext.
     */
    private static final class TrustingProvider extends GenericAcmeProvider {
        private final SSLContext trust;

        TrustingProvider(SSLContext trust) {
            this.trust = trust;
        }

        @Override
        protected HttpConnector createHttpConnector(NetworkSettings networkSettings) {
            return new HttpConnector(networkSettings) {
                @Override
                public HttpClient.Builder createClientBuilder() {
                    return super.createClientBuilder().sslContext(trust);
                }
            };
        }
    }
}
