package io.pingora4j.tls.acme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.tls.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcmeStorageTest {

    private static final TestPki CA = TestPki.create("storage-test-ca");

    @TempDir
    Path dir;

    @Test
    void accountKeyIsCreatedOnceAndReusedAcrossRuns() throws IOException {
        KeyPair first = new AcmeStorage(dir).loadOrCreateAccountKey();
        KeyPair again = new AcmeStorage(dir).loadOrCreateAccountKey(); // a later run: a new instance
        assertArrayEquals(first.getPublic().getEncoded(), again.getPublic().getEncoded());
        assertArrayEquals(first.getPrivate().getEncoded(), again.getPrivate().getEncoded());
    }

    @Test
    void accountKeyIsAPemFileReadableByTheOwnerOnly() throws IOException {
        AcmeStorage storage = new AcmeStorage(dir);
        storage.loadOrCreateAccountKey();
        String pem = Files.readString(storage.accountKeyFile());
        assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----") && pem.contains("-----BEGIN PUBLIC KEY-----"), pem);
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(storage.accountKeyFile()));
    }

    @Test
    void garbageAccountKeyIsAnErrorNamingTheFile() throws IOException {
        AcmeStorage storage = new AcmeStorage(dir);
        Files.writeString(storage.accountKeyFile(), "not a key");
        IOException e = assertThrows(IOException.class, storage::loadOrCreateAccountKey);
        assertTrue(e.getMessage().contains(storage.accountKeyFile().toString()), e.getMessage());
    }

    @Test
    void writesTheChainLeafFirstAndAPkcs8Key() throws IOException {
        AcmeStorage storage = new AcmeStorage(dir);
        TestPki.Leaf leaf = CA.issue("site.example");
        IssuedCertificate written = storage.write("site", leaf.chain(), leaf.key());

        assertEquals(dir.resolve("site.crt"), written.certificateFile());
        assertEquals(dir.resolve("site.key"), written.keyFile());
        assertEquals(leaf.chainPem(), Files.readString(written.certificateFile()));
        assertTrue(Files.readString(written.keyFile()).startsWith("-----BEGIN PRIVATE KEY-----"));
    }

    @Test
    void readsBackWhatItWrote() throws IOException {
        AcmeStorage storage = new AcmeStorage(dir);
        TestPki.Leaf leaf = CA.issue("site.example");
        storage.write("site", leaf.chain(), leaf.key());

        IssuedCertificate read = new AcmeStorage(dir).read("site").orElseThrow();
        assertEquals(leaf.chain(), read.chain());
        assertEquals(List.of("site.example"), read.dnsNames());
    }

    @Test
    void nothingStoredReadsAsEmpty() throws IOException {
        assertEquals(Optional.empty(), new AcmeStorage(dir).read("site"));
    }

    @Test
    void keyOfAnotherCertificateIsAnErrorNamingTheKeyFile() throws IOException {
        AcmeStorage storage = new AcmeStorage(dir);
        CA.issue("site.example").write(dir, "site");
        Files.writeString(storage.keyFile("site"), CA.issue("site.example").keyPem());
        IOException e = assertThrows(IOException.class, () -> storage.read("site"));
        assertTrue(e.getMessage().contains(storage.keyFile("site").toString()), e.getMessage());
    }

    @Test
    void missingKeyFileIsAnErrorNamingIt() throws IOException {
        AcmeStorage storage = new AcmeStorage(dir);
        TestPki.Leaf leaf = CA.issue("site.example");
        storage.write("site", leaf.chain(), leaf.key());
        Files.delete(storage.keyFile("site"));
        IOException e = assertThrows(IOException.class, () -> storage.read("site"));
        assertTrue(e.getMessage().contains("site.key") && e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void rewritingReplacesBothFilesAndLeavesNoTemporaryFiles() throws IOException {
        AcmeStorage storage = new AcmeStorage(dir);
        TestPki.Leaf old = CA.issue("site.example");
        TestPki.Leaf fresh = CA.issue("site.example");
        storage.write("site", old.chain(), old.key());
        storage.write("site", fresh.chain(), fresh.key());

        assertEquals(fresh.chain(), storage.read("site").orElseThrow().chain());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(Set.of("site.crt", "site.key"),
                    files.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
        }
    }

    @Test
    void failedReplacementLeavesTheTargetAsItWasAndNoTemporaryFile() throws IOException {
        // the final rename fails: the target is a non-empty directory (permissions would not stop root)
        Path target = dir.resolve("site.crt");
        Files.createDirectory(target);
        Files.writeString(target.resolve("child"), "old");

        IOException e = assertThrows(IOException.class, () -> AcmeStorage.writeAtomically(target, "new", false));

        assertTrue(e.getMessage().contains(target.toString()), e.getMessage());
        assertEquals("old", Files.readString(target.resolve("child")));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("site.crt"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void rejectsNamesThatAreNotPlainFileNames() {
        AcmeStorage storage = new AcmeStorage(dir);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> storage.certificateFile("../etc/passwd"));
        assertTrue(e.getMessage().contains("../etc/passwd"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> storage.certificateFile("account"));
    }
}
