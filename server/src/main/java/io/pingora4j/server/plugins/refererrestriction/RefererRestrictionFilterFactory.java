package io.pingora4j.server.plugins.refererrestriction;

import io.pingora4j.server.plugins.AllowDeny;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.Session;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Pingap's {@code referer_restriction} plugin: allow or deny by the host of the {@code Referer}
 * URL. An entry {@code example.com} matches that host exactly; {@code *.example.com} matches any
 * host ending in {@code .example.com} (not {@code example.com} itself). Hosts compare
 * case-insensitively. See {@code docs/plugins/referer_restriction.md}.
 *
 * <p>Immutable; thread-safe.
 */
public final class RefererRestrictionFilterFactory implements FilterFactory {

    public static final String CATEGORY = "referer_restriction";

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        AllowDeny type = AllowDeny.of(config);
        List<String> entries = config.stringList("referer_list");
        Set<String> exact = new HashSet<>();
        List<String> suffixes = new java.util.ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String e = entries.get(i).trim().toLowerCase(Locale.ROOT);
            if (e.startsWith("*")) {
                String suffix = e.substring(1);
                if (!suffix.startsWith(".") || suffix.length() < 2) {
                    throw config.invalid("referer_list[" + i + "]", "a wildcard entry is written \"*.example.com\", got \""
                            + entries.get(i) + "\"");
                }
                suffixes.add(suffix);
            } else if (e.isEmpty() || e.contains("/") || e.contains("*")) {
                throw config.invalid("referer_list[" + i + "]", "expected a host such as \"example.com\", got \""
                        + entries.get(i) + "\"");
            } else {
                exact.add(e);
            }
        }
        return new RefererRestrictionFilter(type, Set.copyOf(exact), List.copyOf(suffixes), AllowDeny.message(config));
    }

    /** Immutable; thread-safe. */
    static final class RefererRestrictionFilter implements HttpFilter {
        private final AllowDeny type;
        private final Set<String> exact;
        private final List<String> suffixes;
        private final byte[] message;

        RefererRestrictionFilter(AllowDeny type, Set<String> exact, List<String> suffixes, byte[] message) {
            this.type = type;
            this.exact = exact;
            this.suffixes = suffixes;
            this.message = message;
        }

        @Override
        public Action requestFilter(Session session) {
            String host = host(session.request().headers().get("Referer"));
            if (type.admits(host != null && listed(host))) {
                return Action.CONTINUE;
            }
            AllowDeny.forbid(session, message);
            return Action.RESPONDED;
        }

        private boolean listed(String host) {
            if (exact.contains(host)) {
                return true;
            }
            for (int i = 0; i < suffixes.size(); i++) {
                if (host.endsWith(suffixes.get(i))) {
                    return true;
                }
            }
            return false;
        }

        /** The lower-case host of an absolute http(s) URL, or null when it is not one. */
        static String host(String referer) {
            if (referer == null) {
                return null;
            }
            int scheme = referer.indexOf("://");
            if (scheme <= 0) {
                return null;
            }
            int start = scheme + 3;
            int end = start;
            while (end < referer.length() && "/?#".indexOf(referer.charAt(end)) < 0) {
                end++;
            }
            String authority = referer.substring(start, end);
            int at = authority.lastIndexOf('@');
            if (at >= 0) {
                authority = authority.substring(at + 1);
            }
            String host;
            if (authority.startsWith("[")) {
                int close = authority.indexOf(']');
                if (close < 0) {
                    return null;
                }
                host = authority.substring(0, close + 1);
            } else {
                int colon = authority.indexOf(':');
                host = colon < 0 ? authority : authority.substring(0, colon);
            }
            return host.isEmpty() ? null : host.toLowerCase(Locale.ROOT);
        }
    }
}
