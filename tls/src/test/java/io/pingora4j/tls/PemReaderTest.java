package io.pingora4j.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemReaderTest {

    static final TestPki CA = TestPki.create("pem test ca");
    static final TestPki.Leaf EC_LEAF = CA.issue("a.example.com");
    static final TestPki.Leaf RSA_LEAF = CA.issue("RSA", java.time.Instant.now().minusSeconds(60),
            java.time.Instant.now().plusSeconds(86_400), "rsa.example.com");

    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
    }

    private static String pem(String type, byte[] der) throws Exception {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(new PemObject(type, der));
        }
        return sw.toString();
    }

    private static TlsConfigException configError(Runnable r) {
        return assertThrows(TlsConfigException.class, r::run);
    }

    @Test
    void readsAPkcs8Key() {
        PrivateKey k = PemReader.readPrivateKey(PemSource.inline(EC_LEAF.keyPem(), "t"));
        assertTrue(EC_LEAF.keyPem().contains("BEGIN PRIVATE KEY"));
        assertEquals("EC", k.getAlgorithm());
        assertTrue(KeyTypes.matches(k, EC_LEAF.certificate().getPublicKey()));
    }

    @Test
    void readsAPkcs1RsaKey() {
        String pkcs1 = RSA_LEAF.keyPemTraditional();
        assertTrue(pkcs1.contains("BEGIN RSA PRIVATE KEY"), pkcs1);
        PrivateKey k = PemReader.readPrivateKey(PemSource.inline(pkcs1, "t"));
        assertEquals("RSA", k.getAlgorithm());
        assertTrue(KeyTypes.matches(k, RSA_LEAF.certificate().getPublicKey()));
    }

    @Test
    void readsASec1EcKey() {
        String sec1 = EC_LEAF.keyPemTraditional();
        assertTrue(sec1.contains("BEGIN EC PRIVATE KEY"), sec1);
        PrivateKey k = PemReader.readPrivateKey(PemSource.inline(sec1, "t"));
        assertTrue(KeyTypes.matches(k, EC_LEAF.certificate().getPublicKey()));
    }

    @Test
    void readsASec1EcKeyPrecededByEcParameters() throws Exception {
        // what `openssl ecparam -name prime256v1 -genkey` writes
        String params = pem("EC PARAMETERS", SECObjectIdentifiers.secp256r1.getEncoded());
        PrivateKey k = PemReader.readPrivateKey(PemSource.inline(params + EC_LEAF.keyPemTraditional(), "t"));
        assertTrue(KeyTypes.matches(k, EC_LEAF.certificate().getPublicKey()));
    }

    @Test
    void readsAKeyFromAFileHoldingTheChainToo() throws Exception {
        Path both = write("both.pem", EC_LEAF.chainPem() + EC_LEAF.keyPem());
        PrivateKey k = PemReader.readPrivateKey(PemSource.file(both));
        assertTrue(KeyTypes.matches(k, EC_LEAF.certificate().getPublicKey()));
    }

    @Test
    void readsAChainInFileOrder() throws Exception {
        Path crt = write("chain.crt", EC_LEAF.chainPem());
        List<X509Certificate> chain = PemReader.readCertificates(PemSource.file(crt));
        assertEquals(EC_LEAF.chain(), chain);
        assertEquals(CA.certificate(), chain.get(1));
    }

    @Test
    void readsADerCertificate() throws Exception {
        Path der = Files.write(dir.resolve("leaf.der"), EC_LEAF.certificate().getEncoded());
        assertEquals(List.of(EC_LEAF.certificate()), PemReader.readCertificates(PemSource.file(der)));
    }

    @Test
    void readsADerPkcs8Key() throws Exception {
        Path der = Files.write(dir.resolve("leaf.key.der"), EC_LEAF.key().getEncoded());
        assertTrue(KeyTypes.matches(PemReader.readPrivateKey(PemSource.file(der)),
                EC_LEAF.certificate().getPublicKey()));
    }

    @Test
    void aMissingFileIsNamedAsMissing() {
        Path missing = dir.resolve("nope.crt");
        TlsConfigException e = configError(() -> PemReader.readCertificates(PemSource.file(missing)));
        assertEquals(missing.toString(), e.source());
        assertEquals(missing + ": file missing", e.getMessage());
    }

    @Test
    void aDirectoryIsRefused() {
        TlsConfigException e = configError(() -> PemReader.readCertificates(PemSource.file(dir)));
        assertTrue(e.getMessage().startsWith(dir + ": is a directory"), e.getMessage());
    }

    @Test
    void garbageIsNeitherPemNorDer() throws Exception {
        Path junk = write("junk.crt", "hello, I am not a certificate\n");
        TlsConfigException e = configError(() -> PemReader.readCertificates(PemSource.file(junk)));
        assertEquals(junk + ": malformed: neither PEM (no '-----BEGIN' line) nor DER", e.getMessage());
    }

    @Test
    void anEmptyFileIsRefused() throws Exception {
        Path empty = write("empty.crt", "");
        assertEquals(empty + ": empty", configError(() -> PemReader.readCertificates(PemSource.file(empty)))
                .getMessage());
    }

    @Test
    void corruptBase64IsMalformedPem() throws Exception {
        Path bad = write("bad.crt", "-----BEGIN CERTIFICATE-----\nMIIB!!!not base64!!!\n-----END CERTIFICATE-----\n");
        TlsConfigException e = configError(() -> PemReader.readCertificates(PemSource.file(bad)));
        assertTrue(e.getMessage().startsWith(bad + ": malformed"), e.getMessage());
    }

    @Test
    void aMissingEndLineIsMalformedPem() throws Exception {
        String truncated = EC_LEAF.chainPem().substring(0, 200);
        Path bad = write("truncated.crt", truncated);
        TlsConfigException e = configError(() -> PemReader.readCertificates(PemSource.file(bad)));
        assertTrue(e.getMessage().startsWith(bad + ": malformed PEM in block 1"), e.getMessage());
    }

    @Test
    void aCertificateOnlyFileGivenAsTheKeyHasNoKeyInIt() throws Exception {
        Path crt = write("a.crt", EC_LEAF.chainPem());
        TlsConfigException e = configError(() -> PemReader.readPrivateKey(PemSource.file(crt)));
        assertEquals(crt + ": no private key in it (found 2 certificates)", e.getMessage());
    }

    @Test
    void aKeyFileGivenAsTheCertificateHasNoCertificateInIt() {
        TlsConfigException e = configError(() -> PemReader.readCertificates(
                PemSource.of(EC_LEAF.keyPem(), "certificates.api (tls_cert)")));
        assertEquals("inline PEM in certificates.api (tls_cert): no certificate in it (found 1 private key)",
                e.getMessage());
    }

    @Test
    void anEncryptedKeyIsRefusedAsEncrypted() throws Exception {
        var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(org.bouncycastle.asn1.nist.NISTObjectIdentifiers.id_aes256_CBC)
                .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                .setPassword("secret".toCharArray()).build();
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(new JcaPKCS8Generator(EC_LEAF.key(), encryptor));
        }
        Path key = write("enc.key", sw.toString());
        TlsConfigException e = configError(() -> PemReader.readPrivateKey(PemSource.file(key)));
        assertTrue(e.getMessage().startsWith(key + ": encrypted private key"), e.getMessage());
    }

    @Test
    void aDsaKeyIsAnUnsupportedKeyType() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("DSA");
        g.initialize(2048);
        String dsa = pem("PRIVATE KEY", g.generateKeyPair().getPrivate().getEncoded());
        TlsConfigException e = configError(() -> PemReader.readPrivateKey(PemSource.inline(dsa, "certificates.x (tls_key)")));
        assertEquals("inline PEM in certificates.x (tls_key): unsupported key type DSA (use RSA, EC or Ed25519)",
                e.getMessage());
    }

    @Test
    void readsAnEd25519Pkcs8Key() throws Exception {
        java.security.KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        PrivateKey k = PemReader.readPrivateKey(PemSource.inline(pem("PRIVATE KEY", kp.getPrivate().getEncoded()), "t"));
        assertEquals("EdDSA", KeyTypes.of(k));
        assertTrue(KeyTypes.matches(k, kp.getPublic()));
    }

    @Test
    void twoKeysInOneFileAreRefused() throws Exception {
        Path key = write("two.key", EC_LEAF.keyPem() + RSA_LEAF.keyPem());
        assertEquals(key + ": more than one private key in it",
                configError(() -> PemReader.readPrivateKey(PemSource.file(key))).getMessage());
    }

    @Test
    void aValueWithABeginLineIsInlinePemAndAnythingElseAPath() {
        assertTrue(!PemSource.of(EC_LEAF.keyPem(), "k").isFile());
        PemSource file = PemSource.of(" /etc/ssl/a.key ", "k");
        assertEquals(Path.of("/etc/ssl/a.key"), file.path());
        assertEquals("k", configError(() -> PemSource.of("  ", "k")).source());
    }
}
