package io.pingora4j.server.plugins.csrf;

import io.pingora4j.codec.h1.HttpMethod;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.server.plugins.HeaderLine;
import io.pingora4j.server.plugins.RequestParams;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.Session;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Pingap's {@code csrf} plugin: the double-submit-cookie pattern. {@code token_path} issues a
 * signed token in a cookie; every request other than GET, HEAD and OPTIONS must echo the cookie's
 * value in the header of the same name, and the token must carry a valid signature and be within
 * its {@code ttl}. See {@code docs/plugins/csrf.md}.
 *
 * <p>Token: {@code <16 random bytes, base64url>.<issue time, unix seconds, hex>.<base64url
 * HMAC-SHA256(key, id "." time)>}. Immutable; thread-safe ({@link Mac} instances are per thread).
 */
public final class CsrfFilterFactory implements FilterFactory {

    public static final String CATEGORY = "csrf";
    public static final String DEFAULT_NAME = "x-csrf-token";
    static final byte[] INVALID = "Csrf token is empty or invalid".getBytes(StandardCharsets.US_ASCII);

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        return create(config, () -> System.currentTimeMillis() / 1000);
    }

    HttpFilter create(PluginConfig config, LongSupplier clockSeconds) {
        String tokenPath = config.string("token_path").trim();
        if (!tokenPath.startsWith("/")) {
            throw config.invalid("token_path", "must start with '/', got \"" + tokenPath + "\"");
        }
        String key = config.string("key");
        if (key.isEmpty()) {
            throw config.invalid("key", "must not be empty");
        }
        String name = config.string("name", DEFAULT_NAME).trim();
        HeaderLine.checkField(config, "name", name, "x");
        if (name.indexOf('=') >= 0 || name.indexOf(';') >= 0) {
            throw config.invalid("name", "is a cookie name too: no '=' or ';'");
        }
        Duration ttl = config.duration("ttl", Duration.ZERO);
        return new CsrfFilter(tokenPath, key.getBytes(StandardCharsets.UTF_8), name, ttl.toSeconds(), clockSeconds);
    }

    /** Immutable; thread-safe. */
    static final class CsrfFilter implements HttpFilter {
        private static final SecureRandom RANDOM = new SecureRandom();
        private final String tokenPath;
        private final SecretKeySpec key;
        private final String name;
        private final long ttlSeconds;
        private final LongSupplier clock;
        private final ThreadLocal<Mac> macs;

        CsrfFilter(String tokenPath, byte[] key, String name, long ttlSeconds, LongSupplier clock) {
            this.tokenPath = tokenPath;
            this.key = new SecretKeySpec(key, "HmacSHA256");
            this.name = name;
            this.ttlSeconds = ttlSeconds;
            this.clock = clock;
            this.macs = ThreadLocal.withInitial(() -> {
                try {
                    Mac m = Mac.getInstance("HmacSHA256");
                    m.init(this.key);
                    return m;
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
                }
            });
        }

        @Override
        public Action requestFilter(Session session) {
            if (tokenPath.equals(session.request().path())) {
                issue(session);
                return Action.RESPONDED;
            }
            HttpMethod m = session.request().method();
            if (m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS) {
                return Action.CONTINUE;
            }
            String header = session.request().headers().get(name);
            String cookie = RequestParams.cookie(session, name);
            if (header == null || cookie == null || header.isEmpty()
                    || !MessageDigest.isEqual(header.getBytes(StandardCharsets.US_ASCII), cookie.getBytes(StandardCharsets.US_ASCII))
                    || !valid(header)) {
                ResponseHead head = new ResponseHead();
                head.setStatus(401);
                head.headers().set("Content-Type", "text/plain");
                head.headers().set("Cache-Control", "private, no-store");
                session.respond(head, java.nio.ByteBuffer.wrap(INVALID));
                return Action.RESPONDED;
            }
            return Action.CONTINUE;
        }

        private void issue(Session session) {
            byte[] id = new byte[16];
            RANDOM.nextBytes(id);
            String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(id) + "." + Long.toHexString(clock.getAsLong());
            String token = payload + "." + sign(payload);
            ResponseHead head = new ResponseHead();
            head.setStatus(204);
            head.headers().set("Cache-Control", "private, no-store");
            head.headers().add("Set-Cookie", name + "=" + token + "; Path=/; SameSite=Lax"
                    + (ttlSeconds > 0 ? "; Max-Age=" + ttlSeconds : "") + ("https".equals(session.scheme()) ? "; Secure" : ""));
            session.respond(head, null);
        }

        private String sign(String payload) {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    macs.get().doFinal(payload.getBytes(StandardCharsets.US_ASCII)));
        }

        /** Whether {@code token} was signed with our key and is within its ttl. */
        boolean valid(String token) {
            int second = token.lastIndexOf('.');
            int first = second <= 0 ? -1 : token.lastIndexOf('.', second - 1);
            if (first <= 0) {
                return false;
            }
            String payload = token.substring(0, second);
            byte[] expected = sign(payload).getBytes(StandardCharsets.US_ASCII);
            if (!MessageDigest.isEqual(token.substring(second + 1).getBytes(StandardCharsets.US_ASCII), expected)) {
                return false;
            }
            if (ttlSeconds <= 0) {
                return true;
            }
            long issued;
            try {
                issued = Long.parseLong(token.substring(first + 1, second), 16);
            } catch (NumberFormatException e) {
                return false;
            }
            long now = clock.getAsLong();
            return issued <= now + 1 && now - issued <= ttlSeconds;
        }
    }
}
