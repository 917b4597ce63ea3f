package io.pingora4j.tls.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.tls.acme.AcmeIssuanceException.Step;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The issuer's behaviour without a CA; issuance itself is {@link AcmePebbleInteropTest}. */
class AcmeIssuerTest {

    @TempDir
    Path dir;

    private AcmeSettings settings() {
        return AcmeSettings.defaults(dir.resolve("acme"));
    }

    @Test
    void defaultsToLetsEncryptProduction() {
        assertEquals(URI.create("https://acme-v02.api.letsencrypt.org/directory"), settings().directory());
    }

    @Test
    void missingCaFileIsAnErrorNamingIt() {
        Path missing = dir.resolve("nope.pem");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AcmeIssuer(settings().withCaFile(missing), new Http01Challenges()));
        assertTrue(e.getMessage().contains("acme_ca_file") && e.getMessage().contains(missing.toString()),
                e.getMessage());
    }

    @Test
    void caFileWithoutCertificatesIsAnErrorNamingIt() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "# nothing here\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AcmeIssuer(settings().withCaFile(empty), new Http01Challenges()));
        assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
    }

    @Test
    void rejectsAnEmailThatIsNotAnAddress() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings().withEmail("postmaster"));
        assertTrue(e.getMessage().contains("acme_email"), e.getMessage());
    }

    @Test
    void rejectsADirectoryThatIsNotAUrl() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings().withDirectory(URI.create("ftp://ca.example/dir")));
        assertTrue(e.getMessage().contains("acme_directory"), e.getMessage());
    }

    @Test
    void unreachableDirectoryFailsAtTheAccountStepAndWritesNoCertificate() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        AcmeIssuer issuer = new AcmeIssuer(settings()
                .withDirectory(URI.create("https://127.0.0.1:" + closedPort + "/dir"))
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5)),
                new Http01Challenges());

        AcmeIssuanceException e = assertThrows(AcmeIssuanceException.class,
                () -> issuer.issue("site", List.of("site.example")));

        assertEquals(Step.ACCOUNT, e.step());
        assertEquals("site", e.certificateName());
        assertTrue(e.getMessage().contains("127.0.0.1:" + closedPort), e.getMessage());
        assertFalse(Files.exists(issuer.storage().certificateFile("site")));
    }

    @Test
    void rejectsEmptyDomainsBeforeContactingTheCa() {
        AcmeIssuer issuer = new AcmeIssuer(settings(), new Http01Challenges());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> issuer.issue("site", List.of()));
        assertTrue(e.getMessage().contains("site"), e.getMessage());
    }
}
