package io.pingora4j.server.plugins;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.spi.Session;

/**
 * A request's query parameters and cookies by name, for the plugins in sub-packages. The parsing
 * is the one the {@code limit} plugin uses ({@link LimitFilterFactory.KeyExtractor#pairValue}):
 * raw values (not percent-decoded), the first of a name wins, an empty value counts as absent.
 *
 * <p>Stateless; thread-safe.
 */
public final class RequestParams {

    private static final String COOKIE = "Cookie";

    private RequestParams() {
    }

    /** The raw value of query parameter {@code name}, or null. */
    public static String query(Session session, String name) {
        String q = session.request().query();
        return q == null ? null : LimitFilterFactory.KeyExtractor.pairValue(q, '&', name);
    }

    /** The value of cookie {@code name} in the request's Cookie fields, or null. */
    public static String cookie(Session session, String name) {
        HeaderBlock h = session.request().headers();
        for (int i = h.indexOf(COOKIE); i >= 0; i = h.indexOf(COOKIE, i + 1)) {
            String v = LimitFilterFactory.KeyExtractor.pairValue(h.value(i), ';', name);
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
