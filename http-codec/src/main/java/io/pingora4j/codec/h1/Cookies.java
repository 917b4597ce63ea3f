package io.pingora4j.codec.h1;

/**
 * Reads cookies from a request's {@code Cookie} fields (RFC 6265 §4.2.1: {@code a=1; b=2}). The
 * one cookie parser of pingora4j: hash-based load balancing, the limit plugin and the access log
 * all ask here.
 *
 * <p>A pair's name and value are trimmed of white space, and a value in double quotes (a
 * {@code cookie-value} may be quoted, §4.1.1) is given without them. A pair without {@code =} is
 * skipped. Every {@code Cookie} field is searched, in order (HTTP/2 sends one per cookie).
 *
 * <p>Stateless; allocates the field's text and the value found.
 */
public final class Cookies {

    private static final String COOKIE = "Cookie";

    private Cookies() {
    }

    /** The value of the first cookie named {@code name} in any Cookie field; "" if it is empty; null if absent. */
    public static String get(HeaderBlock headers, String name) {
        for (int i = headers.indexOf(COOKIE); i >= 0; i = headers.indexOf(COOKIE, i + 1)) {
            String v = get(headers.value(i), name);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /** The value of the first cookie named {@code name} in one Cookie field value; null if absent. */
    public static String get(String cookieField, String name) {
        int at = 0;
        int n = cookieField.length();
        while (at < n) {
            int semi = cookieField.indexOf(';', at);
            int end = semi < 0 ? n : semi;
            int eq = cookieField.indexOf('=', at);
            if (eq > at && eq < end && nameIs(cookieField, at, eq, name)) {
                return unquote(trimmed(cookieField, eq + 1, end));
            }
            at = end + 1;
        }
        return null;
    }

    private static boolean nameIs(String s, int from, int to, String name) {
        while (from < to && isSpace(s.charAt(from))) {
            from++;
        }
        while (to > from && isSpace(s.charAt(to - 1))) {
            to--;
        }
        return to - from == name.length() && s.startsWith(name, from);
    }

    private static String trimmed(String s, int from, int to) {
        while (from < to && isSpace(s.charAt(from))) {
            from++;
        }
        while (to > from && isSpace(s.charAt(to - 1))) {
            to--;
        }
        return s.substring(from, to);
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"' ? v.substring(1, v.length() - 1) : v;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }
}
