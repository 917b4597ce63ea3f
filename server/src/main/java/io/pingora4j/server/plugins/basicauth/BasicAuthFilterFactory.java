package io.pingora4j.server.plugins.basicauth;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.server.plugins.Secrets;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.Session;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Pingap's {@code basic_auth} plugin: HTTP Basic authentication (RFC 7617) against a list of
 * accounts. See {@code docs/plugins/basic_auth.md}.
 *
 * <pre>
 * [plugins.staging]
 * category = "basic_auth"
 * authorizations = ["cGluZ2FwOjEyMzEyMw=="]   # base64 of user:password, one per account
 * delay = "1s"                                 # wait before refusing a wrong password
 * hide_credentials = true                      # Authorization is not sent upstream
 * realm = "staging"                            # in WWW-Authenticate; default "pingora4j"
 * </pre>
 *
 * Credentials are compared in constant time and never logged. The factory is stateless; the filter
 * is immutable and thread-safe.
 */
public final class BasicAuthFilterFactory implements FilterFactory {

    public static final String CATEGORY = "basic_auth";
    public static final String DEFAULT_REALM = "pingora4j";
    static final byte[] MISSING = "Authorization is missing".getBytes(StandardCharsets.US_ASCII);
    static final byte[] INVALID = "Invalid user or password".getBytes(StandardCharsets.US_ASCII);

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        List<String> entries = config.stringList("authorizations");
        if (entries.isEmpty()) {
            throw config.invalid("authorizations", "is required: base64 of \"user:password\", one entry per account");
        }
        List<byte[]> accounts = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            byte[] decoded;
            try {
                decoded = Base64.getDecoder().decode(entries.get(i).trim());
            } catch (IllegalArgumentException e) {
                // the message names the entry's place only: the value is a credential
                throw config.invalid("authorizations[" + i + "]", "is not valid base64");
            }
            if (indexOf(decoded, (byte) ':') <= 0) {
                throw config.invalid("authorizations[" + i + "]", "must decode to \"user:password\" (no ':' or no user)");
            }
            accounts.add(decoded);
        }
        String realm = config.string("realm", DEFAULT_REALM);
        if (realm.indexOf('"') >= 0 || realm.indexOf('\\') >= 0 || realm.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
            throw config.invalid("realm", "must be printable ASCII without '\"' or '\\'");
        }
        Duration delay = config.duration("delay", Duration.ZERO);
        boolean hide = config.bool("hide_credentials", false);
        return new BasicAuthFilter(List.copyOf(accounts), "Basic realm=\"" + realm + "\", charset=\"UTF-8\"",
                delay.toNanos(), hide);
    }

    private static int indexOf(byte[] b, byte c) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /** Immutable; thread-safe. */
    static final class BasicAuthFilter implements HttpFilter {
        private static final String AUTHORIZATION = "Authorization";
        private final List<byte[]> accounts;
        private final String challenge;
        private final long delayNanos;
        private final boolean hide;

        BasicAuthFilter(List<byte[]> accounts, String challenge, long delayNanos, boolean hide) {
            this.accounts = accounts;
            this.challenge = challenge;
            this.delayNanos = delayNanos;
            this.hide = hide;
        }

        @Override
        public Action requestFilter(Session session) {
            HeaderBlock h = session.request().headers();
            int i = h.indexOf(AUTHORIZATION);
            String value = i < 0 ? null : h.value(i);
            byte[] presented = value == null ? null : decode(value);
            if (presented == null) {
                unauthorized(session, MISSING);
                return Action.RESPONDED;
            }
            if (!Secrets.matchesAny(presented, accounts)) {
                return Secrets.answerAfter(session, delayNanos, s -> unauthorized(s, INVALID));
            }
            if (hide) {
                h.removeAll(AUTHORIZATION);
            }
            return Action.CONTINUE;
        }

        /** The decoded credentials of a "Basic" value, or null when it is not one. */
        private static byte[] decode(String value) {
            int sp = value.indexOf(' ');
            if (sp != 5 || !value.regionMatches(true, 0, "Basic", 0, 5)) {
                return null;
            }
            try {
                return Base64.getDecoder().decode(value.substring(sp + 1).trim());
            } catch (IllegalArgumentException e) {
                return new byte[0]; // not base64: a wrong password, not a missing one
            }
        }

        private void unauthorized(Session session, byte[] body) {
            ResponseHead head = new ResponseHead();
            head.setStatus(401);
            head.headers().set("WWW-Authenticate", challenge);
            head.headers().set("Content-Type", "text/plain");
            head.headers().set("Cache-Control", "no-store");
            session.respond(head, ByteBuffer.wrap(body));
        }
    }
}
