package io.pingora4j.server.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A location's path rewrite, compiled at load. Two spellings are accepted:
 * <ul>
 *   <li>Pingap's {@code "REGEX REPLACEMENT"}, e.g. {@code "^/api/(?<rest>.+)$ /$rest"}: the first match
 *       of REGEX in the path is replaced (the rest of the path is kept, as Rust's
 *       {@code Regex::replace} does). REPLACEMENT may use {@code $1}, {@code $name}, {@code ${name}}
 *       ({@code $$} is a '$'). A reference that is not a group of REGEX is taken from the route's
 *       captures (named groups of a {@code ~regex} host or path, numbered groups of a regex path as
 *       "1", "2"...); a reference that is neither is refused at load. A single token with a '$' is
 *       Pingap's shorthand for {@code ".* TOKEN"}; a single token without '$' is a REGEX whose
 *       match is removed.</li>
 *   <li>The seed's short form: a single path ({@code rewrite = "/"}) on a prefix (or exact) location
 *       replaces the matched prefix: with {@code path = "/api"}, "/api/users" becomes "/users" (the
 *       doubled slash at the join is collapsed).</li>
 * </ul>
 * Only the path is rewritten; the query is kept by the caller. Immutable and thread-safe.
 */
public final class RewriteRule {

    /** Route captures by name, for references the rewrite regex does not define. */
    @FunctionalInterface
    public interface Captures {
        /** The captured value, or null. */
        String get(String name);

        Captures NONE = name -> null;
    }

    private final String source;
    private final String prefix; // seed form when non-null
    private final Pattern pattern;
    private final String[] literal; // parts: literal[i] != null, else group ref
    private final int[] groupIndex; // >= 0 numbered group of pattern, -1 named
    private final String[] groupName; // for named or route-captured refs
    private final boolean[] fromRoute;

    private RewriteRule(String source, String prefix, Pattern pattern, List<Object[]> parts) {
        this.source = source;
        this.prefix = prefix;
        this.pattern = pattern;
        int n = parts.size();
        literal = new String[n];
        groupIndex = new int[n];
        groupName = new String[n];
        fromRoute = new boolean[n];
        for (int i = 0; i < n; i++) {
            Object[] p = parts.get(i);
            literal[i] = (String) p[0];
            groupIndex[i] = (Integer) p[1];
            groupName[i] = (String) p[2];
            fromRoute[i] = (Boolean) p[3];
        }
    }

    /**
     * Compiles a rewrite.
     *
     * @param text          the configured value
     * @param path          the location's path match (decides the seed short form)
     * @param routeCaptures names the router may capture for this location
     * @throws IllegalArgumentException naming what is wrong (invalid regex, unknown group...)
     */
    public static RewriteRule compile(String text, PathMatch path, Collection<String> routeCaptures) {
        Objects.requireNonNull(text, "text");
        String t = text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty rewrite; expected \"REGEX REPLACEMENT\" or a path");
        }
        String[] tokens = t.split("\\s+");
        if (tokens.length > 2) {
            throw new IllegalArgumentException("expected \"REGEX REPLACEMENT\" (two parts separated by a space), got "
                    + tokens.length + " parts");
        }
        if (tokens.length == 1) {
            String token = tokens[0];
            if (token.indexOf('$') >= 0) {
                return regexForm(text, ".*", token, routeCaptures);
            }
            if (token.startsWith("/") && (path.kind() == PathMatch.Kind.PREFIX || path.kind() == PathMatch.Kind.EXACT)) {
                List<Object[]> parts = new ArrayList<>();
                parts.add(new Object[] {token, -1, null, false});
                return new RewriteRule(text, path.value(), null, parts);
            }
            return regexForm(text, token, "", routeCaptures);
        }
        return regexForm(text, tokens[0], tokens[1], routeCaptures);
    }

    private static RewriteRule regexForm(String text, String regex, String replacement, Collection<String> routeCaptures) {
        Pattern pattern = Regexes.compile(regex);
        List<String> names = Regexes.groupNames(pattern);
        int groupCount = pattern.matcher("").groupCount();
        List<Object[]> parts = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int i = 0;
        int n = replacement.length();
        while (i < n) {
            char c = replacement.charAt(i);
            if (c != '$') {
                lit.append(c);
                i++;
                continue;
            }
            if (i + 1 < n && replacement.charAt(i + 1) == '$') {
                lit.append('$');
                i += 2;
                continue;
            }
            String ref;
            int end;
            if (i + 1 < n && replacement.charAt(i + 1) == '{') {
                int close = replacement.indexOf('}', i + 2);
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed '${' in replacement \"" + replacement + "\"");
                }
                ref = replacement.substring(i + 2, close);
                end = close + 1;
            } else {
                end = i + 1;
                while (end < n && isNameChar(replacement.charAt(end))) {
                    end++;
                }
                ref = replacement.substring(i + 1, end);
            }
            if (ref.isEmpty()) {
                lit.append('$');
                i++;
                continue;
            }
            if (lit.length() > 0) {
                parts.add(new Object[] {lit.toString(), -1, null, false});
                lit.setLength(0);
            }
            boolean numeric = ref.chars().allMatch(ch -> ch >= '0' && ch <= '9');
            if (numeric && Integer.parseInt(ref) <= groupCount) {
                parts.add(new Object[] {null, Integer.parseInt(ref), null, false});
            } else if (!numeric && names.contains(ref)) {
                parts.add(new Object[] {null, -1, ref, false});
            } else if (routeCaptures.contains(ref)) {
                parts.add(new Object[] {null, -1, ref, true});
            } else {
                throw new IllegalArgumentException("replacement refers to '$" + ref + "', which is not a group of '"
                        + regex + "'" + (routeCaptures.isEmpty() ? "" : " nor a route capture " + routeCaptures));
            }
            i = end;
        }
        if (lit.length() > 0) {
            parts.add(new Object[] {lit.toString(), -1, null, false});
        }
        return new RewriteRule(text, null, pattern, parts);
    }

    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }

    /** The rewrite as configured. */
    public String source() {
        return source;
    }

    /** True for the seed's short form (replace the location's prefix). */
    public boolean prefixForm() {
        return prefix != null;
    }

    /** The regex of Pingap's form; null for the short form. */
    public Pattern pattern() {
        return pattern;
    }

    /**
     * Rewrites {@code path} (no query).
     *
     * @return the new path (always starting with '/'), or null when the rule does not apply or
     *         changes nothing
     */
    public String apply(String path, Captures captures) {
        String out;
        if (prefix != null) {
            if (!path.startsWith(prefix)) {
                return null;
            }
            String replacement = literal[0];
            String rest = path.substring(prefix.length());
            if (replacement.endsWith("/") && rest.startsWith("/")) {
                rest = rest.substring(1);
            }
            out = replacement + rest;
        } else {
            Matcher m = pattern.matcher(path);
            if (!m.find()) {
                return null;
            }
            StringBuilder sb = new StringBuilder(path.length() + 16);
            sb.append(path, 0, m.start());
            for (int i = 0; i < literal.length; i++) {
                if (literal[i] != null) {
                    sb.append(literal[i]);
                } else if (fromRoute[i]) {
                    String v = captures == null ? null : captures.get(groupName[i] != null ? groupName[i] : "");
                    if (v != null) {
                        sb.append(v);
                    }
                } else {
                    String v = groupName[i] != null ? m.group(groupName[i]) : m.group(groupIndex[i]);
                    if (v != null) {
                        sb.append(v);
                    }
                }
            }
            sb.append(path, m.end(), path.length());
            out = sb.toString();
        }
        if (out.isEmpty() || out.charAt(0) != '/') {
            out = "/" + out;
        }
        return out.equals(path) ? null : out;
    }

    @Override
    public String toString() {
        return source;
    }
}
