package io.pingora4j.codec.h1;

/**
 * Reads parameters from a request's query string ({@code a=1&b=2}, without the {@code ?}). The
 * one query parser of pingora4j: hash-based load balancing and the limit plugin ask here.
 *
 * <p>Names are compared exactly and nothing is percent-decoded: a parameter is what the client
 * sent. A parameter written without {@code =} has the empty value.
 *
 * <p>Stateless; allocates the value found.
 */
public final class QueryString {

    private QueryString() {
    }

    /** The value of the first parameter named {@code name}; "" for {@code name} or {@code name=}; null if absent. */
    public static String get(CharSequence query, String name) {
        if (query == null) {
            return null;
        }
        int n = query.length();
        int at = 0;
        while (at <= n) {
            int end = at;
            while (end < n && query.charAt(end) != '&') {
                end++;
            }
            int nameEnd = at + name.length();
            if (nameEnd <= end && regionIs(query, at, name) && (nameEnd == end || query.charAt(nameEnd) == '=')) {
                return nameEnd == end ? "" : query.subSequence(nameEnd + 1, end).toString();
            }
            at = end + 1;
        }
        return null;
    }

    private static boolean regionIs(CharSequence s, int from, String name) {
        for (int i = 0; i < name.length(); i++) {
            if (s.charAt(from + i) != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
