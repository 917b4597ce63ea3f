package io.pingora4j.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.X509TrustedCertificateBlock;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads certificates and private keys from PEM (or, failing that, DER) with BouncyCastle's parser
 * and the JDK's key factories (BouncyCastle is not registered as a JCA provider).
 *
 * <p>Keys: PKCS#8 ("BEGIN PRIVATE KEY"), PKCS#1 RSA ("BEGIN RSA PRIVATE KEY") and SEC1 EC ("BEGIN
 * EC PRIVATE KEY", an "EC PARAMETERS" block before it is skipped), of type RSA, EC or Ed25519.
 * Encrypted keys are refused: the server has nowhere to get a passphrase from. Certificates are
 * returned in file order, which for a chain should be leaf first.
 *
 * <p>Stateless and thread-safe; the only I/O is reading the source file.
 */
public final class PemReader {

    /** Certificate and key files are small; anything bigger is a mistake (a log, a disk image). */
    static final long MAX_FILE_BYTES = 4L << 20;

    private PemReader() {
    }

    /**
     * The certificates in {@code source}, in order (a chain: leaf first).
     *
     * @throws TlsConfigException if the source is missing, unreadable or malformed, or holds no certificate
     */
    public static List<X509Certificate> readCertificates(PemSource source) {
        Contents c = read(source);
        if (c.certificates.isEmpty()) {
            throw new TlsConfigException(source.description(), "no certificate in it" + c.found());
        }
        return List.copyOf(c.certificates);
    }

    /**
     * The one private key in {@code source}.
     *
     * @throws TlsConfigException if the source is missing, unreadable or malformed, holds no key, more
     *         than one key, an encrypted key, or a key of a type other than RSA, EC or Ed25519
     */
    public static PrivateKey readPrivateKey(PemSource source) {
        Contents c = read(source);
        if (c.keys.isEmpty()) {
            if (c.encryptedKeys > 0) {
                throw new TlsConfigException(source.description(), "encrypted private key; the server needs it "
                        + "unencrypted (e.g. openssl pkey -in KEY -out KEY.plain)");
            }
            throw new TlsConfigException(source.description(), "no private key in it" + c.found());
        }
        if (c.keys.size() + c.encryptedKeys > 1) {
            throw new TlsConfigException(source.description(), "more than one private key in it");
        }
        PrivateKey key = c.keys.get(0);
        if (KeyTypes.of(key) == null) {
            throw new TlsConfigException(source.description(),
                    "unsupported key type " + key.getAlgorithm() + " (use RSA, EC or Ed25519)");
        }
        return key;
    }

    private static final class Contents {
        final List<X509Certificate> certificates = new ArrayList<>();
        final List<PrivateKey> keys = new ArrayList<>();
        int encryptedKeys;
        int others;

        /** What was found instead, for "no X in it" messages. */
        String found() {
            List<String> parts = new ArrayList<>();
            if (!certificates.isEmpty()) {
                parts.add(certificates.size() + (certificates.size() == 1 ? " certificate" : " certificates"));
            }
            if (!keys.isEmpty()) {
                parts.add(keys.size() + (keys.size() == 1 ? " private key" : " private keys"));
            }
            if (encryptedKeys > 0) {
                parts.add(encryptedKeys + " encrypted private key");
            }
            if (others > 0) {
                parts.add(others + " other PEM block" + (others == 1 ? "" : "s"));
            }
            return parts.isEmpty() ? " (no PEM blocks)" : " (found " + String.join(", ", parts) + ")";
        }
    }

    private static Contents read(PemSource source) {
        byte[] bytes = source.isFile() ? readFile(source.path(), source.description())
                : source.inlineText().getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0) {
            throw new TlsConfigException(source.description(), "empty");
        }
        if (containsPemBoundary(bytes)) {
            return parsePem(bytes, source.description());
        }
        if ((bytes[0] & 0xff) == 0x30) { // an ASN.1 SEQUENCE: a DER certificate or PKCS#8 key
            return parseDer(bytes, source.description());
        }
        throw new TlsConfigException(source.description(), "malformed: neither PEM (no '-----BEGIN' line) nor DER");
    }

    private static byte[] readFile(Path path, String where) {
        try {
            if (Files.isDirectory(path)) {
                throw new TlsConfigException(where, "is a directory, not a file");
            }
            long size = Files.size(path);
            if (size > MAX_FILE_BYTES) {
                throw new TlsConfigException(where, "too large for a certificate or key (" + size + " bytes)");
            }
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new TlsConfigException(where, "file missing", e);
        } catch (AccessDeniedException e) {
            throw new TlsConfigException(where, "unreadable: permission denied", e);
        } catch (IOException e) {
            throw new TlsConfigException(where, "unreadable: " + e, e);
        }
    }

    private static boolean containsPemBoundary(byte[] bytes) {
        byte[] marker = "-----BEGIN".getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + marker.length <= bytes.length; i++) {
            for (int j = 0; j < marker.length; j++) {
                if (bytes[i + j] != marker[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static Contents parsePem(byte[] bytes, String where) {
        Contents c = new Contents();
        JcaPEMKeyConverter keys = new JcaPEMKeyConverter();
        JcaX509CertificateConverter certs = new JcaX509CertificateConverter();
        int block = 0;
        try (Reader r = new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(r)) {
            Object o;
            while ((o = readObject(parser, where, block + 1)) != null) {
                block++; // 1-based number of the block being converted, for errors
                if (o instanceof X509CertificateHolder h) {
                    c.certificates.add(certs.getCertificate(h));
                } else if (o instanceof X509TrustedCertificateBlock t) {
                    c.certificates.add(certs.getCertificate(t.getCertificateHolder()));
                } else if (o instanceof PEMKeyPair kp) { // PKCS#1 RSA or SEC1 EC
                    // Only the private half: SEC1's public key field is optional, and may be absent.
                    c.keys.add(keys.getPrivateKey(kp.getPrivateKeyInfo()));
                } else if (o instanceof PrivateKeyInfo pki) { // PKCS#8
                    c.keys.add(keys.getPrivateKey(pki));
                } else if (o instanceof PKCS8EncryptedPrivateKeyInfo || o instanceof PEMEncryptedKeyPair) {
                    c.encryptedKeys++;
                } else if (o instanceof ASN1ObjectIdentifier || o instanceof X9ECParameters) {
                    // "EC PARAMETERS", which openssl ecparam -genkey writes before the key: the key repeats them.
                } else if (o instanceof SubjectPublicKeyInfo) {
                    c.others++;
                } else {
                    c.others++;
                }
            }
        } catch (TlsConfigException e) {
            throw e;
        } catch (CertificateException e) {
            throw new TlsConfigException(where, "malformed certificate in PEM block " + block + ": "
                    + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new TlsConfigException(where, "malformed key in PEM block " + block + ": " + e.getMessage(), e);
        }
        return c;
    }

    private static Object readObject(PEMParser parser, String where, int block) {
        try {
            return parser.readObject();
        } catch (IOException | RuntimeException e) {
            // BouncyCastle reports bad base64, a missing END line or undecodable ASN.1 here.
            throw new TlsConfigException(where, "malformed PEM in block " + block + ": " + e.getMessage(), e);
        }
    }

    private static Contents parseDer(byte[] bytes, String where) {
        Contents c = new Contents();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (var cert : cf.generateCertificates(new ByteArrayInputStream(bytes))) {
                c.certificates.add((X509Certificate) cert);
            }
            return c;
        } catch (CertificateException | RuntimeException notACertificate) {
            // fall through: perhaps a PKCS#8 key
        }
        try {
            PrivateKeyInfo pki = PrivateKeyInfo.getInstance(bytes);
            c.keys.add(new JcaPEMKeyConverter().getPrivateKey(pki));
            return c;
        } catch (IOException | RuntimeException e) {
            throw new TlsConfigException(where, "malformed DER: neither an X.509 certificate nor a PKCS#8 key", e);
        }
    }
}
