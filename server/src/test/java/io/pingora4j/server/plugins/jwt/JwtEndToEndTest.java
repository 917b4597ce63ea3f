package io.pingora4j.server.plugins.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.pingora4j.server.PluginServer;
import io.pingora4j.server.RawHttp;
import io.pingora4j.server.RecordingOrigin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jwt} through the real server: HMAC, static RSA and EC keys, a remote JWK set, minting. */
class JwtEndToEndTest {

    static final String SECRET = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path tmp;
    private RecordingOrigin origin;
    private PluginServer proxy;

    private void start(String keys) throws IOException {
        origin = RecordingOrigin.start();
        proxy = PluginServer.startWith(origin, "jwt", keys);
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    static String sign(JWSAlgorithm alg, JWSSigner signer, String kid, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    static JWTClaimsSet claims(long expOffsetSeconds) {
        return new JWTClaimsSet.Builder().subject("u-1")
                .expirationTime(new Date(System.currentTimeMillis() + expOffsetSeconds * 1000)).build();
    }

    private static String pem(java.security.PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----";
    }

    private int status(String token) throws IOException {
        return RawHttp.get(proxy.port(), "/api", "Authorization: Bearer " + token).status();
    }

    @Test
    void aValidHmacTokenGoesUpstream() throws Exception {
        start("header = \"Authorization\"\nsecret = \"" + SECRET + "\"");

        RawHttp.Response r = RawHttp.get(proxy.port(), "/api", "Authorization: Bearer "
                + sign(JWSAlgorithm.HS256, new MACSigner(SECRET), null, claims(60)));

        assertEquals(200, r.status());
        assertEquals(1, origin.seen().size());
    }

    @Test
    void theRefusalsSayWhatWasWrong() throws Exception {
        start("header = \"Authorization\"\nsecret = \"" + SECRET + "\"\nleeway = \"0s\"");
        String otherKey = sign(JWSAlgorithm.HS256, new MACSigner("another secret of thirty-two byte"), null, claims(60));

        RawHttp.Response missing = RawHttp.get(proxy.port(), "/api");
        RawHttp.Response format = RawHttp.get(proxy.port(), "/api", "Authorization: Bearer abc.def");
        RawHttp.Response invalid = RawHttp.get(proxy.port(), "/api", "Authorization: Bearer " + otherKey);
        RawHttp.Response expired = RawHttp.get(proxy.port(), "/api", "Authorization: Bearer "
                + sign(JWSAlgorithm.HS256, new MACSigner(SECRET), null, claims(-5)));

        assertEquals(401, missing.status());
        assertEquals("Jwt authorization is missing", missing.body());
        assertEquals("Jwt authorization format is invalid", format.body());
        assertEquals("Jwt authorization is invalid", invalid.body());
        assertEquals("Jwt authorization is expired", expired.body());
        assertEquals("Bearer", expired.header("WWW-Authenticate"));
        assertTrue(origin.seen().isEmpty());
    }

    @Test
    void theLeewayForgivesARecentExpiryAndANearNotBefore() throws Exception {
        start("header = \"Authorization\"\nsecret = \"" + SECRET + "\"\nleeway = \"30s\"");
        JWTClaimsSet early = new JWTClaimsSet.Builder().notBeforeTime(new Date(System.currentTimeMillis() + 10_000)).build();
        JWTClaimsSet tooEarly = new JWTClaimsSet.Builder().notBeforeTime(new Date(System.currentTimeMillis() + 120_000)).build();

        assertEquals(200, status(sign(JWSAlgorithm.HS256, new MACSigner(SECRET), null, claims(-10))));
        assertEquals(200, status(sign(JWSAlgorithm.HS256, new MACSigner(SECRET), null, early)));
        RawHttp.Response r = RawHttp.get(proxy.port(), "/api", "Authorization: Bearer "
                + sign(JWSAlgorithm.HS256, new MACSigner(SECRET), null, tooEarly));
        assertEquals("Jwt authorization is not yet valid", r.body());
    }

    @Test
    void aPinnedAlgorithmRefusesTokensOfAnotherOneAndNone() throws Exception {
        String secret64 = SECRET + SECRET;
        start("header = \"Authorization\"\nsecret = \"" + secret64 + "\"\nalgorithm = \"HS512\"");
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
                + "." + Base64.getUrlEncoder().withoutPadding().encodeToString("{\"sub\":\"x\"}".getBytes(StandardCharsets.UTF_8)) + ".";

        assertEquals(200, status(sign(JWSAlgorithm.HS512, new MACSigner(secret64), null, claims(60))));
        assertEquals(401, status(sign(JWSAlgorithm.HS256, new MACSigner(secret64), null, claims(60))));
        assertEquals(401, status(none));
    }

    @Test
    void withoutAPinnedAlgorithmEveryHmacTheSecretAllowsIsAccepted() throws Exception {
        String secret64 = SECRET + SECRET;
        start("header = \"Authorization\"\nsecret = \"" + secret64 + "\"");

        assertEquals(200, status(sign(JWSAlgorithm.HS256, new MACSigner(secret64), null, claims(60))));
        assertEquals(200, status(sign(JWSAlgorithm.HS512, new MACSigner(secret64), null, claims(60))));
    }

    @Test
    void rs256WithAStaticPublicKeyAndTheTokenFromACookie() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair kp = g.generateKeyPair();
        start("cookie = \"jwt\"\nalgorithm = \"RS256\"\npublic_key = \"\"\"\n" + pem(kp.getPublic()) + "\n\"\"\"");

        String good = sign(JWSAlgorithm.RS256, new RSASSASigner(kp.getPrivate()), null, claims(60));
        KeyPair other = g.generateKeyPair();
        String bad = sign(JWSAlgorithm.RS256, new RSASSASigner(other.getPrivate()), null, claims(60));
        String confused = sign(JWSAlgorithm.HS256, new MACSigner(kp.getPublic().getEncoded()), null, claims(60));

        assertEquals(200, RawHttp.get(proxy.port(), "/", "Cookie: a=b; jwt=" + good).status());
        assertEquals(401, RawHttp.get(proxy.port(), "/", "Cookie: jwt=" + bad).status());
        assertEquals(401, RawHttp.get(proxy.port(), "/", "Cookie: jwt=" + confused).status(),
                "an HMAC token keyed with the public key is refused (no algorithm confusion)");
    }

    @Test
    void es256WithAStaticPublicKeyAndTheTokenFromTheQuery() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        start("query = \"token\"\nalgorithm = \"ES256\"\npublic_key = \"\"\"\n" + pem(kp.getPublic()) + "\n\"\"\"");

        String good = sign(JWSAlgorithm.ES256, new ECDSASigner((ECPrivateKey) kp.getPrivate()), null, claims(60));

        assertEquals(200, RawHttp.get(proxy.port(), "/?token=" + good).status());
        assertEquals(401, RawHttp.get(proxy.port(), "/?token=" + good.substring(0, good.length() - 4) + "AAAA").status());
    }

    @Test
    void aRemoteKeySetIsFetchedOnceAndSelectsTheKeyByKid() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair kp = g.generateKeyPair();
        RSAKey jwk = new RSAKey.Builder((RSAPublicKey) kp.getPublic()).keyID("k1").algorithm(JWSAlgorithm.RS256).build();
        try (RecordingOrigin idp = RecordingOrigin.start()) {
            idp.answer("/jwks", 200, Map.of("Content-Type", "application/json"),
                    new JWKSet(jwk).toString().getBytes(StandardCharsets.UTF_8));
            start("header = \"Authorization\"\njwks_url = \"http://" + idp.addr() + "/jwks\"");

            String good = sign(JWSAlgorithm.RS256, new RSASSASigner(kp.getPrivate()), "k1", claims(60));
            String unknownKid = sign(JWSAlgorithm.RS256, new RSASSASigner(kp.getPrivate()), "k2", claims(60));

            assertEquals(200, status(good));
            assertEquals(200, status(good));
            assertEquals(401, status(unknownKid));
            assertEquals(1, idp.seen().size(), "the set is kept for jwks_ttl");
        }
    }

    @Test
    void aRememberedTokenIsRefusedOnceARefreshedKeySetNoLongerHoldsItsKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair old = g.generateKeyPair();
        KeyPair next = g.generateKeyPair();
        RSAKey k1 = new RSAKey.Builder((RSAPublicKey) old.getPublic()).keyID("k1").algorithm(JWSAlgorithm.RS256).build();
        RSAKey k2 = new RSAKey.Builder((RSAPublicKey) next.getPublic()).keyID("k2").algorithm(JWSAlgorithm.RS256).build();
        try (RecordingOrigin idp = RecordingOrigin.start()) {
            idp.answer("/jwks", 200, Map.of("Content-Type", "application/json"),
                    new JWKSet(k1).toString().getBytes(StandardCharsets.UTF_8));
            start("header = \"Authorization\"\njwks_url = \"http://" + idp.addr() + "/jwks\"\njwks_ttl = \"1s\"");
            String signedByK1 = sign(JWSAlgorithm.RS256, new RSASSASigner(old.getPrivate()), "k1", claims(60));
            assertEquals(200, status(signedByK1));
            assertEquals(200, status(signedByK1)); // remembered

            idp.answer("/jwks", 200, Map.of("Content-Type", "application/json"),
                    new JWKSet(k2).toString().getBytes(StandardCharsets.UTF_8)); // k1 rotated out

            long deadline = System.nanoTime() + 15_000_000_000L; // jwks_ttl 1 s, then one fetch
            while (status(signedByK1) != 401) {
                assertTrue(System.nanoTime() < deadline, "the refreshed set (without k1) still let the remembered token in");
                LockSupport.parkNanos(50_000_000);
            }
            assertEquals(200, status(sign(JWSAlgorithm.RS256, new RSASSASigner(next.getPrivate()), "k2", claims(60))));
        }
    }

    @Test
    void theAuthPathSignsTheOriginsClaimsIntoAToken() throws Exception {
        start("header = \"Authorization\"\nsecret = \"" + SECRET + "\"\nauth_path = \"/login\"");
        origin.answer("/login", 200, Map.of("Content-Type", "text/plain"),
                "{\"sub\":\"u-1\",\"exp\":1893456000}".getBytes(StandardCharsets.UTF_8));

        RawHttp.Response r = RawHttp.exchange(proxy.port(), "POST /login HTTP/1.1", "Host: localhost", "Content-Length: 0");

        assertEquals(200, r.status());
        assertEquals("application/json", r.header("Content-Type"));
        String token = r.body().replaceAll("^\\{\"token\":\"(.*)\"}$", "$1");
        SignedJWT jwt = SignedJWT.parse(token);
        assertTrue(jwt.verify(new MACVerifier(SECRET)));
        assertEquals("u-1", jwt.getJWTClaimsSet().getSubject());
        assertEquals(200, status(token), "the minted token is accepted");
    }

    @Test
    void anErrorFromTheAuthPathIsNotSigned() throws Exception {
        start("header = \"Authorization\"\nsecret = \"" + SECRET + "\"\nauth_path = \"/login\"");
        origin.answer("/login", 403, Map.of("Content-Type", "text/plain"), "bad password".getBytes(StandardCharsets.UTF_8));

        RawHttp.Response r = RawHttp.get(proxy.port(), "/login");

        assertEquals(403, r.status());
        assertEquals("bad password", r.body());
    }

    @Test
    void checkRefusesAShortSecretAndAnAsymmetricAlgorithmWithoutKey() {
        PluginServer.Check shortSecret = PluginServer.checkWith(tmp, "jwt", "header = \"Authorization\"\nsecret = \"123123\"");
        PluginServer.Check noKey = PluginServer.checkWith(tmp, "jwt", "header = \"Authorization\"\nalgorithm = \"RS256\"");
        PluginServer.Check short512 = PluginServer.checkWith(tmp, "jwt", "header = \"A\"\nsecret = \"" + SECRET + "\"\nalgorithm = \"HS512\"");
        PluginServer.Check noSource = PluginServer.checkWith(tmp, "jwt", "secret = \"" + SECRET + "\"");

        assertTrue(shortSecret.err().contains("plugins.p.secret: must be at least 32 bytes (RFC 7518 §3.2), got 6"), shortSecret.err());
        assertTrue(noKey.err().contains("plugins.p.public_key: is required for RS256"), noKey.err());
        assertTrue(short512.err().contains("plugins.p.secret: must be at least 64 bytes for HS512"), short512.err());
        assertTrue(noSource.err().contains("plugins.p.header: one of header, cookie or query"), noSource.err());
    }
}
