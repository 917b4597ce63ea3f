package io.pingora4j.server.plugins.uarestriction;

import io.pingora4j.server.plugins.AllowDeny;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.Session;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Pingap's {@code ua_restriction} plugin: allow or deny by {@code User-Agent}, matched against
 * unanchored regular expressions (Java syntax). See {@code docs/plugins/ua_restriction.md}.
 *
 * <pre>
 * [plugins.blockBots]
 * category = "ua_restriction"
 * type = "deny"
 * ua_list = ["go-http-client/1\\.1", "^python-requests/"]
 * message = "Automated access is not allowed"
 * </pre>
 *
 * The patterns are joined into one alternation compiled once, so a request costs one regex search.
 * A request without User-Agent matches nothing. Immutable; thread-safe.
 */
public final class UaRestrictionFilterFactory implements FilterFactory {

    public static final String CATEGORY = "ua_restriction";

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        AllowDeny type = AllowDeny.of(config);
        List<String> patterns = config.stringList("ua_list");
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < patterns.size(); i++) {
            try {
                Pattern.compile(patterns.get(i));
            } catch (PatternSyntaxException e) {
                throw config.invalid("ua_list[" + i + "]", "not a regular expression: " + e.getDescription()
                        + " near index " + e.getIndex());
            }
            joined.append(i == 0 ? "" : "|").append("(?:").append(patterns.get(i)).append(')');
        }
        Pattern any = patterns.isEmpty() ? null : Pattern.compile(joined.toString());
        return new UaRestrictionFilter(type, any, AllowDeny.message(config));
    }

    /** Immutable; thread-safe (a Pattern is; each request gets its own Matcher). */
    static final class UaRestrictionFilter implements HttpFilter {
        private final AllowDeny type;
        private final Pattern any;
        private final byte[] message;

        UaRestrictionFilter(AllowDeny type, Pattern any, byte[] message) {
            this.type = type;
            this.any = any;
            this.message = message;
        }

        @Override
        public Action requestFilter(Session session) {
            String ua = session.request().headers().get("User-Agent");
            boolean listed = ua != null && any != null && any.matcher(ua).find();
            if (type.admits(listed)) {
                return Action.CONTINUE;
            }
            AllowDeny.forbid(session, message);
            return Action.RESPONDED;
        }
    }
}
