package io.pingora4j.server.plugins.trafficsplitting;

import io.pingora4j.server.plugins.RequestParams;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.Session;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.zip.CRC32;

/**
 * Pingap's {@code traffic_splitting} plugin: sends a share of a location's requests to another
 * upstream (canary, blue/green, A/B). The choice is stored as the session attribute
 * {@value #UPSTREAM_ATTRIBUTE}, the name of the upstream the proxy must use instead of the
 * location's own. See {@code docs/plugins/traffic_splitting.md}.
 *
 * <pre>
 * [plugins.canary]
 * category = "traffic_splitting"
 * upstream = "app-v2"
 * weight = 20                    # percent of requests, 0-100
 * stickiness = true              # the same client always gets the same answer
 * sticky_cookie = "deviceId"     # or sticky_header = "X-User"
 * matcher = "^(beta|internal)$"  # a sticky value that matches always switches
 * </pre>
 *
 * Immutable; thread-safe.
 */
public final class TrafficSplittingFilterFactory implements FilterFactory {

    public static final String CATEGORY = "traffic_splitting";
    /** The session attribute holding the chosen upstream's name; the proxy reads it in upstreamPeer. */
    public static final String UPSTREAM_ATTRIBUTE = "upstream";

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        String upstream = config.string("upstream").trim();
        if (upstream.isEmpty()) {
            throw config.invalid("upstream", "must name an upstream");
        }
        int weight = config.integer("weight", 0);
        if (weight < 0 || weight > 100) {
            throw config.invalid("weight", "must be 0-100 (percent), got " + weight);
        }
        boolean sticky = config.bool("stickiness", false);
        String cookie = config.string("sticky_cookie", "").trim();
        String header = config.string("sticky_header", "").trim();
        if (sticky && cookie.isEmpty() && header.isEmpty()) {
            throw config.invalid("stickiness", "needs sticky_cookie or sticky_header to say what a client is");
        }
        Pattern matcher = null;
        if (config.has("matcher")) {
            try {
                matcher = Pattern.compile(config.string("matcher"));
            } catch (PatternSyntaxException e) {
                throw config.invalid("matcher", "not a regular expression: " + e.getDescription());
            }
        }
        return new TrafficSplittingFilter(upstream, weight, sticky, cookie.isEmpty() ? null : cookie,
                header.isEmpty() ? null : header, matcher);
    }

    /** Immutable; thread-safe. */
    static final class TrafficSplittingFilter implements HttpFilter {
        private final String upstream;
        private final int weight;
        private final boolean sticky;
        private final String cookie;
        private final String header;
        private final Pattern matcher;

        TrafficSplittingFilter(String upstream, int weight, boolean sticky, String cookie, String header, Pattern matcher) {
            this.upstream = upstream;
            this.weight = weight;
            this.sticky = sticky;
            this.cookie = cookie;
            this.header = header;
            this.matcher = matcher;
        }

        @Override
        public Action requestFilter(Session session) {
            if (roll(session) < weight) {
                session.setAttribute(UPSTREAM_ATTRIBUTE, upstream); // a later splitter that selects wins
            }
            return Action.CONTINUE;
        }

        /** 0-99; 255 (never selected) for a sticky request without a value or not matching. */
        int roll(Session session) {
            if (!sticky) {
                return ThreadLocalRandom.current().nextInt(100);
            }
            String value = cookie != null ? RequestParams.cookie(session, cookie) : session.request().headers().get(header);
            if (value == null || value.isEmpty()) {
                return 255;
            }
            if (matcher != null) {
                return matcher.matcher(value).find() ? 0 : 255;
            }
            CRC32 crc = new CRC32();
            crc.update(value.getBytes(StandardCharsets.UTF_8));
            return (int) (crc.getValue() % 100);
        }
    }
}
