package io.pingora4j.server.plugins.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;

/**
 * How a token's signature is checked: an HMAC secret, a static public key, or a remote JWK set.
 * The accepted algorithm is pinned by the configuration (or, for a JWK set, by the key), never
 * taken from the token alone, so a token cannot pick a weaker check (no "none", no HMAC keyed with
 * a public key). Immutable; thread-safe (nimbus verifiers are).
 */
final class Verification {

    private final JWSAlgorithm pinned;
    private final JWSVerifier verifier;
    private final boolean anyHmac;
    private final Jwks jwks;

    private Verification(JWSAlgorithm pinned, JWSVerifier verifier, boolean anyHmac, Jwks jwks) {
        this.pinned = pinned;
        this.verifier = verifier;
        this.anyHmac = anyHmac;
        this.jwks = jwks;
    }

    /** HMAC with {@code secret}; {@code pinned} null accepts HS256, HS384 and HS512. */
    static Verification hmac(JWSAlgorithm pinned, byte[] secret) {
        try {
            return new Verification(pinned, new MACVerifier(secret), pinned == null, null);
        } catch (JOSEException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    static Verification publicKey(JWSAlgorithm algorithm, PublicKey key) {
        JWSVerifier v;
        try {
            v = JwtFilterFactory.RSA.contains(algorithm) ? new RSASSAVerifier((RSAPublicKey) key)
                    : new ECDSAVerifier((ECPublicKey) key);
        } catch (JOSEException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return new Verification(algorithm, v, false, null);
    }

    static Verification jwks(Jwks jwks) {
        return new Verification(null, null, false, jwks);
    }

    /** The remote key set, or null for the other two kinds. */
    Jwks jwks() {
        return jwks;
    }

    /**
     * The verifier for a token with this header, or null when its algorithm is not the accepted
     * one (or, with a key set, no asymmetric key of its {@code kid} fits it).
     */
    JWSVerifier verifierFor(JWSHeader header, JWKSet keys) {
        JWSAlgorithm alg = header.getAlgorithm();
        if (jwks == null) {
            boolean ok = anyHmac ? JwtFilterFactory.HMAC.contains(alg) : alg.equals(pinned);
            return ok ? verifier : null;
        }
        if (keys == null || header.getKeyID() == null) {
            return null;
        }
        JWK key = keys.getKeyByKeyId(header.getKeyID());
        if (key == null || (key.getAlgorithm() != null && !key.getAlgorithm().getName().equals(alg.getName()))) {
            return null;
        }
        try {
            if (key instanceof RSAKey rsa && JwtFilterFactory.RSA.contains(alg)) {
                return new RSASSAVerifier(rsa);
            }
            if (key instanceof ECKey ec && JwtFilterFactory.EC.contains(alg)
                    && ECDSAVerifier.SUPPORTED_ALGORITHMS.contains(alg)) {
                ECDSAVerifier v = new ECDSAVerifier(ec);
                return v.supportedJWSAlgorithms().contains(alg) ? v : null;
            }
        } catch (JOSEException e) {
            return null; // a key the set holds but nimbus cannot use: treat as no key
        }
        return null; // symmetric keys in a remote set are never used
    }
}
