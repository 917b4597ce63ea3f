package io.pingora4j.server.plugins.cors;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.HttpMethod;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.server.plugins.HeaderLine;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.Session;
import java.time.Duration;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Pingap's {@code cors} plugin: answers preflight {@code OPTIONS} requests itself and adds the CORS
 * fields to responses of requests that carry {@code Origin}. See {@code docs/plugins/cors.md}.
 *
 * <pre>
 * [plugins.cors]
 * category = "cors"
 * path = "^/api/"                       # regex on the path; default every path
 * allow_origin = "$http_origin"         # default "*"; $http_origin mirrors the request's Origin
 * allow_methods = "GET, POST, OPTIONS"
 * allow_headers = "Content-Type, Authorization"
 * expose_headers = "X-Request-Id"
 * allow_credentials = true
 * max_age = "1h"                        # "0s" leaves Access-Control-Max-Age out
 * </pre>
 *
 * Immutable; thread-safe.
 */
public final class CorsFilterFactory implements FilterFactory {

    public static final String CATEGORY = "cors";
    public static final String DEFAULT_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
    static final String MIRROR = "$http_origin";

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        Pattern path = null;
        if (config.has("path")) {
            try {
                path = Pattern.compile(config.string("path"));
            } catch (PatternSyntaxException e) {
                throw config.invalid("path", "not a regular expression: " + e.getDescription());
            }
        }
        String origin = field(config, "allow_origin", "*");
        String methods = field(config, "allow_methods", DEFAULT_METHODS);
        String headers = field(config, "allow_headers", null);
        String expose = field(config, "expose_headers", null);
        boolean credentials = config.bool("allow_credentials", false);
        if (credentials && origin.equals("*")) {
            // browsers refuse this pair (Fetch standard, CORS check): a config that can never work
            throw config.invalid("allow_credentials", "cannot be true with allow_origin = \"*\"; use \"$http_origin\"");
        }
        Duration maxAge = config.duration("max_age", Duration.ofHours(1));
        return new CorsFilter(path, origin.equals(MIRROR) ? null : origin, methods, headers, expose, credentials,
                maxAge.isZero() ? null : Long.toString(maxAge.toSeconds()));
    }

    private static String field(PluginConfig config, String key, String defaultValue) {
        String v = config.string(key, defaultValue);
        if (v != null) {
            HeaderLine.checkField(config, key, "x", v.trim());
            if (v.isBlank()) {
                throw config.invalid(key, "must not be empty");
            }
            return v.trim();
        }
        return null;
    }

    /** Immutable; thread-safe. {@code origin} null mirrors the request's Origin. */
    static final class CorsFilter implements HttpFilter {
        private final Pattern path;
        private final String origin;
        private final String methods;
        private final String headers;
        private final String expose;
        private final boolean credentials;
        private final String maxAge;

        CorsFilter(Pattern path, String origin, String methods, String headers, String expose, boolean credentials,
                   String maxAge) {
            this.path = path;
            this.origin = origin;
            this.methods = methods;
            this.headers = headers;
            this.expose = expose;
            this.credentials = credentials;
            this.maxAge = maxAge;
        }

        private boolean applies(Session session) {
            return path == null || path.matcher(session.request().path()).find();
        }

        @Override
        public Action requestFilter(Session session) {
            if (session.request().method() != HttpMethod.OPTIONS || !applies(session)) {
                return Action.CONTINUE;
            }
            ResponseHead head = new ResponseHead();
            head.setStatus(204);
            String o = allowOrigin(session);
            HeaderBlock h = head.headers();
            if (o != null) {
                h.set("Access-Control-Allow-Origin", o);
            }
            h.set("Access-Control-Allow-Methods", methods);
            if (headers != null) {
                h.set("Access-Control-Allow-Headers", headers);
            }
            if (credentials) {
                h.set("Access-Control-Allow-Credentials", "true");
            }
            if (maxAge != null) {
                h.set("Access-Control-Max-Age", maxAge);
            }
            if (origin == null) {
                h.set("Vary", "Origin");
            }
            session.respond(head, null);
            return Action.RESPONDED;
        }

        @Override
        public void responseFilter(Session session, ResponseHead response) {
            if (session.request().method() == HttpMethod.OPTIONS
                    || !session.request().headers().contains("Origin") || !applies(session)) {
                return; // a preflight answered above has its fields already
            }
            String o = allowOrigin(session);
            HeaderBlock h = response.headers();
            if (o != null) {
                h.set("Access-Control-Allow-Origin", o);
            }
            if (credentials) {
                h.set("Access-Control-Allow-Credentials", "true");
            }
            if (expose != null) {
                h.set("Access-Control-Expose-Headers", expose);
            }
            if (origin == null) {
                h.add("Vary", "Origin");
            }
        }

        /** The Allow-Origin value, or null when mirroring and the request has no usable Origin. */
        private String allowOrigin(Session session) {
            if (origin != null) {
                return origin;
            }
            String o = session.request().headers().get("Origin");
            return o == null || o.isEmpty() ? null : o;
        }
    }
}
