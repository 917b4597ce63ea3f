package io.pingora4j.cache.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A response's {@code Vary} (RFC 9111 §4.1): the request fields that select among its variants.
 *
 * <p>Stateless.
 */
public final class Vary {

    /** The answer for {@code Vary: *}: the response never matches a later request (§4.1). */
    private static final String[] STAR = {"*"};

    private Vary() {
    }

    /**
     * The field names of a response's {@code Vary} lines, lower case, without repeats, sorted (so
     * equal sets compare equal); {@code ["*"]} when one is {@code *}; null when it does not vary.
     */
    public static String[] fields(String... varyLines) {
        List<String> names = new ArrayList<>();
        for (String line : varyLines) {
            for (String part : line.split(",")) {
                String n = part.trim().toLowerCase(Locale.ROOT);
                if (n.equals("*")) {
                    return STAR.clone();
                }
                if (!n.isEmpty() && !names.contains(n)) {
                    names.add(n);
                }
            }
        }
        if (names.isEmpty()) {
            return null;
        }
        String[] a = names.toArray(new String[0]);
        Arrays.sort(a);
        return a;
    }

    /** Whether {@link #fields} said {@code *}. */
    public static boolean isStar(String[] fields) {
        return fields != null && fields.length == 1 && fields[0].equals("*");
    }
}
