package io.pingora4j.server.route;

import io.pingora4j.server.config.PathMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * The routes of one host group, indexed by path: exact paths in a hash map, prefixes (and
 * "any path" as the empty prefix) in a trie, regex paths in a list sorted best-first that is
 * scanned only while a regex could still beat what the indexes found.
 *
 * <p>Built once, then read-only; safe to share between event loops.
 */
final class PathIndex {

    private final RegionMap<Route> exact = new RegionMap<>(false);
    private final PrefixTrie prefixes = new PrefixTrie();
    private final List<Route> regexBuilding = new ArrayList<>();
    private Route[] regex;

    void add(Route route) {
        PathMatch p = route.location().path();
        switch (p.kind()) {
            case ANY -> prefixes.add("", route);
            case PREFIX -> prefixes.add(p.value(), route);
            case EXACT -> {
                Route old = exact.get(p.value());
                if (old == null || route.before(old)) {
                    exact.put(p.value(), route);
                }
            }
            case REGEX -> regexBuilding.add(route);
        }
    }

    void freeze() {
        prefixes.freeze();
        regexBuilding.sort((a, b) -> a.before(b) ? -1 : b.before(a) ? 1 : 0);
        regex = regexBuilding.toArray(new Route[0]);
    }

    /** The best route of this group for {@code target[0, pathEnd)}, or null. */
    Route best(CharSequence target, int pathEnd, RouteMatch scratch) {
        Route best = exact.size() == 0 ? null : exact.get(target, 0, pathEnd);
        best = prefixes.best(target, pathEnd, best);
        for (Route r : regex) {
            if (best != null && best.before(r)) {
                break; // sorted: no later regex can win either
            }
            Matcher m = scratch.pathMatcher(r, target, pathEnd);
            if (m.find()) {
                return r; // best-first: the first regex that matches beats every later one
            }
        }
        return best;
    }
}
