package io.pingora4j.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateReloaderTest {

    static final TestPki CA = TestPki.create("reloader test ca");
    static final TestPki.Leaf OLD = CA.issue("a.example.com");
    static final TestPki.Leaf RENEWED = CA.issue("a.example.com");

    @TempDir
    Path dir;
    Path crt;
    Path key;
    CertificateStore store;
    CertificateReloader reloader;

    @BeforeEach
    void loadTheOldCertificate() {
        Path[] files = OLD.write(dir, "a");
        crt = files[0];
        key = files[1];
        store = new CertificateStore();
        reloader = new CertificateReloader(List.of(
                CertificateSource.of("a", crt.toString(), key.toString(), List.of(), true)), store);
        reloader.reload();
    }

    /** Rewrites a file and moves its mtime on, as a renewal would (no waiting for the clock to tick). */
    private static void rewrite(Path file, String text) throws Exception {
        FileTime before = Files.getLastModifiedTime(file);
        Files.writeString(file, text);
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 10_000));
    }

    @Test
    void theFirstReloadFillsTheStore() {
        assertEquals(OLD.certificate(), store.select("a.example.com").leaf());
    }

    @Test
    void nothingHasChangedRightAfterAReload() {
        assertFalse(reloader.changed());
    }

    @Test
    void aRenewedCertificateIsNoticedAndLoaded() throws Exception {
        rewrite(crt, RENEWED.chainPem());
        rewrite(key, RENEWED.keyPem());
        assertTrue(reloader.changed());
        reloader.reload();
        assertEquals(RENEWED.certificate(), store.select("a.example.com").leaf());
        assertFalse(reloader.changed());
    }

    @Test
    void aBrokenFileKeepsTheOldCertificateAndTheErrorNamesTheFile() throws Exception {
        rewrite(crt, "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
        assertTrue(reloader.changed());
        TlsConfigException e = assertThrows(TlsConfigException.class, reloader::reload);
        assertEquals(crt.toString(), e.source());
        assertTrue(e.reason().startsWith("malformed"), e.reason());
        assertEquals(OLD.certificate(), store.select("a.example.com").leaf());
    }

    @Test
    void aHalfRenewedPairKeepsTheOldCertificate() throws Exception {
        rewrite(crt, RENEWED.chainPem()); // the key not yet replaced
        TlsConfigException e = assertThrows(TlsConfigException.class, reloader::reload);
        assertEquals(key.toString(), e.source());
        assertTrue(e.reason().startsWith("key does not match the certificate in " + crt), e.reason());
        assertEquals(OLD.certificate(), store.select("a.example.com").leaf());
    }

    @Test
    void aDeletedFileIsAChangeAndItsReloadFailsNamingIt() throws Exception {
        Files.delete(key);
        assertTrue(reloader.changed());
        TlsConfigException e = assertThrows(TlsConfigException.class, reloader::reload);
        assertEquals(key + ": file missing", e.getMessage());
        assertEquals(OLD.certificate(), store.select("a.example.com").leaf());
    }

    @Test
    void aFailedReloadIsNotRetriedUntilTheFilesChangeAgain() throws Exception {
        Files.delete(key);
        assertThrows(TlsConfigException.class, reloader::reload);
        assertFalse(reloader.changed());
        Files.writeString(key, OLD.keyPem());
        assertTrue(reloader.changed());
        reloader.reload();
        assertEquals(OLD.certificate(), store.select("a.example.com").leaf());
    }

    @Test
    void inlinePemNeverCountsAsChanged() {
        CertificateReloader inline = new CertificateReloader(List.of(
                CertificateSource.of("a", OLD.chainPem(), OLD.keyPem(), List.of(), true)), new CertificateStore());
        inline.reload();
        assertFalse(inline.changed());
        assertEquals(OLD.certificate(), inline.store().select(null).leaf());
    }
}
