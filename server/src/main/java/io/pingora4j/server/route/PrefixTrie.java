package io.pingora4j.server.route;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Path prefixes to routes, as a character trie with compressed chains (a radix tree): finding
 * every prefix of a path is one walk down the path, whatever the number of prefixes. A node
 * holds the run of characters that leads to it without branching ({@code segment}), so
 * "/svc1/api" and "/svc2/api" cost a few nodes, not one per character. Each node keeps only the
 * best-ranked route whose prefix ends there (the others could never win against it in the same
 * host group).
 *
 * <p>Built by one thread, then read-only: safe to share between event loops once published.
 */
final class PrefixTrie {

    private static final char[] NO_KEYS = new char[0];
    private static final Node[] NO_NODES = new Node[0];

    /** A frozen node: children sorted by character. */
    static final class Node {
        char[] segment = NO_KEYS;
        char[] keys = NO_KEYS;
        Node[] children = NO_NODES;
        Route route;

        Node child(char c) {
            char[] k = keys;
            int n = k.length;
            if (n <= 8) {
                for (int i = 0; i < n; i++) {
                    if (k[i] == c) {
                        return children[i];
                    }
                }
                return null;
            }
            int lo = 0;
            int hi = n - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                char m = k[mid];
                if (m < c) {
                    lo = mid + 1;
                } else if (m > c) {
                    hi = mid - 1;
                } else {
                    return children[mid];
                }
            }
            return null;
        }
    }

    /** A node while building. */
    private static final class Builder {
        final TreeMap<Character, Builder> children = new TreeMap<>();
        Route route;

        /** Freezes this node, absorbing the chain of single-child, route-less nodes below it. */
        Node freeze() {
            StringBuilder segment = new StringBuilder();
            Builder b = this;
            while (b.route == null && b.children.size() == 1) {
                var only = b.children.firstEntry();
                segment.append(only.getKey().charValue());
                b = only.getValue();
            }
            Node n = new Node();
            if (segment.length() > 0) {
                n.segment = segment.toString().toCharArray();
            }
            n.route = b.route;
            if (!b.children.isEmpty()) {
                n.keys = new char[b.children.size()];
                n.children = new Node[b.children.size()];
                int i = 0;
                for (var e : b.children.entrySet()) {
                    n.keys[i] = e.getKey();
                    n.children[i] = e.getValue().freeze();
                    i++;
                }
            }
            return n;
        }
    }

    private Builder building = new Builder();
    private Node root;
    private int size;

    void add(String prefix, Route route) {
        Builder b = building;
        for (int i = 0; i < prefix.length(); i++) {
            b = b.children.computeIfAbsent(prefix.charAt(i), c -> new Builder());
        }
        if (b.route == null || route.before(b.route)) {
            b.route = route;
        }
        size++;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void freeze() {
        root = building.freeze();
        building = null;
    }

    /** The best-ranked route whose prefix starts {@code path[0, end)}, or {@code best} if none beats it. */
    Route best(CharSequence path, int end, Route best) {
        Node n = root;
        int i = 0;
        while (true) {
            char[] segment = n.segment;
            if (end - i < segment.length) {
                return best;
            }
            for (int k = 0; k < segment.length; k++) {
                if (path.charAt(i + k) != segment[k]) {
                    return best;
                }
            }
            i += segment.length;
            Route r = n.route;
            if (r != null && (best == null || r.before(best))) {
                best = r;
            }
            if (i == end) {
                return best;
            }
            n = n.child(path.charAt(i++));
            if (n == null) {
                return best;
            }
        }
    }

    /** Every route stored, for tests. */
    List<Route> routes() {
        List<Route> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    private static void collect(Node n, List<Route> out) {
        if (n.route != null) {
            out.add(n.route);
        }
        for (Node c : n.children) {
            collect(c, out);
        }
    }
}
