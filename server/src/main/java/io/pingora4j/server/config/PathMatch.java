package io.pingora4j.server.config;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a location matches the request path. Written either Pingap's way in {@code path}
 * ({@code "=/exact"}, {@code "~regex"}, {@code "/prefix"}, empty = any path) or the seed's way
 * ({@code path} plus {@code path_type = "prefix" | "exact" | "regex"}).
 *
 * <p>A regex is searched for anywhere in the path, as Pingap does (anchor it with {@code ^} to match
 * from the start). Immutable.
 *
 * @param kind    the match kind
 * @param value   the path, prefix or regex text (without Pingap's '=' / '~' marker); "" for ANY
 * @param pattern the compiled regex for REGEX, null otherwise
 */
public record PathMatch(Kind kind, String value, Pattern pattern) {

    /** The kinds of path match. */
    public enum Kind { ANY, PREFIX, EXACT, REGEX }

    /** Matches every path. */
    public static final PathMatch ANY = new PathMatch(Kind.ANY, "", null);

    public PathMatch {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
        if ((kind == Kind.REGEX) != (pattern != null)) {
            throw new IllegalArgumentException("a pattern goes with REGEX and only with it");
        }
    }

    /**
     * Parses a path in Pingap's notation.
     *
     * @throws IllegalArgumentException for an invalid regex
     */
    public static PathMatch parsePingap(String path) {
        String p = path.strip();
        if (p.isEmpty()) {
            return ANY;
        }
        if (p.startsWith("~")) {
            return regex(p.substring(1).strip());
        }
        if (p.startsWith("=")) {
            return new PathMatch(Kind.EXACT, p.substring(1).strip(), null);
        }
        return new PathMatch(Kind.PREFIX, p, null);
    }

    /** A regex match. @throws IllegalArgumentException for an invalid regex */
    public static PathMatch regex(String regex) {
        return new PathMatch(Kind.REGEX, regex, Regexes.compile(regex));
    }

    /** The path in Pingap's notation ("=/a", "~^/a", "/a", ""), which Pingap's weight is computed from. */
    public String pingapNotation() {
        return switch (kind) {
            case ANY -> "";
            case PREFIX -> value;
            case EXACT -> "=" + value;
            case REGEX -> "~" + value;
        };
    }

    /** Whether {@code path} (without query) matches; for tests and tools, the router has its own index. */
    public boolean matches(CharSequence path) {
        return switch (kind) {
            case ANY -> true;
            case PREFIX -> startsWith(path, value);
            case EXACT -> value.contentEquals(path);
            case REGEX -> pattern.matcher(path).find();
        };
    }

    private static boolean startsWith(CharSequence s, String prefix) {
        if (s.length() < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (s.charAt(i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PathMatch p && p.kind == kind && p.value.equals(value);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + value.hashCode();
    }

    @Override
    public String toString() {
        return pingapNotation();
    }
}
