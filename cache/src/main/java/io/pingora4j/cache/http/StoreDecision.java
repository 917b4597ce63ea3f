package io.pingora4j.cache.http;

/**
 * Whether a shared cache may store a response (RFC 9111 §3), and if not, why.
 *
 * <p>{@link #forSharedCache} applies the rules of §3 and §3.5 in order; the first that refuses
 * names the outcome. It does not cover partial content (206) or 304 merging: those statuses are
 * refused here and left to a later layer. A qualified {@code private="field"} is storable; the
 * caller must strip the listed fields ({@link CacheControl#privateFields()}).
 *
 * <p>Stateless and thread-safe.
 */
public enum StoreDecision {
    /** The response may be stored. */
    STORE,
    /** §3: the request method is not one this cache stores (GET and HEAD). */
    METHOD_NOT_CACHEABLE,
    /** §3: not a final status, or one this cache does not understand (including 206 and 304). */
    STATUS_NOT_UNDERSTOOD,
    /** §5.2.1.5: {@code no-store} in the request. */
    NO_STORE_REQUEST,
    /** §5.2.2.5: {@code no-store} in the response. */
    NO_STORE_RESPONSE,
    /** §5.2.2.7: unqualified {@code private}; a shared cache must not store it. */
    PRIVATE,
    /** §3.5: the request carried {@code Authorization} and the response did not allow sharing it. */
    AUTHORIZATION,
    /** §3: no explicit freshness, not {@code public} and not a heuristically cacheable status. */
    NO_FRESHNESS_INFORMATION;

    /**
     * The statuses this cache understands and may store (RFC 9110 §15): the heuristically
     * cacheable ones plus redirects that are storable with explicit freshness.
     */
    static boolean isUnderstood(int status) {
        return isHeuristicallyCacheable(status) || status == 302 || status == 303 || status == 307;
    }

    /** RFC 9110 §15.1: statuses cacheable by default (206 excluded: no range support here). */
    static boolean isHeuristicallyCacheable(int status) {
        return switch (status) {
            case 200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501 -> true;
            default -> false;
        };
    }

    /**
     * Decides storability for a shared cache.
     *
     * @param method request method, case-sensitive as in RFC 9110 §9.1
     * @param request request {@code Cache-Control}
     * @param hasAuthorization whether the request carried an {@code Authorization} field
     * @param status response status
     * @param response response {@code Cache-Control}
     * @param hasExpires whether the response carried an {@code Expires} field (valid or not:
     *     an invalid one still makes it storable, just already stale)
     */
    public static StoreDecision forSharedCache(String method, CacheControl request, boolean hasAuthorization,
                                               int status, CacheControl response, boolean hasExpires) {
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            return METHOD_NOT_CACHEABLE;
        }
        boolean understood = isUnderstood(status);
        if (!understood) {
            return STATUS_NOT_UNDERSTOOD;
        }
        if (request.noStore()) {
            return NO_STORE_REQUEST;
        }
        // §5.2.2.3: with must-understand, a cache that implements the status ignores no-store
        if (response.noStore() && !response.mustUnderstand()) {
            return NO_STORE_RESPONSE;
        }
        if (response.isPrivate()) {
            return PRIVATE;
        }
        if (hasAuthorization && !response.mustRevalidate() && !response.isPublic() && response.sMaxAge().isEmpty()) {
            return AUTHORIZATION;
        }
        if (response.isPublic() || hasExpires || response.maxAge().isPresent() || response.sMaxAge().isPresent()
                || isHeuristicallyCacheable(status)) {
            return STORE;
        }
        return NO_FRESHNESS_INFORMATION;
    }

    /** Whether this outcome allows storing. */
    public boolean storable() {
        return this == STORE;
    }
}
