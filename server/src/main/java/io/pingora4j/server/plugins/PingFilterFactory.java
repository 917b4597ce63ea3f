package io.pingora4j.server.plugins;

import io.pingora4j.spi.Action;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.Session;
import java.nio.charset.StandardCharsets;

/**
 * Pingap's {@code ping} plugin: a health endpoint answered by the proxy itself, 200 {@code pong},
 * for requests whose path is exactly {@code path} (default {@code /ping}). Other requests go on.
 *
 * <pre>
 * [plugins.health]
 * category = "ping"
 * path = "/healthz"
 * </pre>
 *
 * <p>The factory is stateless and thread-safe; so is the filter it makes.
 */
public final class PingFilterFactory implements FilterFactory {

    public static final String CATEGORY = "ping";
    public static final String DEFAULT_PATH = "/ping";

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        String path = config.string("path", DEFAULT_PATH);
        if (!path.startsWith("/")) {
            throw config.invalid("path", "must start with '/', got \"" + path + "\"");
        }
        return new PingFilter(path);
    }

    /** Immutable; thread-safe. */
    static final class PingFilter implements HttpFilter {
        private static final byte[] PONG = "pong".getBytes(StandardCharsets.US_ASCII);
        private final String path;

        PingFilter(String path) {
            this.path = path;
        }

        @Override
        public Action requestFilter(Session session) {
            if (!path.equals(session.request().path())) {
                return Action.CONTINUE;
            }
            session.respond(200, "text/plain", PONG);
            return Action.RESPONDED;
        }
    }
}
