package io.pingora4j.server.location;

import io.pingora4j.server.config.LocationConfig;
import io.pingora4j.spi.HttpFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the filters that carry a location's own rules, to be put at the head of the location's
 * chain (before its plugins): body size limit, rewrite, upstream request headers, response
 * headers. Only the rules a location configures get a filter; a location with none gets an empty
 * list. Each filter acts in its own phase, so their order only matters within a phase.
 *
 * <p>Stateless; call it when a configuration is loaded (off the event loops). The filters are
 * immutable and shared by every loop.
 */
public final class LocationFilters {

    private LocationFilters() {
    }

    /** The filters for {@code location}'s own rules, in chain order. */
    public static List<HttpFilter> forLocation(LocationConfig location) {
        List<HttpFilter> filters = new ArrayList<>(4);
        if (location.clientMaxBodySize() > 0) {
            filters.add(new BodySizeLimitFilter(location.clientMaxBodySize()));
        }
        if (location.rewrite() != null) {
            filters.add(new RewriteFilter(location.rewrite()));
        }
        if (location.enableReverseProxyHeaders() || !location.proxySetHeaders().isEmpty()
                || !location.proxyAddHeaders().isEmpty()) {
            filters.add(new ProxyHeadersFilter(location.enableReverseProxyHeaders(), location.proxySetHeaders(),
                    location.proxyAddHeaders()));
        }
        if (!location.headersRemove().isEmpty() || !location.headersSet().isEmpty() || !location.headersAdd().isEmpty()) {
            filters.add(new ResponseHeadersFilter(location.headersRemove(), location.headersSet(), location.headersAdd()));
        }
        return List.copyOf(filters);
    }
}
