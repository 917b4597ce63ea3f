package io.pingora4j.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority for tests: a CA and the leaf certificates it issues, as Java
 * objects, SSLContexts or PEM files. Shared with other modules' tests through the tls test-jar.
 */
public final class TestPki {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final String name;
    private final KeyPair keys;
    private final X509Certificate certificate;

    private TestPki(String name, KeyPair keys, X509Certificate certificate) {
        this.name = name;
        this.keys = keys;
        this.certificate = certificate;
    }

    /** A new self-signed CA with an EC P-256 key. */
    public static TestPki create(String name) {
        KeyPair keys = generate("EC");
        X500Name subject = new X500Name("CN=" + name);
        X509Certificate cert = sign(subject, subject, keys.getPublic(), keys.getPrivate(),
                Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(30)), true, List.of());
        return new TestPki(name, keys, cert);
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** A leaf for {@code names} (DNS names, or IP literals), valid for 30 days, with an EC key. */
    public Leaf issue(String... names) {
        return issue("EC", Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(30)), names);
    }

    /** A leaf with a key of {@code algorithm} ("EC" or "RSA") and the given validity. */
    public Leaf issue(String algorithm, Instant notBefore, Instant notAfter, String... names) {
        KeyPair leafKeys = generate(algorithm);
        X509Certificate cert = sign(new X500Name("CN=" + name), new X500Name("CN=" + names[0]), leafKeys.getPublic(),
                keys.getPrivate(), notBefore, notAfter, false, List.of(names));
        return new Leaf(List.of(cert, certificate), leafKeys.getPrivate());
    }

    /** The CA certificate as PEM. */
    public String certificatePem() {
        return pem(certificate);
    }

    /** A client or server context that trusts this CA (and nothing else), with no key of its own. */
    public SSLContext trustingContext() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, trustManagers().getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public TrustManagerFactory trustManagers() {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("ca", certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return tmf;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A certificate chain (leaf first) and its private key. */
    public record Leaf(List<X509Certificate> chain, PrivateKey key) {

        public X509Certificate certificate() {
            return chain.get(0);
        }

        /** The chain as PEM, leaf first. */
        public String chainPem() {
            StringBuilder sb = new StringBuilder();
            for (X509Certificate c : chain) {
                sb.append(pem(c));
            }
            return sb.toString();
        }

        /** The key as PKCS#8 PEM ("BEGIN PRIVATE KEY"). */
        public String keyPem() {
            return pem(key);
        }

        /**
         * The key in OpenSSL's traditional form: PKCS#1 ("BEGIN RSA PRIVATE KEY") for RSA, SEC1
         * ("BEGIN EC PRIVATE KEY") for EC.
         */
        public String keyPemTraditional() {
            StringWriter sw = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
                if (key instanceof java.security.interfaces.ECPrivateKey ec) {
                    // As openssl writes it: with the curve and the public key, which the JDK's
                    // PKCS#8 encoding (and so BouncyCastle's conversion of it) leaves out.
                    var spki = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(
                            certificate().getPublicKey().getEncoded());
                    var sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(ec.getParams().getOrder().bitLength(),
                            ec.getS(), spki.getPublicKeyData(), spki.getAlgorithm().getParameters());
                    w.writeObject(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", sec1.getEncoded()));
                } else {
                    w.writeObject(key);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return sw.toString();
        }

        /** Writes {@code <base>.crt} (chain) and {@code <base>.key} (PKCS#8) into {@code dir}; returns {crt, key}. */
        public Path[] write(Path dir, String base) {
            try {
                Path crt = Files.writeString(dir.resolve(base + ".crt"), chainPem(), StandardCharsets.US_ASCII);
                Path k = Files.writeString(dir.resolve(base + ".key"), keyPem(), StandardCharsets.US_ASCII);
                return new Path[] {crt, k};
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** A server (or client) context presenting this certificate, trusting nothing in particular. */
        public SSLContext context(TrustManagerFactory trust) {
            try {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("leaf", key, new char[0], chain.toArray(new X509Certificate[0]));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, new char[0]);
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(kmf.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
                return ctx;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static KeyPair generate(String algorithm) {
        try {
            KeyPairGenerator kpg = KeyPairGenerator.getInstance(algorithm);
            kpg.initialize("EC".equals(algorithm) ? 256 : 2048);
            return kpg.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(X500Name issuer, X500Name subject, java.security.PublicKey publicKey,
            PrivateKey issuerKey, Instant notBefore, Instant notAfter, boolean ca, List<String> names) {
        try {
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), subject,
                    publicKey);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (ca) {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                b.addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
                List<GeneralName> sans = new ArrayList<>();
                for (String n : names) {
                    boolean ip = n.indexOf(':') >= 0 || n.chars().allMatch(ch -> ch == '.' || Character.isDigit(ch));
                    sans.add(ip ? new GeneralName(GeneralName.iPAddress, InetAddress.getByName(n).getHostAddress())
                            : new GeneralName(GeneralName.dNSName, n));
                }
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(sans.toArray(new GeneralName[0])));
            }
            String alg = "EC".equals(issuerKey.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(issuerKey)));
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign a test certificate", e);
        }
    }

    static String pem(Object o) {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o instanceof PrivateKey k ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null) : o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sw.toString();
    }
}
