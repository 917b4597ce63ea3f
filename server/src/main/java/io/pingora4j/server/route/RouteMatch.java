package io.pingora4j.server.route;

import io.pingora4j.server.config.RewriteRule;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The result of {@link Router#match}: the route and the values captured by a regex host or path
 * (named groups by name, a regex path's numbered groups as "1", "2"...). Reused from request to
 * request so that matching allocates nothing on the common path; it also caches the regex
 * matchers it needs.
 *
 * <p>Not thread-safe: one per event loop (or per thread). Its content is valid until the next
 * match; use {@link #capturesAsMap()} to keep captures beyond that (e.g. in a session attribute).
 */
public final class RouteMatch implements RewriteRule.Captures {

    private Router owner;
    private Matcher[] pathMatchers;
    private Matcher[] hostMatchers;
    private Route route;
    private String[] names = new String[4];
    private String[] values = new String[4];
    private int count;

    /** An empty result; usable with any router. */
    public RouteMatch() {
    }

    /** The matched route, or null when nothing matched. */
    public Route route() {
        return route;
    }

    /** Whether a route matched. */
    public boolean matched() {
        return route != null;
    }

    /** The number of captures. */
    public int captureCount() {
        return count;
    }

    public String captureName(int i) {
        return names[i];
    }

    public String captureValue(int i) {
        return values[i];
    }

    /** A captured value by name ("1" for a regex path's first group), or null. */
    @Override
    public String get(String name) {
        for (int i = 0; i < count; i++) {
            if (names[i].equals(name)) {
                return values[i];
            }
        }
        return null;
    }

    /** A copy of the captures; the shared empty map when there are none (no allocation). */
    public Map<String, String> capturesAsMap() {
        if (count == 0) {
            return Map.of();
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            m.put(names[i], values[i]);
        }
        return Collections.unmodifiableMap(m);
    }

    // ------------------------------------------------------------------ used by the router

    void prepare(Router router) {
        if (owner != router) {
            owner = router;
            pathMatchers = new Matcher[router.routeCount()];
            hostMatchers = new Matcher[router.hostRegexCount()];
        }
        route = null;
        count = 0;
    }

    void route(Route r) {
        route = r;
    }

    Matcher pathMatcher(Route r, CharSequence target, int pathEnd) {
        Matcher m = pathMatchers[r.index()];
        if (m == null) {
            m = r.location().path().pattern().matcher(target);
            pathMatchers[r.index()] = m;
        } else {
            m.reset(target);
        }
        return m.region(0, pathEnd);
    }

    Matcher hostMatcher(int id, Pattern pattern, CharSequence host, int hostEnd) {
        Matcher m = hostMatchers[id];
        if (m == null) {
            m = pattern.matcher(host);
            hostMatchers[id] = m;
        } else {
            m.reset(host);
        }
        return m.region(0, hostEnd);
    }

    void addCapture(String name, String value) {
        if (value == null) {
            return;
        }
        for (int i = 0; i < count; i++) {
            if (names[i].equals(name)) {
                values[i] = value;
                return;
            }
        }
        if (count == names.length) {
            names = Arrays.copyOf(names, count * 2);
            values = Arrays.copyOf(values, count * 2);
        }
        names[count] = name;
        values[count] = value;
        count++;
    }

    @Override
    public String toString() {
        return route == null ? "RouteMatch[none]" : "RouteMatch[" + route.name() + " " + capturesAsMap() + "]";
    }
}
