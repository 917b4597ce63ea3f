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
import java.util.Arrays;
import java.util.Date;
import java.util.concurrent.CompletableFuture;

/**
 * The {@code jwt} filter: verification in the request phase, minting in the response phases of
 * {@code auth_path}. A token whose signature verified is remembered ({@link VerifiedTokens}), so
 * a client sending the same token again costs a lookup and the {@code exp}/{@code nbf} check.
 * Thread-safe: its configuration is immutable, the verified tokens a concurrent cache; a minting
 * request's buffer is a session attribute.
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
    private static final long NONE = -1;
    private static final long TOO_LONG = -2;
    /** Where a request's token is copied to be hashed and compared; one per event loop. */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[VerifiedTokens.MAX_TOKEN + 64]);

    private final JwtFilterFactory.Source source;
    private final String name;
    private final Verification verification;
    private final long leewaySeconds;
    private final long delayNanos;
    private final String authPath;
    private final MACSigner signer;
    private final JWSAlgorithm mintAlgorithm;
    private final String mintAttribute;
    private final VerifiedTokens verified = new VerifiedTokens();

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
        byte[] buf = SCRATCH.get();
        long span = token(session, buf);
        if (span == NONE) {
            return unauthorized(session, MISSING);
        }
        if (span == TOO_LONG) {
            return verify(session, token(session), null, 0);
        }
        int off = (int) (span >>> 32);
        int len = (int) span;
        long hash = verified.hash(buf, off, len);
        Jwks jwks = verification.jwks();
        VerifiedTokens.Verified v = verified.get(hash, buf, off, len, jwks == null ? null : jwks.held());
        if (v != null) {
            return times(session, v.exp(), v.nbf()); // the same bytes verified before, under the same keys
        }
        return verify(session, new String(buf, off, len, StandardCharsets.ISO_8859_1), Arrays.copyOfRange(buf, off, off + len), hash);
    }

    /** Parses and verifies a token not found in {@link #verified}; {@code bytes} null: not to be remembered. */
    private Action verify(Session session, String token, byte[] bytes, long hash) {
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
            return check(session, jwt, null, bytes, hash);
        }
        CompletableFuture<JWKSet> keys = jwks.keys();
        if (keys.isDone() && !keys.isCompletedExceptionally()) {
            return check(session, jwt, keys.join(), bytes, hash);
        }
        return Action.defer(keys.handleAsync((set, err) -> err != null ? unavailable(session)
                : check(session, jwt, set, bytes, hash), session.executor()));
    }

    private Action check(Session session, SignedJWT jwt, JWKSet keys, byte[] bytes, long hash) {
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
        Date exp = claims.getExpirationTime();
        Date nbf = claims.getNotBeforeTime();
        long expSeconds = exp == null ? Long.MAX_VALUE : exp.getTime() / 1000;
        long nbfSeconds = nbf == null ? Long.MIN_VALUE : nbf.getTime() / 1000;
        if (bytes != null) {
            verified.put(hash, bytes, expSeconds, nbfSeconds, keys);
        }
        return times(session, expSeconds, nbfSeconds);
    }

    /** {@code exp} and {@code nbf} (epoch seconds; MAX / MIN when absent) against now, with the leeway. */
    private Action times(Session session, long exp, long nbf) {
        long now = System.currentTimeMillis() / 1000;
        if (exp != Long.MAX_VALUE && exp + leewaySeconds < now) {
            return unauthorized(session, EXPIRED);
        }
        if (nbf != Long.MIN_VALUE && nbf - leewaySeconds > now) {
            return unauthorized(session, NOT_YET);
        }
        return Action.CONTINUE;
    }

    /**
     * Copies the token into {@code buf} without making a String: its offset (high 32 bits) and
     * length (low 32 bits), {@link #NONE} when there is none (or it is empty), {@link #TOO_LONG}
     * when it does not fit (then {@link #token(Session)} reads it).
     */
    private long token(Session session, byte[] buf) {
        int off;
        int end;
        if (source == JwtFilterFactory.Source.HEADER) {
            HeaderBlock h = session.request().headers();
            int i = h.indexOf(name);
            if (i < 0) {
                return NONE;
            }
            if (h.valueLength(i) > buf.length) {
                return TOO_LONG;
            }
            end = h.copyValue(i, buf, 0);
            off = 0;
            while (off < end && isSpace(buf[off])) {
                off++;
            }
            if (end - off >= BEARER.length() && startsWithBearer(buf, off)) {
                off += BEARER.length();
            }
        } else {
            String v = source == JwtFilterFactory.Source.COOKIE ? RequestParams.cookie(session, name)
                    : RequestParams.query(session, name);
            if (v == null) {
                return NONE;
            }
            if (v.length() > buf.length) {
                return TOO_LONG;
            }
            end = 0;
            for (int k = 0; k < v.length(); k++) {
                char c = v.charAt(k);
                if (c > 0xff) {
                    return TOO_LONG; // not a JWT's alphabet: the slow path refuses it
                }
                buf[end++] = (byte) c;
            }
            off = 0;
        }
        while (off < end && isSpace(buf[off])) {
            off++;
        }
        while (end > off && isSpace(buf[end - 1])) {
            end--;
        }
        return end == off ? NONE : (long) off << 32 | (end - off);
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t';
    }

    private static boolean startsWithBearer(byte[] b, int off) {
        for (int k = 0; k < BEARER.length(); k++) {
            if (Character.toLowerCase((char) (b[off + k] & 0xff)) != Character.toLowerCase(BEARER.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    /** The token as a String, for one longer than the scratch buffer; null if there is none. */
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

    /** How many verified tokens this filter remembers; for tests. */
    long rememberedTokens() {
        return verified.size();
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
