package io.pingora4j.server.route;

import io.pingora4j.server.config.HostPattern;
import io.pingora4j.server.config.LocationConfig;
import io.pingora4j.server.config.PathMatch;
import io.pingora4j.server.config.ProxyConfig;
import io.pingora4j.server.config.Regexes;
import io.pingora4j.server.config.ServerConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Picks a server's location for a request from its host and path, compiled once from the
 * server's locations.
 *
 * <p><b>Which location wins.</b> The same as Pingap: among the locations whose host and path both
 * match, the one with the highest weight ({@link LocationConfig#weight()}: explicit
 * {@code priority}/{@code weight}, else Pingap's computed weight, see
 * {@link LocationConfig#pingapWeight}). Pingap leaves equal weights in hash-map order; here they
 * are broken by host specificity (exact host, then the longer {@code *.suffix} wildcard, then a
 * {@code ~regex} host, then no host), then by the order of the server's {@code locations} list.
 *
 * <p><b>Cost.</b> Exact hosts are found in a hash map, wildcard hosts by looking up each dot suffix
 * of the request host, and each host group indexes its paths: exact paths in a hash map, prefixes
 * in a trie (one walk down the path). Only regex hosts and regex paths are scanned, best-first and
 * only while one could still win. Nothing grows with the number of host/prefix locations, and a
 * match without regexes allocates nothing (hosts and paths are compared in place, ASCII
 * case-insensitively for hosts, port and query ignored).
 *
 * <p>Immutable and thread-safe: one router per server configuration, shared by every event loop;
 * each loop brings its own {@link RouteMatch}.
 */
public final class Router {

    /** Session attribute under which a proxy may store {@link RouteMatch#capturesAsMap()} for later phases. */
    public static final String CAPTURES_ATTRIBUTE = "pingora4j.route.captures";

    private static final int SPEC_ANY = 0;
    private static final int SPEC_REGEX = 1;
    private static final int SPEC_EXACT = Integer.MAX_VALUE;

    private final List<Route> routes;
    private final RegionMap<PathIndex> exactHosts = new RegionMap<>(true);
    private final RegionMap<PathIndex> wildcardHosts = new RegionMap<>(true);
    private final Pattern[] hostRegexes;
    private final PathIndex[] hostRegexGroups;
    private final String[][] hostRegexNames;
    private final String[][] pathRegexNames;
    private final PathIndex anyHost;
    /** Shortest and longest wildcard suffix: request-host suffixes outside are not looked up. */
    private final int wildcardMin;
    private final int wildcardMax;

    private Router(List<LocationConfig> locations) {
        List<Route> list = new ArrayList<>(locations.size());
        for (LocationConfig l : locations) {
            list.add(new Route(list.size(), l));
        }
        this.routes = List.copyOf(list);
        PathIndex any = null;
        Map<String, PathIndex> regexGroups = new LinkedHashMap<>();
        Map<String, Pattern> regexPatterns = new LinkedHashMap<>();
        pathRegexNames = new String[list.size()][];
        int minSuffix = Integer.MAX_VALUE;
        int maxSuffix = 0;
        for (Route r : list) {
            LocationConfig l = r.location();
            if (l.path().kind() == PathMatch.Kind.REGEX) {
                pathRegexNames[r.index()] = Regexes.groupNames(l.path().pattern()).toArray(new String[0]);
            }
            if (l.hosts().isEmpty()) {
                if (any == null) {
                    any = new PathIndex();
                }
                any.add(r);
                continue;
            }
            for (HostPattern h : l.hosts()) {
                PathIndex g;
                switch (h.kind()) {
                    case EXACT -> {
                        g = exactHosts.get(h.value());
                        if (g == null) {
                            g = new PathIndex();
                            exactHosts.put(h.value(), g);
                        }
                    }
                    case WILDCARD -> {
                        minSuffix = Math.min(minSuffix, h.value().length());
                        maxSuffix = Math.max(maxSuffix, h.value().length());
                        g = wildcardHosts.get(h.value());
                        if (g == null) {
                            g = new PathIndex();
                            wildcardHosts.put(h.value(), g);
                        }
                    }
                    default -> {
                        g = regexGroups.computeIfAbsent(h.value(), k -> new PathIndex());
                        regexPatterns.putIfAbsent(h.value(), h.pattern());
                    }
                }
                g.add(r);
            }
        }
        for (Object g : exactHosts.values()) {
            ((PathIndex) g).freeze();
        }
        for (Object g : wildcardHosts.values()) {
            ((PathIndex) g).freeze();
        }
        hostRegexes = regexPatterns.values().toArray(new Pattern[0]);
        hostRegexGroups = regexGroups.values().toArray(new PathIndex[0]);
        hostRegexNames = new String[hostRegexes.length][];
        for (int i = 0; i < hostRegexes.length; i++) {
            hostRegexGroups[i].freeze();
            hostRegexNames[i] = Regexes.groupNames(hostRegexes[i]).toArray(new String[0]);
        }
        if (any != null) {
            any.freeze();
        }
        this.anyHost = any;
        this.wildcardMin = minSuffix;
        this.wildcardMax = maxSuffix;
    }

    /** A router over {@code locations}, in the server's order (the tie-break of equal weights). */
    public static Router of(List<LocationConfig> locations) {
        return new Router(locations);
    }

    /** The router of server {@code serverName} of a loaded configuration. */
    public static Router forServer(ProxyConfig config, String serverName) {
        ServerConfig server = config.server(serverName);
        List<LocationConfig> locations = new ArrayList<>(server.locations().size());
        for (String name : server.locations()) {
            locations.add(config.location(name));
        }
        return of(locations);
    }

    /** The routes, indexed by {@link Route#index()} (the server's location order). */
    public List<Route> routes() {
        return routes;
    }

    int routeCount() {
        return routes.size();
    }

    int hostRegexCount() {
        return hostRegexes.length;
    }

    /** Matches and returns the route or null; allocates a result, for tools and tests. */
    public Route match(CharSequence host, CharSequence target) {
        RouteMatch m = new RouteMatch();
        match(host, target, m);
        return m.route();
    }

    /**
     * Finds the location for a request.
     *
     * @param host   the request's authority (Host header or absolute-form authority); may carry a
     *               port, which is ignored; null when the request has none
     * @param target the request target's path, with or without its query (ignored)
     * @param out    receives the route and captures (reused; owned by the calling loop)
     * @return whether a location matched
     */
    public boolean match(CharSequence host, CharSequence target, RouteMatch out) {
        out.prepare(this);
        int pathEnd = pathEnd(target);
        int hostEnd = host == null ? 0 : hostEnd(host);
        Route best = null;
        int bestSpec = -1;
        int bestHostRegex = -1;
        if (host != null && hostEnd > 0) {
            if (exactHosts.size() > 0) {
                PathIndex g = exactHosts.get(host, 0, hostEnd);
                if (g != null) {
                    Route r = g.best(target, pathEnd, out);
                    if (r != null) {
                        best = r;
                        bestSpec = SPEC_EXACT;
                    }
                }
            }
            if (wildcardHosts.size() > 0) {
                for (int i = Math.max(0, hostEnd - wildcardMax); i <= hostEnd - wildcardMin; i++) {
                    if (host.charAt(i) != '.') {
                        continue;
                    }
                    PathIndex g = wildcardHosts.get(host, i, hostEnd);
                    if (g != null) {
                        Route r = g.best(target, pathEnd, out);
                        int spec = hostEnd - i;
                        if (r != null && better(r, spec, best, bestSpec)) {
                            best = r;
                            bestSpec = spec;
                        }
                    }
                }
            }
        }
        for (int k = 0; k < hostRegexes.length; k++) {
            Matcher m = out.hostMatcher(k, hostRegexes[k], host == null ? "" : host, hostEnd);
            if (m.find()) {
                Route r = hostRegexGroups[k].best(target, pathEnd, out);
                if (r != null && better(r, SPEC_REGEX, best, bestSpec)) {
                    best = r;
                    bestSpec = SPEC_REGEX;
                    bestHostRegex = k;
                }
            }
        }
        if (anyHost != null) {
            Route r = anyHost.best(target, pathEnd, out);
            if (r != null && better(r, SPEC_ANY, best, bestSpec)) {
                best = r;
                bestSpec = SPEC_ANY;
                bestHostRegex = -1;
            }
        }
        if (best == null) {
            return false;
        }
        out.route(best);
        if (bestSpec == SPEC_REGEX) {
            Matcher m = out.hostMatcher(bestHostRegex, hostRegexes[bestHostRegex], host == null ? "" : host, hostEnd);
            if (m.find()) {
                for (String name : hostRegexNames[bestHostRegex]) {
                    out.addCapture(name, m.group(name));
                }
            }
        }
        String[] pathNames = pathRegexNames[best.index()];
        if (pathNames != null) {
            Matcher m = out.pathMatcher(best, target, pathEnd);
            if (m.find()) {
                for (int i = 1; i <= m.groupCount(); i++) {
                    out.addCapture(Integer.toString(i), m.group(i));
                }
                for (String name : pathNames) {
                    out.addCapture(name, m.group(name));
                }
            }
        }
        return true;
    }

    private static boolean better(Route r, int spec, Route best, int bestSpec) {
        if (best == null) {
            return true;
        }
        if (r.weight() != best.weight()) {
            return r.weight() > best.weight();
        }
        if (spec != bestSpec) {
            return spec > bestSpec;
        }
        return r.index() < best.index();
    }

    /** End of the path: before '?' or '#'. */
    static int pathEnd(CharSequence target) {
        int n = target.length();
        for (int i = 0; i < n; i++) {
            char c = target.charAt(i);
            if (c == '?' || c == '#') {
                return i;
            }
        }
        return n;
    }

    /** End of the host name: before the port, after an IPv6 literal's ']', before a trailing dot. */
    static int hostEnd(CharSequence host) {
        int n = host.length();
        if (n > 0 && host.charAt(0) == '[') {
            for (int i = 1; i < n; i++) {
                if (host.charAt(i) == ']') {
                    return i + 1;
                }
            }
            return n;
        }
        int end = n;
        for (int i = n - 1; i >= 0; i--) {
            char c = host.charAt(i);
            if (c == ':') {
                end = i;
                break;
            }
            if (c < '0' || c > '9') {
                break;
            }
        }
        if (end > 0 && host.charAt(end - 1) == '.') {
            end--;
        }
        return end;
    }

    @Override
    public String toString() {
        return "Router" + routes;
    }
}
