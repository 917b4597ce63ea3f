package io.pingora4j.server.plugins.combinedauth;

import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.server.plugins.IpList;
import io.pingora4j.server.plugins.RequestParams;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.Session;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Pingap's {@code combined_auth} plugin: signed requests for machine clients. The caller sends
 * {@code app_id}, {@code ts} (unix seconds) and {@code digest = hex(sha256(secret ":" ts))} as
 * query parameters; the timestamp must be within the app's {@code deviation} of our clock, and the
 * client address within its {@code ip_list} when one is given. See
 * {@code docs/plugins/combined_auth.md}.
 *
 * <pre>
 * [[plugins.appAuth.authorizations]]
 * app_id = "pingap"
 * secret = "123123"
 * deviation = 60
 * ip_list = ["127.0.0.1", "192.168.1.0/24"]
 * </pre>
 *
 * Digests are compared in constant time; secrets are never logged. Immutable; thread-safe.
 */
public final class CombinedAuthFilterFactory implements FilterFactory {

    public static final String CATEGORY = "combined_auth";

    /** One application: {@code secret} null means "*" (no checks at all). */
    record App(byte[] secret, long deviation, IpList ips) {
    }

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        return create(config, () -> System.currentTimeMillis() / 1000);
    }

    HttpFilter create(PluginConfig config, LongSupplier clockSeconds) {
        Object raw = config.raw("authorizations");
        if (!(raw instanceof List<?> list) || list.isEmpty()) {
            throw config.invalid("authorizations", "is required: one [[plugins." + config.name()
                    + ".authorizations]] table per application");
        }
        Map<String, App> apps = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "authorizations[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> table)) {
                throw config.invalid(at, "expected a table with app_id, secret and deviation");
            }
            Object id = table.get("app_id");
            if (!(id instanceof String appId) || appId.isBlank()) {
                throw config.invalid(at + ".app_id", "is required (a string)");
            }
            Object secret = table.get("secret");
            if (!(secret instanceof String s) || s.isEmpty()) {
                throw config.invalid(at + ".secret", "is required (a string; \"*\" lets the app in unchecked)");
            }
            if (apps.containsKey(appId)) {
                throw config.invalid(at + ".app_id", "\"" + appId + "\" is listed twice");
            }
            if (s.equals("*")) {
                apps.put(appId, new App(null, 0, null));
                continue;
            }
            Object dev = table.get("deviation");
            if (!(dev instanceof Long d) || d <= 0) {
                throw config.invalid(at + ".deviation", "is required: the largest clock difference allowed, in seconds, > 0");
            }
            IpList ips = null;
            Object ipList = table.get("ip_list");
            if (ipList != null) {
                if (!(ipList instanceof List<?> entries) || entries.stream().anyMatch(e -> !(e instanceof String))) {
                    throw config.invalid(at + ".ip_list", "expected a list of addresses and CIDR blocks");
                }
                try {
                    ips = IpList.parse(entries.stream().map(String.class::cast).toList());
                } catch (IllegalArgumentException e) {
                    throw config.invalid(at + ".ip_list", e.getMessage());
                }
            }
            apps.put(appId, new App(s.getBytes(StandardCharsets.UTF_8), d, ips));
        }
        return new CombinedAuthFilter(Map.copyOf(apps), clockSeconds);
    }

    /** Immutable; thread-safe. */
    static final class CombinedAuthFilter implements HttpFilter {
        private final Map<String, App> apps;
        private final LongSupplier clock;

        CombinedAuthFilter(Map<String, App> apps, LongSupplier clock) {
            this.apps = apps;
            this.clock = clock;
        }

        @Override
        public Action requestFilter(Session session) {
            String appId = RequestParams.query(session, "app_id");
            App app = appId == null ? null : apps.get(appId);
            if (app == null) {
                return refuse(session, "app id is invalid");
            }
            if (app.secret() == null) {
                return Action.CONTINUE;
            }
            if (app.ips() != null && !app.ips().contains(session.clientAddress().getAddress().getAddress())) {
                return refuse(session, "ip is not allowed");
            }
            String ts = RequestParams.query(session, "ts");
            long t;
            try {
                t = ts == null ? Long.MIN_VALUE : Long.parseLong(ts);
            } catch (NumberFormatException e) {
                t = Long.MIN_VALUE;
            }
            if (t == Long.MIN_VALUE || Math.abs(clock.getAsLong() - t) > app.deviation()) {
                return refuse(session, "timestamp is invalid");
            }
            String digest = RequestParams.query(session, "digest");
            if (digest == null || !MessageDigest.isEqual(digest.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII),
                    expected(app.secret(), ts))) {
                return refuse(session, "digest is invalid");
            }
            return Action.CONTINUE;
        }

        private static byte[] expected(byte[] secret, String ts) {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                sha.update(secret);
                sha.update((byte) ':');
                sha.update(ts.getBytes(StandardCharsets.US_ASCII));
                return HexFormat.of().formatHex(sha.digest()).getBytes(StandardCharsets.US_ASCII);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every JDK", e);
            }
        }

        private static Action refuse(Session session, String reason) {
            ResponseHead head = new ResponseHead();
            head.setStatus(401);
            head.headers().set("Content-Type", "text/plain");
            head.headers().set("Cache-Control", "private, no-store");
            session.respond(head, ByteBuffer.wrap(("Plugin combined_auth invalid, message: " + reason)
                    .getBytes(StandardCharsets.US_ASCII)));
            return Action.RESPONDED;
        }
    }
}
