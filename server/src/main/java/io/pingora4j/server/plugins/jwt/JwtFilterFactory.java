package io.pingora4j.server.plugins.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import io.pingora4j.server.plugins.HeaderLine;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * Pingap's {@code jwt} plugin: verifies a JSON Web Token (RFC 7519) signed with HMAC (HS256,
 * HS384, HS512), or with a static public key or a remote JWK set (RS256/384/512, PS256/384/512,
 * ES256/384/512), checks {@code exp} and {@code nbf} with a clock skew, and can mint HMAC tokens at
 * {@code auth_path}. Parsing and signatures are nimbus-jose-jwt's. See {@code docs/plugins/jwt.md}.
 *
 * <pre>
 * [plugins.jwtAuth]
 * category = "jwt"
 * header = "Authorization"      # or cookie = "jwt", or query = "token" (checked in that order)
 * secret = "a shared secret of at least 32 bytes"
 * algorithm = "HS256"           # pins the algorithm; unset with a secret accepts HS256/384/512
 * auth_path = "/login"          # signs the origin's 2xx answer (claims) into a token
 * leeway = "60s"                # clock skew allowed on exp and nbf
 * delay = "1s"                  # before refusing a bad token
 * </pre>
 *
 * The factory is stateless; the filter is immutable and thread-safe.
 */
public final class JwtFilterFactory implements FilterFactory {

    public static final String CATEGORY = "jwt";
    static final Set<JWSAlgorithm> HMAC = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
    static final Set<JWSAlgorithm> RSA = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512);
    static final Set<JWSAlgorithm> EC = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    /** Where the token is read from. */
    enum Source { HEADER, COOKIE, QUERY }

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        Source source;
        String name;
        if (config.has("header")) {
            source = Source.HEADER;
            name = config.string("header").trim();
            HeaderLine.checkField(config, "header", name, "x");
        } else if (config.has("cookie")) {
            source = Source.COOKIE;
            name = config.string("cookie").trim();
        } else if (config.has("query")) {
            source = Source.QUERY;
            name = config.string("query").trim();
        } else {
            throw config.invalid("header", "one of header, cookie or query must say where the token is");
        }
        if (name.isEmpty()) {
            throw config.invalid(source.name().toLowerCase(Locale.ROOT), "must not be empty");
        }
        JWSAlgorithm algorithm = null;
        if (config.has("algorithm")) {
            algorithm = JWSAlgorithm.parse(config.string("algorithm").trim().toUpperCase(Locale.ROOT));
            if (!HMAC.contains(algorithm) && !RSA.contains(algorithm) && !EC.contains(algorithm)) {
                throw config.invalid("algorithm", "expected one of HS256, HS384, HS512, RS256, RS384, RS512, PS256, "
                        + "PS384, PS512, ES256, ES384, ES512, got \"" + config.string("algorithm") + "\"");
            }
        }
        Duration leeway = config.duration("leeway", Duration.ofSeconds(60));
        Duration delay = config.duration("delay", Duration.ZERO);
        String authPath = config.string("auth_path", null);
        if (authPath != null && !authPath.startsWith("/")) {
            throw config.invalid("auth_path", "must start with '/', got \"" + authPath + "\"");
        }
        byte[] secret = null;
        if (config.has("secret")) {
            secret = config.string("secret").getBytes(StandardCharsets.UTF_8);
            if (secret.length < 32) {
                // RFC 7518 §3.2: an HMAC key at least as long as the hash; nimbus refuses shorter ones too
                throw config.invalid("secret", "must be at least 32 bytes (RFC 7518 §3.2), got " + secret.length);
            }
        }
        Verification verification;
        if (algorithm != null && !HMAC.contains(algorithm) && config.has("public_key")) {
            verification = Verification.publicKey(algorithm, publicKey(config, algorithm));
        } else if (config.has("jwks_url")) {
            URI uri;
            try {
                uri = URI.create(config.string("jwks_url").trim());
            } catch (IllegalArgumentException e) {
                throw config.invalid("jwks_url", "not a URL: " + e.getMessage());
            }
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw config.invalid("jwks_url", "must be an http or https URL, got \"" + uri + "\"");
            }
            Duration ttl = config.duration("jwks_ttl", Duration.ofHours(1));
            if (ttl.isZero()) {
                throw config.invalid("jwks_ttl", "must be positive");
            }
            verification = Verification.jwks(new Jwks(uri, ttl.toNanos()));
        } else if (secret != null) {
            if (algorithm != null && !HMAC.contains(algorithm)) {
                throw config.invalid("public_key", "is required for " + algorithm + " (or set jwks_url)");
            }
            verification = Verification.hmac(algorithm, secret);
        } else if (algorithm != null && !HMAC.contains(algorithm)) {
            throw config.invalid("public_key", "is required for " + algorithm + " (or set jwks_url)");
        } else {
            throw config.invalid("secret", "is required unless public_key or jwks_url is set");
        }
        if (secret != null && algorithm != null && HMAC.contains(algorithm)
                && secret.length < minSecret(algorithm)) {
            throw config.invalid("secret", "must be at least " + minSecret(algorithm) + " bytes for " + algorithm
                    + " (RFC 7518 §3.2), got " + secret.length);
        }
        if (authPath != null && secret == null) {
            throw config.invalid("auth_path", "minting signs with secret (HMAC): set secret too");
        }
        JWSAlgorithm mintAlgorithm = algorithm != null && HMAC.contains(algorithm) ? algorithm : JWSAlgorithm.HS256;
        return new JwtFilter(source, name, verification, leeway.toSeconds(), delay.toNanos(), authPath,
                secret, mintAlgorithm);
    }

    /** RFC 7518 §3.2: an HMAC key at least as long as the hash output. */
    static int minSecret(JWSAlgorithm hmac) {
        return JWSAlgorithm.HS512.equals(hmac) ? 64 : JWSAlgorithm.HS384.equals(hmac) ? 48 : 32;
    }

    private static PublicKey publicKey(PluginConfig config, JWSAlgorithm algorithm) {
        String pem = config.string("public_key").trim();
        String body = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw config.invalid("public_key", "expected a PEM \"BEGIN PUBLIC KEY\" block");
        }
        if (!pem.startsWith("-----BEGIN PUBLIC KEY-----")) {
            throw config.invalid("public_key", "expected a PEM \"BEGIN PUBLIC KEY\" block");
        }
        try {
            return KeyFactory.getInstance(RSA.contains(algorithm) ? "RSA" : "EC").generatePublic(new X509EncodedKeySpec(der));
        } catch (Exception e) {
            throw config.invalid("public_key", "not a " + (RSA.contains(algorithm) ? "RSA" : "EC") + " public key for "
                    + algorithm + ": " + e.getMessage());
        }
    }
}
