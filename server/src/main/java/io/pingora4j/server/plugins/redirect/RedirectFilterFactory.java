package io.pingora4j.server.plugins.redirect;

import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.Session;
import java.nio.charset.StandardCharsets;

/**
 * Pingap's {@code redirect} plugin: forces the scheme (http to https, or back) and/or a path
 * prefix with a redirect. See {@code docs/plugins/redirect.md}.
 *
 * <pre>
 * [plugins.forceHttps]
 * category = "redirect"
 * http_to_https = true      # false forces plain http
 * prefix = "/api"           # prepended when the path does not start with it
 * status = 301              # 301, 302, 307 (default) or 308
 * </pre>
 *
 * Immutable; thread-safe.
 */
public final class RedirectFilterFactory implements FilterFactory {

    public static final String CATEGORY = "redirect";
    static final byte[] NO_HOST = "Host is missing".getBytes(StandardCharsets.US_ASCII);

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        boolean https = config.bool("http_to_https", false);
        String prefix = config.string("prefix", "").trim();
        if (prefix.length() > 1 && !prefix.startsWith("/")) {
            prefix = "/" + prefix;
        }
        if (prefix.length() <= 1) {
            prefix = "";
        }
        while (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '?' || c == '#') {
                throw config.invalid("prefix", "must be a path without spaces, '?' or '#', got \"" + prefix + "\"");
            }
        }
        int status = config.integer("status", 307);
        if (status != 301 && status != 302 && status != 307 && status != 308) {
            // Pingap quietly falls back to 307; a typo in a redirect status is better caught at -t
            throw config.invalid("status", "must be 301, 302, 307 or 308, got " + status);
        }
        return new RedirectFilter(https ? "https" : "http", prefix, status);
    }

    /** Immutable; thread-safe. */
    static final class RedirectFilter implements HttpFilter {
        private final String scheme;
        private final String prefix;
        private final int status;

        RedirectFilter(String scheme, String prefix, int status) {
            this.scheme = scheme;
            this.prefix = prefix;
            this.status = status;
        }

        @Override
        public Action requestFilter(Session session) {
            String target = session.request().pathAndQuery();
            boolean prefixed = prefix.isEmpty() || target.equals(prefix) || target.startsWith(prefix + "/")
                    || target.startsWith(prefix + "?");
            if (scheme.equals(session.scheme()) && prefixed) {
                return Action.CONTINUE;
            }
            String host = session.request().authority();
            if (host == null || host.isEmpty()) {
                session.respond(400, "text/plain", NO_HOST);
                return Action.RESPONDED;
            }
            ResponseHead head = new ResponseHead();
            head.setStatus(status);
            try {
                head.headers().set("Location", scheme + "://" + host + (prefixed ? "" : prefix) + target);
            } catch (IllegalArgumentException e) {
                session.respond(400, "text/plain", NO_HOST); // a Host no field may carry
                return Action.RESPONDED;
            }
            session.respond(head, null);
            return Action.RESPONDED;
        }
    }
}
