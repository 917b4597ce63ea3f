package io.pingora4j.cache.http;

/**
 * A request's conditional fields evaluated against a stored response (RFC 9111 §4.3.2, RFC 9110
 * §13.1): whether the cache may answer 304 Not Modified instead of the stored response.
 *
 * <p>Stateless.
 */
public final class Conditionals {

    private Conditionals() {
    }

    /**
     * {@code If-None-Match} decides when present (weak comparison; {@code *} matches a stored
     * response that has an entity tag); else {@code If-Modified-Since} against the stored
     * {@code Last-Modified}, for a 200 or 203 only.
     *
     * @param ifNoneMatch     the request's If-None-Match lines (empty when absent)
     * @param ifModifiedSince the request's If-Modified-Since, or null
     * @param etag            the stored ETag, or null
     * @param lastModified    the stored Last-Modified, or null
     * @param status          the stored status
     */
    public static boolean notModified(String[] ifNoneMatch, String ifModifiedSince, String etag, String lastModified,
                                      int status) {
        if (ifNoneMatch.length > 0) {
            if (etag == null) {
                return false;
            }
            String mine = opaque(etag);
            for (String line : ifNoneMatch) {
                for (String tag : line.split(",")) {
                    String t = tag.trim();
                    if (t.equals("*") || (!t.isEmpty() && opaque(t).equals(mine))) {
                        return true;
                    }
                }
            }
            return false;
        }
        if (ifModifiedSince == null || lastModified == null || (status != 200 && status != 203)) {
            return false;
        }
        long since = HttpDate.parse(ifModifiedSince, Long.MAX_VALUE / 2);
        long modified = HttpDate.parse(lastModified, Long.MAX_VALUE / 2);
        return since != HttpDate.INVALID && modified != HttpDate.INVALID && modified <= since;
    }

    /** The weak comparison's view of an entity tag (RFC 9110 §8.8.3.2): without its W/ prefix. */
    private static String opaque(String etag) {
        return etag.startsWith("W/") ? etag.substring(2) : etag;
    }
}
