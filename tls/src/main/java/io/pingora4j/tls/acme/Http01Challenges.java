package io.pingora4j.tls.acme;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP-01 challenge responses (RFC 8555 §8.3) an issuance is waiting to have fetched: token to
 * key authorization.
 *
 * <p>Thread-safety: safe for any number of threads. {@link AcmeIssuer} publishes and withdraws
 * entries on its background thread; the server's plain-HTTP request filter calls {@link #lookup} on
 * event loops, where it never blocks (a {@link ConcurrentHashMap} read, plus a removal when the
 * entry has expired).
 *
 * <p>The server answers a {@code GET} for {@code /.well-known/acme-challenge/<token>} with status 200
 * and the key authorization as the whole body ({@code Content-Type: application/octet-stream} or
 * {@code text/plain}), and leaves every other path under {@link #PATH_PREFIX} to its usual routing
 * (or a 404). Entries are removed when their order completes or fails, and in any case once their
 * time to live has passed, so a crashed issuance does not leave them answering forever.
 */
public final class Http01Challenges {

    /** The path every HTTP-01 validation request asks for, followed by the token. */
    public static final String PATH_PREFIX = "/.well-known/acme-challenge/";

    /** How long an entry answers unless it is removed before. Longer than any issuance waits. */
    public static final Duration DEFAULT_TIME_TO_LIVE = Duration.ofMinutes(30);

    /** RFC 8555 §8.3: a token has at least 128 bits of entropy, base64url without padding. */
    private static final int MAX_TOKEN_LENGTH = 256;

    private record Entry(String keyAuthorization, Instant expires) {}

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final Clock clock;

    public Http01Challenges() {
        this(Clock.systemUTC());
    }

    /** With {@code clock} deciding when entries expire (tests pass a fake one). */
    public Http01Challenges(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Publishes {@code keyAuthorization} for {@code token} for {@link #DEFAULT_TIME_TO_LIVE}. */
    public void put(String token, String keyAuthorization) {
        put(token, keyAuthorization, DEFAULT_TIME_TO_LIVE);
    }

    /**
     * Publishes {@code keyAuthorization} for {@code token} until it is {@link #remove removed} or
     * {@code timeToLive} has passed.
     *
     * @throws IllegalArgumentException if the token is not base64url text (the ACME server sent a
     *     token this store would never be asked for)
     */
    public void put(String token, String keyAuthorization, Duration timeToLive) {
        if (!isToken(token)) {
            throw new IllegalArgumentException("not an ACME token (base64url expected): " + token);
        }
        Objects.requireNonNull(keyAuthorization, "keyAuthorization");
        if (timeToLive.isNegative() || timeToLive.isZero()) {
            throw new IllegalArgumentException("timeToLive must be positive: " + timeToLive);
        }
        Instant now = clock.instant();
        entries.values().removeIf(e -> !now.isBefore(e.expires));
        entries.put(token, new Entry(keyAuthorization, now.plus(timeToLive)));
    }

    /** Withdraws the response for {@code token}, if any. */
    public void remove(String token) {
        entries.remove(token);
    }

    /**
     * The key authorization to answer with, for a request path ({@code
     * /.well-known/acme-challenge/<token>}, a query string is ignored) or a bare token; empty when
     * the token is unknown, withdrawn or expired, or the path is not a challenge path.
     */
    public Optional<String> lookup(String pathOrToken) {
        String token = pathOrToken;
        if (token.startsWith(PATH_PREFIX)) {
            token = token.substring(PATH_PREFIX.length());
            int query = token.indexOf('?');
            if (query >= 0) {
                token = token.substring(0, query);
            }
        }
        if (!isToken(token)) {
            return Optional.empty();
        }
        Entry e = entries.get(token);
        if (e == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(e.expires)) {
            // remove(key, value): a fresh put for the same token in between is kept
            entries.remove(token, e);
            return Optional.empty();
        }
        return Optional.of(e.keyAuthorization);
    }

    /** How many entries are published (expired ones included until they are next touched). */
    public int size() {
        return entries.size();
    }

    private static boolean isToken(String s) {
        if (s == null || s.isEmpty() || s.length() > MAX_TOKEN_LENGTH) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
