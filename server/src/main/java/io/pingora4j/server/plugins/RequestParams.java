package io.pingora4j.server.plugins;

import io.pingora4j.codec.h1.Cookies;
import io.pingora4j.codec.h1.QueryString;
import io.pingora4j.spi.Session;

/**
 * A request's query parameters and cookies by name, for the plugins: the one query and cookie
 * parsers of http-codec ({@link QueryString}, {@link Cookies}), with an empty value read as absent
 * (a plugin looking for a key or a token treats {@code ?key=} like no key at all).
 *
 * <p>Stateless; thread-safe.
 */
public final class RequestParams {

    private RequestParams() {
    }

    /** The raw value of query parameter {@code name}, or null (absent or empty). */
    public static String query(Session session, String name) {
        return nonEmpty(QueryString.get(session.request().query(), name));
    }

    /** The value of cookie {@code name} in the request's Cookie fields, or null (absent or empty). */
    public static String cookie(Session session, String name) {
        return nonEmpty(Cookies.get(session.request().headers(), name));
    }

    private static String nonEmpty(String v) {
        return v == null || v.isEmpty() ? null : v;
    }
}
