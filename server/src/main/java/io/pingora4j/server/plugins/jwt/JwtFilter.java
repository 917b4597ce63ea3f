package io.pingora4j.server.plugins.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.server.plugins.RequestParams;
import io.pingora4j.server.plugins.Secrets;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.Session;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Date;
import java.util.concurrent.CompletableFuture;

/**
 * The {@code jwt} filter: verification in the request phase, minting in the response phases of
 * {@code auth_path}. Immutable and thread-safe; a minting request's buffer is a session attribute.
 */
final class JwtFilter implements HttpFilter {

    static final byte[] MISSING = "Jwt authorization is missing".getBytes(StandardCharsets.US_ASCII);
    static final byte[] FORMAT = "Jwt authorization format is invalid".getBytes(StandardCharsets.US_ASCII);
    static final byte[] INVALID = "Jwt authorization is invalid".getBytes(StandardCharsets.US_ASCII);
    static final byte[] EXPIRED = "Jwt authorization is expired".getBytes(StandardCharsets.US_ASCII);
    static final byte[] NOT_YET = "Jwt authorization is not yet valid".getBytes(StandardCharsets.US_ASCII);
    static final byte[] NO_KEYS = "Jwt key set is unavailable".getBytes(StandardCharsets.US_ASCII);
    /** Largest claims body {@code auth_path} signs. */
    static final int MAX_CLAIMS = 64 * 1024;
    private static final String BEARER = "Bearer ";

    private final JwtFilterFactory.Source source;
    private final String name;
    private final Verification verification;
    private final long leewaySeconds;
    private final long delayNanos;
    private final String authPath;
    private final MACSigner signer;
    private final JWSAlgorithm mintAlgorithm;
    private final String mintAttribute;

    JwtFilter(JwtFilterFactory.Source source, String name, Verification verification, long leewaySeconds,
              long delayNanos, String authPath, byte[] secret, JWSAlgorithm mintAlgorithm) {
        this.source = source;
        this.name = name;
        this.verification = verification;
        this.leewaySeconds = leewaySeconds;
        this.delayNanos = delayNanos;
        this.authPath = authPath;
        this.mintAlgorithm = mintAlgorithm;
        try {
            this.signer = authPath == null ? null : new MACSigner(secret);
        } catch (JOSEException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        this.mintAttribute = "jwt.mint." + System.identityHashCode(this);
    }

    @Override
    public Action requestFilter(Session session) {
        if (authPath != null && authPath.equals(session.request().path())) {
            session.setAttribute(mintAttribute, new ByteArrayOutputStream());
            return Action.CONTINUE; // anything under auth_path is unauthenticated by design
        }
        String token = token(session);
        if (token == null || token.isEmpty()) {
            return unauthorized(session, MISSING);
        }
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            return unauthorized(session, FORMAT);
        }
        Jwks jwks = verification.jwks();
        if (jwks == null) {
            return check(session, jwt, null);
        }
        CompletableFuture<JWKSet> keys = jwks.keys();
        if (keys.isDone() && !keys.isCompletedExceptionally()) {
            return check(session, jwt, keys.join());
        }
        return Action.defer(keys.handleAsync((set, err) -> err != null ? unavailable(session) : check(session, jwt, set),
                session.executor()));
    }

    private Action check(Session session, SignedJWT jwt, JWKSet keys) {
        JWSVerifier v = verification.verifierFor(jwt.getHeader(), keys);
        boolean ok;
        try {
            ok = v != null && jwt.verify(v);
        } catch (JOSEException | IllegalStateException e) {
            ok = false;
        }
        if (!ok) {
            return Secrets.answerAfter(session, delayNanos, s -> respond(s, INVALID));
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            return unauthorized(session, FORMAT);
        }
        long now = System.currentTimeMillis() / 1000;
        Date exp = claims.getExpirationTime();
        if (exp != null && exp.getTime() / 1000 + leewaySeconds < now) {
            return unauthorized(session, EXPIRED);
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.getTime() / 1000 - leewaySeconds > now) {
            return unauthorized(session, NOT_YET);
        }
        return Action.CONTINUE;
    }

    private String token(Session session) {
        switch (source) {
            case HEADER: {
                HeaderBlock h = session.request().headers();
                int i = h.indexOf(name);
                if (i < 0) {
                    return null;
                }
                String v = h.value(i).trim();
                return v.regionMatches(true, 0, BEARER, 0, BEARER.length()) ? v.substring(BEARER.length()).trim() : v;
            }
            case COOKIE:
                return RequestParams.cookie(session, name);
            default:
                return RequestParams.query(session, name);
        }
    }

    private static Action unauthorized(Session session, byte[] body) {
        respond(session, body);
        return Action.RESPONDED;
    }

    private static Action unavailable(Session session) {
        session.respond(503, "text/plain", NO_KEYS);
        return Action.RESPONDED;
    }

    private static void respond(Session session, byte[] body) {
        ResponseHead head = new ResponseHead();
        head.setStatus(401);
        head.headers().set("Content-Type", "text/plain");
        head.headers().set("WWW-Authenticate", "Bearer");
        session.respond(head, ByteBuffer.wrap(body));
    }

    // ---------------------------------------------------------------- minting at auth_path

    @Override
    public void responseFilter(Session session, ResponseHead response) {
        if (session.attribute(mintAttribute) == null) {
            return;
        }
        if (response.status() < 200 || response.status() > 299 || response.headers().contains("Content-Encoding")
                || session.request().method() == io.pingora4j.codec.h1.HttpMethod.HEAD) {
            session.setAttribute(mintAttribute, null); // an error (or an encoded body) passes through unsigned
            return;
        }
        response.headers().set("Content-Type", "application/json");
        response.headers().removeAll("ETag");
        response.setChunked();
    }

    @Override
    public ByteBuffer responseBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream) {
        if (!(session.attribute(mintAttribute) instanceof ByteArrayOutputStream claims)) {
            return chunk;
        }
        if (claims.size() + chunk.remaining() <= MAX_CLAIMS) {
            byte[] b = new byte[chunk.remaining()];
            chunk.get(b);
            claims.writeBytes(b);
        } else {
            claims.reset();
            claims.write(-1); // too large: marked, answered with an error below
        }
        if (!endOfStream) {
            return null;
        }
        session.setAttribute(mintAttribute, null);
        return ByteBuffer.wrap(mint(claims.toByteArray()));
    }

    private byte[] mint(byte[] claims) {
        try {
            JWTClaimsSet.parse(new String(claims, StandardCharsets.UTF_8)); // a JSON object, or refused
            JWSObject jws = new JWSObject(new JWSHeader.Builder(mintAlgorithm).type(JOSEObjectType.JWT).build(),
                    new Payload(claims));
            jws.sign(signer);
            return ("{\"token\":\"" + jws.serialize() + "\"}").getBytes(StandardCharsets.US_ASCII);
        } catch (ParseException | JOSEException | RuntimeException e) {
            return "{\"error\":\"the claims to sign must be a JSON object of at most 64 KiB\"}"
                    .getBytes(StandardCharsets.US_ASCII);
        }
    }
}
