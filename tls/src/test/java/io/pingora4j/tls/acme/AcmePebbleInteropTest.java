package io.pingora4j.tls.acme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pingora4j.tls.acme.AcmeIssuanceException.Step;
import io.pingora4j.tls.acme.AcmeRenewer.ManagedCertificate;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issuance against a real Pebble: challenges answered by a JDK HttpServer from {@link
 * Http01Challenges}, as the server's plain listener will. Fails if pebble is not installed.
 */
@Tag("interop")
class AcmePebbleInteropTest {

    private static final String DOMAIN = "test.pingora4j.internal";

    private static Http01Challenges challenges;
    private static HttpServer challengeServer;
    private static PebbleHarness pebble;

    @TempDir
    Path storage;

    @BeforeAll
    static void startPebble() throws Exception {
        challenges = new Http01Challenges();
        challengeServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        challengeServer.createContext(Http01Challenges.PATH_PREFIX, AcmePebbleInteropTest::answer);
        challengeServer.start();
        pebble = PebbleHarness.start(challengeServer.getAddress().getPort());
    }

    @AfterAll
    static void stopPebble() {
        try {
            if (pebble != null) {
                System.out.println("---- Pebble and challtestsrv log ----");
                pebble.log().forEach(System.out::println);
                pebble.close();
            }
        } finally {
            challengeServer.stop(0);
        }
    }

    /** What the server's request filter does: 200 with the key authorization, or 404. */
    private static void answer(HttpExchange ex) throws IOException {
        Optional<String> keyAuthorization = challenges.lookup(ex.getRequestURI().getRawPath());
        byte[] body = keyAuthorization.orElse("no such challenge").getBytes(StandardCharsets.US_ASCII);
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.sendResponseHeaders(keyAuthorization.isPresent() ? 200 : 404, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private AcmeIssuer issuer(Http01Challenges answering) {
        AcmeSettings settings = AcmeSettings.defaults(storage).withDirectory(pebble.directory())
                .withCaFile(pebble.caFile()).withEmail("admin@example.com")
                .withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(10));
        return new AcmeIssuer(settings, answering);
    }

    @Test
    void issuesACertificateThatChainsToPebblesRootAndNamesTheDomain() throws Exception {
        IssuedCertificate issued = issuer(challenges).issue("site", List.of(DOMAIN));

        assertEquals(List.of(DOMAIN), issued.dnsNames());
        assertChainsTo(pebble.roots(), issued.chain());
        // what the server will load: the files, with the key matching the leaf
        IssuedCertificate onDisk = new AcmeStorage(storage).read("site").orElseThrow();
        assertEquals(issued.chain(), onDisk.chain());
        assertEquals(storage.resolve("site.crt"), onDisk.certificateFile());
        assertTrue(Files.readString(onDisk.keyFile()).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertEquals(0, challenges.size(), "challenge responses withdrawn after the order");
    }

    @Test
    void issuesAgainWithTheSameAccountKey() throws Exception {
        AcmeIssuer issuer = issuer(challenges);
        IssuedCertificate first = issuer.issue("site", List.of(DOMAIN));
        byte[] accountKey = Files.readAllBytes(issuer.storage().accountKeyFile());

        IssuedCertificate second = issuer(challenges).issue("site", List.of(DOMAIN, "www." + DOMAIN));

        assertArrayEquals(accountKey, Files.readAllBytes(issuer.storage().accountKeyFile()));
        assertFalse(first.certificate().getSerialNumber().equals(second.certificate().getSerialNumber()));
        assertEquals(Set.of(DOMAIN, "www." + DOMAIN), Set.copyOf(second.dnsNames()));
        assertEquals(second.chain(), issuer.storage().read("site").orElseThrow().chain());
    }

    @Test
    void failedValidationNamesTheDomainAndPebblesProblemAndStoresNothing() {
        // published where the challenge server does not look: Pebble gets a 404
        Http01Challenges unserved = new Http01Challenges();
        AcmeIssuer issuer = issuer(unserved);

        AcmeIssuanceException e = assertThrows(AcmeIssuanceException.class,
                () -> issuer.issue("broken", List.of("broken." + DOMAIN)));

        System.out.println("expected failure: " + e.getMessage());
        assertEquals(Step.CHALLENGE, e.step());
        assertEquals(Optional.of("broken." + DOMAIN), e.domain());
        assertTrue(e.problem().orElseThrow().contains("404"), e.getMessage());
        assertTrue(e.getMessage().contains("broken." + DOMAIN), e.getMessage());
        assertFalse(Files.exists(issuer.storage().certificateFile("broken")));
        assertEquals(0, unserved.size(), "challenge responses withdrawn after the failure");
    }

    @Test
    void renewerIssuesAMissingCertificateAndHandsItOver() throws Exception {
        CompletableFuture<IssuedCertificate> handedOver = new CompletableFuture<>();
        AcmeRenewer.Listener listener = new AcmeRenewer.Listener() {
            @Override
            public void issued(IssuedCertificate certificate) {
                handedOver.complete(certificate);
            }

            @Override
            public void failed(String name, Exception error, Duration retryIn) {
                handedOver.completeExceptionally(error);
            }
        };
        try (AcmeRenewer renewer = new AcmeRenewer(List.of(new ManagedCertificate("renewed", List.of(DOMAIN),
                AcmeRenewer.DEFAULT_RENEW_BEFORE, issuer(challenges))), listener)) {
            renewer.start();
            IssuedCertificate issued = handedOver.get(120, TimeUnit.SECONDS);
            assertEquals(storage.resolve("renewed.crt"), issued.certificateFile());
            assertChainsTo(pebble.roots(), issued.chain());
        }
    }

    private static void assertChainsTo(List<X509Certificate> roots, List<X509Certificate> chain) throws Exception {
        Set<TrustAnchor> anchors = roots.stream().map(r -> new TrustAnchor(r, null)).collect(Collectors.toSet());
        PKIXParameters params = new PKIXParameters(anchors);
        params.setRevocationEnabled(false);
        // validate the chain as served (leaf first); a root in it would be redundant but harmless
        List<X509Certificate> path = chain.stream().filter(c -> !roots.contains(c)).toList();
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path),
                params);
    }
}
