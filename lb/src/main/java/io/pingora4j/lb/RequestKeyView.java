package io.pingora4j.lb;

/**
 * The parts of a request that hash-based selection may key on, without HTTP types: the engine
 * implements it over its parsed request, tests over plain fields.
 *
 * <p>Every method returns null when the part is absent. Implementations should return views
 * (slices of the request buffer wrapped as {@link CharSequence}) rather than new Strings where
 * they can: selectors hash the characters and keep nothing.
 */
public interface RequestKeyView {

    /** The client address as text, as nginx's {@code $remote_addr} ("192.0.2.1", "2001:db8::1"). */
    default CharSequence clientIp() {
        return null;
    }

    /**
     * The client address as 4 (IPv4) or 16 (IPv6) raw bytes, for {@link IpHash}; null for a
     * non-IP peer such as a unix socket. The selector only reads it, so a cached array is fine.
     */
    default byte[] clientAddress() {
        return null;
    }

    /** The first value of a request header, by case-insensitive name. */
    default CharSequence header(String name) {
        return null;
    }

    /** The value of a cookie from the Cookie header. */
    default CharSequence cookie(String name) {
        return null;
    }

    /** The first value of a query-string parameter, undecoded. */
    default CharSequence query(String name) {
        return null;
    }

    /** The request path without the query string. */
    default CharSequence path() {
        return null;
    }

    /** The request target as received: path and query string. */
    default CharSequence url() {
        return null;
    }
}
