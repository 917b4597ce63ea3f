package io.pingora4j.tls.acme;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * The ACME storage directory: the account key pair ({@value #ACCOUNT_KEY_FILE}: PKCS#8 private key
 * then public key, PEM; created once and reused by every run so the CA keeps finding the same
 * account), and per certificate name {@code <name>.crt} (the chain as PEM, leaf first) and {@code
 * <name>.key} (the private key, PKCS#8 PEM).
 *
 * <p>Every file is written atomically: to a temporary file in the same directory, flushed to disk,
 * then renamed over the old one, so a reader sees the old file or the new one, never a torn one.
 * The key is written before the chain; should the process die between the two renames, {@link #read}
 * notices that the key does not match the certificate and the certificate is issued again. Keys are
 * created readable by the owner only.
 *
 * <p>Thread-safety: safe for concurrent use within one process. Two processes sharing a directory
 * might each create an account key the first time; one survives, the other's account is unused.
 */
public final class AcmeStorage {

    /** The account key pair's file name in the storage directory. */
    public static final String ACCOUNT_KEY_FILE = "account.key";

    /** Certificate names become file names: keep them to a safe alphabet. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final Path directory;
    private final Object accountKeyLock = new Object();

    public AcmeStorage(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
    }

    public Path directory() {
        return directory;
    }

    public Path accountKeyFile() {
        return directory.resolve(ACCOUNT_KEY_FILE);
    }

    /** {@code <name>.crt}: the chain, leaf first. */
    public Path certificateFile(String name) {
        return directory.resolve(checkName(name) + ".crt");
    }

    /** {@code <name>.key}: the certificate's private key, PKCS#8. */
    public Path keyFile(String name) {
        return directory.resolve(checkName(name) + ".key");
    }

    /**
     * The account key pair: read from {@value #ACCOUNT_KEY_FILE}, or created (EC P-256) and written
     * there the first time.
     *
     * @throws IOException if the file exists but cannot be read or holds no key pair (the message
     *     names the file), or the new one cannot be written
     */
    public KeyPair loadOrCreateAccountKey() throws IOException {
        synchronized (accountKeyLock) {
            Path file = accountKeyFile();
            String pem;
            try {
                pem = Files.readString(file, StandardCharsets.US_ASCII);
            } catch (NoSuchFileException e) {
                KeyPair created = newEcKeyPair();
                writeAtomically(file, pem(new JcaPKCS8Generator(created.getPrivate(), null)) + pem(created.getPublic()),
                        true);
                return created;
            }
            try {
                return readKeyPair(pem);
            } catch (IOException | RuntimeException e) {
                throw new IOException("ACME account key " + file + ": not a PEM key pair (" + e.getMessage() + ")", e);
            }
        }
    }

    /**
     * The stored certificate called {@code name}; empty when its {@code .crt} file does not exist.
     *
     * @throws IOException if the files exist but cannot be read or parsed, the key file is missing,
     *     or the key does not belong to the certificate; the message names the file and the reason
     */
    public Optional<IssuedCertificate> read(String name) throws IOException {
        Path crt = certificateFile(name);
        Path key = keyFile(name);
        if (!Files.exists(crt)) {
            return Optional.empty();
        }
        List<X509Certificate> chain = readChain(crt);
        PrivateKey privateKey = readPrivateKey(key);
        if (!matches(privateKey, chain.get(0))) {
            throw new IOException(key + ": private key does not belong to the certificate in " + crt);
        }
        return Optional.of(new IssuedCertificate(name, crt, key, chain));
    }

    /**
     * Writes {@code <name>.key} then {@code <name>.crt}, each atomically, and returns what was
     * written.
     */
    public IssuedCertificate write(String name, List<X509Certificate> chain, PrivateKey key) throws IOException {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("certificate " + name + ": empty chain");
        }
        if (!matches(key, chain.get(0))) {
            throw new IllegalArgumentException("certificate " + name + ": the key does not belong to the leaf");
        }
        Path crt = certificateFile(name);
        Path keyFile = keyFile(name);
        writeAtomically(keyFile, pem(new JcaPKCS8Generator(key, null)), true);
        StringBuilder chainPem = new StringBuilder();
        for (X509Certificate c : chain) {
            chainPem.append(pem(c));
        }
        writeAtomically(crt, chainPem.toString(), false);
        return new IssuedCertificate(name, crt, keyFile, chain);
    }

    /**
     * Replaces {@code target} with {@code content} atomically: a temporary file next to it is
     * written and forced to disk, then renamed over {@code target}. On failure the old file is left
     * as it was and the temporary file is deleted. {@code secret} files are readable by the owner
     * only; others also by group and world (where the file system has POSIX permissions).
     */
    static void writeAtomically(Path target, String content, boolean secret) throws IOException {
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp"); // owner-only on POSIX
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII));
                while (bytes.hasRemaining()) {
                    ch.write(bytes);
                }
                ch.force(true);
            }
            if (!secret && Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("cannot write " + target + ": " + e.getMessage(), e);
        }
        forceDirectory(dir);
    }

    /** Makes the rename itself durable; not every platform can open a directory, which is fine. */
    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort: Windows cannot open directories
        }
    }

    /**
     * A key pair from PEM: a PKCS#8 private key followed by its public key (what this class writes),
     * or an OpenSSL "EC/RSA PRIVATE KEY" block that carries both.
     */
    private static KeyPair readKeyPair(String pem) throws IOException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        PrivateKey privateKey = null;
        PublicKey publicKey = null;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair);
                } else if (o instanceof PrivateKeyInfo info) {
                    privateKey = converter.getPrivateKey(info);
                } else if (o instanceof SubjectPublicKeyInfo info) {
                    publicKey = converter.getPublicKey(info);
                }
            }
        }
        if (privateKey == null || publicKey == null) {
            throw new IOException("expected a PRIVATE KEY and a PUBLIC KEY block");
        }
        return new KeyPair(publicKey, privateKey);
    }

    private static List<X509Certificate> readChain(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                chain.add((X509Certificate) c);
            }
            if (chain.isEmpty()) {
                throw new IOException(file + ": no certificate in the file");
            }
            return chain;
        } catch (CertificateException e) {
            throw new IOException(file + ": not a PEM certificate chain (" + e.getMessage() + ")", e);
        }
    }

    private static PrivateKey readPrivateKey(Path file) throws IOException {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": key file missing", e);
        }
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (o instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            throw new IOException(file + ": no unencrypted private key in the file");
        } catch (PEMException e) {
            throw new IOException(file + ": not a PEM private key (" + e.getMessage() + ")", e);
        }
    }

    /** Whether {@code key} is the private half of the leaf's public key: sign and verify a nonce. */
    static boolean matches(PrivateKey key, X509Certificate leaf) {
        String alg = switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519" -> "Ed25519";
            default -> null;
        };
        if (alg == null) {
            return false;
        }
        // a leaf key of another algorithm fails initVerify: not a match either
        try {
            byte[] nonce = new byte[32];
            new SecureRandom().nextBytes(nonce);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(nonce);
            byte[] signature = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(leaf.getPublicKey());
            v.update(nonce);
            return v.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * A new EC P-256 key pair from the JDK's own provider (acme4j's {@code KeyPairUtils} would need
     * BouncyCastle registered JVM-wide).
     */
    static KeyPair newEcKeyPair() {
        try {
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
            kpg.initialize(new ECGenParameterSpec("secp256r1"));
            return kpg.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make EC P-256 keys", e);
        }
    }

    private static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("certificate name " + (name == null ? "null" : "'" + name + "'")
                    + ": use letters, digits, '.', '_' and '-' (it becomes a file name)");
        }
        if ((name + ".key").equals(ACCOUNT_KEY_FILE)) {
            throw new IllegalArgumentException("certificate name 'account' is reserved for the ACME account key");
        }
        return name;
    }

    private static String pem(Object o) {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sw.toString();
    }
}
