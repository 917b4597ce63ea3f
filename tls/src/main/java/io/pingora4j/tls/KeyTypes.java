package io.pingora4j.tls;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;

/** The key algorithms a server certificate may use, named as JSSE names them in key manager calls. */
final class KeyTypes {

    static final String RSA = "RSA";
    static final String EC = "EC";
    static final String EDDSA = "EdDSA";

    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyTypes() {
    }

    /** "RSA", "EC" or "EdDSA" (JSSE's keyType for Ed25519/Ed448), or null for anything else. */
    static String of(Key key) {
        return switch (key.getAlgorithm()) {
            case "RSA" -> RSA;
            case "EC", "ECDSA" -> EC;
            case "EdDSA", "Ed25519", "Ed448" -> EDDSA;
            default -> null;
        };
    }

    /** Whether {@code key} is the private half of {@code publicKey}: a nonce signed with one verifies with the other. */
    static boolean matches(PrivateKey key, PublicKey publicKey) {
        String type = of(key);
        if (type == null || !type.equals(of(publicKey))) {
            return false;
        }
        String alg = switch (type) {
            case RSA -> "SHA256withRSA";
            case EC -> "SHA256withECDSA";
            default -> "EdDSA";
        };
        try {
            byte[] nonce = new byte[32];
            RANDOM.nextBytes(nonce);
            Signature signer = Signature.getInstance(alg);
            signer.initSign(key);
            signer.update(nonce);
            byte[] sig = signer.sign();
            Signature verifier = Signature.getInstance(alg);
            verifier.initVerify(publicKey);
            verifier.update(nonce);
            return verifier.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            // e.g. an EC key on another curve than the certificate's: not a match
            return false;
        }
    }
}
