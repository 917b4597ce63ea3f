package io.pingora4j.server.plugins;

import io.pingora4j.spi.Action;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.Session;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Pingap's {@code stats} plugin: a JSON snapshot of the process and the proxy (requests accepted
 * and in flight, in all and for this location, memory, threads, descriptors, uptime...) on an exact
 * path, any method. Restrict it: list {@code ip_restriction} or {@code basic_auth} before it.
 *
 * <pre>
 * [plugins.stats]
 * category = "stats"
 * path = "/stats"
 * </pre>
 *
 * <p>The figures come from the server, which binds each location's copy of the filter to its
 * {@link Source} when it builds the chains; reading them (which touches {@code /proc}) runs off the
 * event loop, the request waiting deferred. Pingap's {@code step} is accepted ({@code request} or
 * {@code proxy_upstream}); both answer in the request phase, before the upstream.
 *
 * <p>Thread-safe.
 */
public final class StatsFilterFactory implements FilterFactory {

    public static final String CATEGORY = "stats";

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        String path = config.string("path", "");
        if (path.isEmpty()) {
            throw config.invalid("path", "is required: the exact path answered, e.g. \"/stats\"");
        }
        if (!path.startsWith("/")) {
            throw config.invalid("path", "must start with '/', got \"" + path + "\"");
        }
        String step = config.string("step", "request");
        if (!List.of("request", "proxy_upstream").contains(step)) {
            throw config.invalid("step", "expected request or proxy_upstream, got \"" + step + "\"");
        }
        return new StatsFilter(path, null, null);
    }

    /** What the server gives the filter: the figures as JSON, and where to read them. */
    public interface Source {
        /** The JSON document for a request served by {@code location} (null: none). Called off the loops. */
        String json(String location);

        /** Where {@link #json} runs: not an event loop. */
        Executor executor();
    }

    /** The filter; a location's copy knows the location and the server's figures. Immutable. */
    public static final class StatsFilter implements HttpFilter {
        private final String path;
        private final Source source;
        private final String location;

        StatsFilter(String path, Source source, String location) {
            this.path = path;
            this.source = source;
            this.location = location;
        }

        /** This filter reading {@code source}'s figures for requests of {@code location}. */
        public StatsFilter bind(Source source, String location) {
            return new StatsFilter(path, source, location);
        }

        public String path() {
            return path;
        }

        @Override
        public Action requestFilter(Session session) {
            if (!path.equals(session.request().path())) {
                return Action.CONTINUE;
            }
            if (source == null) {
                session.respond(503, "text/plain", "stats: this proxy keeps no figures".getBytes(StandardCharsets.US_ASCII));
                return Action.RESPONDED;
            }
            return Action.defer(CompletableFuture.supplyAsync(() -> source.json(location), source.executor())
                    .thenApplyAsync(json -> {
                        session.respond(200, "application/json", json.getBytes(StandardCharsets.UTF_8));
                        return Action.RESPONDED;
                    }, session.executor()));
        }
    }
}
