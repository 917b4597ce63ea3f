package io.pingora4j.server.plugins.keyauth;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.server.plugins.RequestParams;
import io.pingora4j.server.plugins.Secrets;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.Session;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Pingap's {@code key_auth} plugin: an API key in a header or a query parameter, one of a list.
 * See {@code docs/plugins/key_auth.md}.
 *
 * <pre>
 * [plugins.apiKey]
 * category = "key_auth"
 * header = "X-API-Key"          # or query = "api_key" (query wins when both are set)
 * keys = ["KOXQaw", "GKvXY2"]
 * delay = "500ms"
 * hide_credentials = true
 * </pre>
 *
 * Keys are compared in constant time and never logged. Immutable; thread-safe.
 */
public final class KeyAuthFilterFactory implements FilterFactory {

    public static final String CATEGORY = "key_auth";
    static final byte[] MISSING = "Key missing".getBytes(StandardCharsets.US_ASCII);
    static final byte[] INVALID = "Key auth fail".getBytes(StandardCharsets.US_ASCII);

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        String header = config.string("header", "").trim();
        String query = config.string("query", "").trim();
        if (header.isEmpty() && query.isEmpty()) {
            throw config.invalid("header", "one of header or query must name where the key is");
        }
        if (!header.isEmpty()) {
            io.pingora4j.server.plugins.HeaderLine.checkField(config, "header", header, "x");
        }
        List<String> keys = config.stringList("keys");
        if (keys.isEmpty()) {
            throw config.invalid("keys", "is required: the accepted keys");
        }
        List<byte[]> known = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            if (keys.get(i).isEmpty()) {
                throw config.invalid("keys[" + i + "]", "must not be empty");
            }
            known.add(keys.get(i).getBytes(StandardCharsets.UTF_8));
        }
        Duration delay = config.duration("delay", Duration.ZERO);
        return new KeyAuthFilter(query.isEmpty() ? null : query, query.isEmpty() ? header : null, List.copyOf(known),
                delay.toNanos(), config.bool("hide_credentials", false));
    }

    /** Immutable; thread-safe. Exactly one of {@code query} and {@code header} is set. */
    static final class KeyAuthFilter implements HttpFilter {
        private final String query;
        private final String header;
        private final List<byte[]> keys;
        private final long delayNanos;
        private final boolean hide;

        KeyAuthFilter(String query, String header, List<byte[]> keys, long delayNanos, boolean hide) {
            this.query = query;
            this.header = header;
            this.keys = keys;
            this.delayNanos = delayNanos;
            this.hide = hide;
        }

        @Override
        public Action requestFilter(Session session) {
            String key;
            if (query != null) {
                key = RequestParams.query(session, query);
            } else {
                HeaderBlock h = session.request().headers();
                int i = h.indexOf(header);
                key = i < 0 ? null : h.value(i).trim();
            }
            if (key == null || key.isEmpty()) {
                session.respond(401, "text/plain", MISSING);
                return Action.RESPONDED;
            }
            if (!Secrets.matchesAny(key.getBytes(StandardCharsets.UTF_8), keys)) {
                return Secrets.answerAfter(session, delayNanos, s -> s.respond(401, "text/plain", INVALID));
            }
            if (hide) {
                if (query != null) {
                    removeQueryParameter(session.request(), query);
                } else {
                    session.request().headers().removeAll(header);
                }
            }
            return Action.CONTINUE;
        }

        /** Rewrites the target without every {@code name=...} pair of its query. */
        static void removeQueryParameter(RequestHead request, String name) {
            String q = request.query();
            StringBuilder kept = new StringBuilder(q.length());
            for (String pair : q.split("&", -1)) {
                int eq = pair.indexOf('=');
                String n = (eq < 0 ? pair : pair.substring(0, eq)).trim();
                if (n.equals(name) || pair.isEmpty()) {
                    continue;
                }
                if (kept.length() > 0) {
                    kept.append('&');
                }
                kept.append(pair);
            }
            String path = request.path();
            request.setTarget(kept.length() == 0 ? path : path + "?" + kept);
        }
    }
}
