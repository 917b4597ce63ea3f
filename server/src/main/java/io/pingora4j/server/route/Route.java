package io.pingora4j.server.route;

import io.pingora4j.server.config.LocationConfig;
import java.util.Objects;

/**
 * One location as the router sees it. {@link #index()} is the location's position in the
 * server's {@code locations} list, so a proxy can keep per-location objects (its filter chain,
 * its upstream) in an array and reach them without a map lookup. Immutable.
 */
public final class Route {

    private final int index;
    private final LocationConfig location;

    Route(int index, LocationConfig location) {
        this.index = index;
        this.location = Objects.requireNonNull(location, "location");
    }

    /** Position in the server's {@code locations} list (0-based); also the tie-break of equal weights. */
    public int index() {
        return index;
    }

    /** The location's configuration. */
    public LocationConfig location() {
        return location;
    }

    /** The location's name. */
    public String name() {
        return location.name();
    }

    /** The routing weight: higher wins. */
    public int weight() {
        return location.weight();
    }

    /** Whether this route ranks before {@code other} at equal host specificity. */
    boolean before(Route other) {
        int w = location.weight();
        int ow = other.location.weight();
        return w != ow ? w > ow : index < other.index;
    }

    @Override
    public String toString() {
        return "Route[" + location.name() + " weight=" + location.weight() + "]";
    }
}
