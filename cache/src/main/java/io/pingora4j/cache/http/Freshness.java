package io.pingora4j.cache.http;

import java.util.Arrays;
import java.util.Objects;

/**
 * The freshness of one stored response as a shared cache sees it (RFC 9111 §4.2).
 *
 * <p>Built once, when the response is received, from its status, {@code Cache-Control},
 * {@code Date}, {@code Expires}, {@code Age} and {@code Last-Modified} field values and the times
 * the request was sent and the response received. After that, every question takes only the
 * current time. All times are epoch seconds, the resolution of HTTP dates; the caller supplies
 * "now", so tests and the event loop's cached clock are both fine.
 *
 * <p>Immutable and thread-safe.
 */
public final class Freshness {

    private final long lifetime;
    private final long correctedInitialAge;
    private final long responseTime;
    private final boolean noCache;
    private final boolean staleForbidden;
    private final long staleWhileRevalidate;
    private final long staleIfError;

    private Freshness(long lifetime, long correctedInitialAge, long responseTime, CacheControl cc) {
        this.lifetime = lifetime;
        this.correctedInitialAge = correctedInitialAge;
        this.responseTime = responseTime;
        this.noCache = cc.noCache();
        // §4.2.4: no stale response when must-revalidate, proxy-revalidate or (for a shared cache)
        // s-maxage applies (§5.2.2.10: s-maxage implies proxy-revalidate), nor with no-cache.
        this.staleForbidden = cc.mustRevalidate() || cc.proxyRevalidate() || cc.sMaxAge().isPresent() || cc.noCache();
        this.staleWhileRevalidate = cc.staleWhileRevalidate().orElse(-1);
        this.staleIfError = cc.staleIfError().orElse(-1);
    }

    private Freshness(Freshness other, long lifetime) {
        this.lifetime = lifetime;
        this.correctedInitialAge = other.correctedInitialAge;
        this.responseTime = other.responseTime;
        this.noCache = other.noCache;
        this.staleForbidden = other.staleForbidden;
        this.staleWhileRevalidate = other.staleWhileRevalidate;
        this.staleIfError = other.staleIfError;
    }

    private Freshness(long[] state) {
        this.lifetime = state[0];
        this.correctedInitialAge = state[1];
        this.responseTime = state[2];
        this.noCache = (state[3] & 1) != 0;
        this.staleForbidden = (state[3] & 2) != 0;
        this.staleWhileRevalidate = state[4];
        this.staleIfError = state[5];
    }

    /** How many numbers {@link #state()} gives. */
    public static final int STATE_LENGTH = 6;

    /**
     * Everything this freshness knows, as {@link #STATE_LENGTH} numbers: what a cache that keeps
     * responses across restarts stores, and gives back to {@link #restore}. Times stay absolute
     * (epoch seconds), so a restored response has aged by the time it spent on disk.
     */
    public long[] state() {
        return new long[] {lifetime, correctedInitialAge, responseTime, (noCache ? 1 : 0) | (staleForbidden ? 2 : 0),
            staleWhileRevalidate, staleIfError};
    }

    /**
     * The freshness {@link #state()} described.
     *
     * @throws IllegalArgumentException if {@code state} is not {@link #STATE_LENGTH} numbers, or
     *     holds a negative lifetime or age, or unknown flags
     */
    public static Freshness restore(long[] state) {
        if (state.length != STATE_LENGTH || state[0] < 0 || state[1] < 0 || (state[3] & ~3L) != 0) {
            throw new IllegalArgumentException("not a freshness state: " + Arrays.toString(state));
        }
        return new Freshness(state.clone());
    }

    /**
     * This freshness with its lifetime lowered to {@code maxLifetimeSeconds} if longer: a cache's
     * own ceiling (nginx's {@code proxy_cache_valid}, Pingap's {@code max_ttl}). Stale allowances
     * are unchanged.
     */
    public Freshness capLifetime(long maxLifetimeSeconds) {
        return lifetime <= maxLifetimeSeconds ? this : new Freshness(this, Math.max(0, maxLifetimeSeconds));
    }

    /** Starts describing a response with the given status and response {@code Cache-Control}. */
    public static Builder forResponse(int status, CacheControl cacheControl) {
        return new Builder(status, cacheControl);
    }

    /** Freshness lifetime in seconds (§4.2.1), heuristic included if the policy allowed one. */
    public long lifetime() {
        return lifetime;
    }

    /** Current age in seconds (§4.2.3): corrected initial age plus time resident here. */
    public long currentAge(long nowSeconds) {
        return correctedInitialAge + Math.max(0, nowSeconds - responseTime);
    }

    /** §4.2: fresh while the freshness lifetime exceeds the current age. */
    public boolean isFresh(long nowSeconds) {
        return lifetime > currentAge(nowSeconds);
    }

    /** Seconds past the freshness lifetime; 0 while fresh. */
    public long staleness(long nowSeconds) {
        return Math.max(0, currentAge(nowSeconds) - lifetime);
    }

    /**
     * Whether the stored response may be sent without contacting the origin: fresh and not
     * {@code no-cache} (§4, §5.2.2.4).
     */
    public boolean usableWithoutValidation(long nowSeconds) {
        return !noCache && isFresh(nowSeconds);
    }

    /**
     * RFC 5861 §3: a stale response may be served while it is revalidated in the background, for
     * up to {@code stale-while-revalidate} seconds of staleness, unless §4.2.4 forbids stale use.
     */
    public boolean mayServeStaleWhileRevalidate(long nowSeconds) {
        return staleAllowedWithin(staleWhileRevalidate, nowSeconds);
    }

    /**
     * RFC 5861 §4: a stale response may be served when the origin errs (5xx, or unreachable), for
     * up to {@code stale-if-error} seconds of staleness, unless §4.2.4 forbids stale use.
     */
    public boolean mayServeStaleIfError(long nowSeconds) {
        return staleAllowedWithin(staleIfError, nowSeconds);
    }

    /**
     * Whether a request with the given {@code Cache-Control} may be answered from this response
     * without validation (§5.2.1): request {@code no-cache}, {@code max-age}, {@code min-fresh}
     * and {@code max-stale}. {@code max-stale} cannot override must-revalidate and friends.
     */
    public boolean satisfies(CacheControl request, long nowSeconds) {
        if (request.noCache() || noCache) {
            return false;
        }
        long age = currentAge(nowSeconds);
        if (request.maxAge().isPresent() && age > request.maxAge().getAsLong()) {
            return false;
        }
        if (request.minFresh().isPresent() && lifetime - age < request.minFresh().getAsLong()) {
            return false;
        }
        if (isFresh(nowSeconds)) {
            return true;
        }
        return !staleForbidden && request.maxStale().isPresent()
                && staleness(nowSeconds) <= request.maxStale().getAsLong();
    }

    private boolean staleAllowedWithin(long allowance, long nowSeconds) {
        return allowance >= 0 && !staleForbidden && !isFresh(nowSeconds) && staleness(nowSeconds) <= allowance;
    }

    /** Collects the facts about a response; not thread-safe, use on one thread then discard. */
    public static final class Builder {
        private final int status;
        private final CacheControl cc;
        private CharSequence[] date = {};
        private CharSequence[] expires = {};
        private CharSequence[] age = {};
        private CharSequence lastModified;
        private long requestTime = Long.MIN_VALUE;
        private long responseTime = Long.MIN_VALUE;

        private Builder(int status, CacheControl cacheControl) {
            this.status = status;
            this.cc = Objects.requireNonNull(cacheControl, "cacheControl");
        }

        /** {@code Date} field line(s); absent, several or invalid means "use the response time". */
        public Builder date(CharSequence... values) {
            this.date = present(values);
            return this;
        }

        /** {@code Expires} field line(s). Invalid or conflicting values mean already expired (§5.3). */
        public Builder expires(CharSequence... values) {
            this.expires = present(values);
            return this;
        }

        /** {@code Age} field line(s). An invalid value counts as not available, i.e. 0 (§4.2.3). */
        public Builder age(CharSequence... values) {
            this.age = present(values);
            return this;
        }

        /** {@code Last-Modified}, used only by heuristic freshness. */
        public Builder lastModified(CharSequence value) {
            this.lastModified = value;
            return this;
        }

        /** When the request that produced this response was sent (§4.2.3 request_time). */
        public Builder requestTime(long epochSeconds) {
            this.requestTime = epochSeconds;
            return this;
        }

        /** When the response was received (§4.2.3 response_time). */
        public Builder responseTime(long epochSeconds) {
            this.responseTime = epochSeconds;
            return this;
        }

        /**
         * Computes lifetime and initial age. Request and response times are required.
         *
         * @throws IllegalStateException if either time is missing or the response came before the request
         */
        public Freshness build(FreshnessPolicy policy) {
            if (requestTime == Long.MIN_VALUE || responseTime == Long.MIN_VALUE) {
                throw new IllegalStateException("requestTime and responseTime are required");
            }
            if (responseTime < requestTime) {
                throw new IllegalStateException("response received before the request was sent");
            }
            long dateValue = single(date, responseTime);
            if (dateValue == HttpDate.INVALID) {
                dateValue = responseTime; // RFC 9110 §6.6.1: a cache supplies Date when missing
            }
            return new Freshness(lifetime(dateValue, policy), initialAge(dateValue), responseTime, cc);
        }

        /** §4.2.1, in the order a shared cache must use. */
        private long lifetime(long dateValue, FreshnessPolicy policy) {
            if (cc.sMaxAge().isPresent()) {
                return cc.sMaxAge().getAsLong();
            }
            if (cc.maxAge().isPresent()) {
                return cc.maxAge().getAsLong();
            }
            if (expires.length > 0) {
                long expiresValue = single(expires, dateValue);
                if (expiresValue == HttpDate.INVALID) {
                    return 0; // §5.3: invalid (e.g. "0") means in the past; §4.2.1: conflicting means stale
                }
                return Math.max(0, expiresValue - dateValue);
            }
            return heuristic(dateValue, policy);
        }

        /** §4.2.2: only when configured, and only for heuristically cacheable statuses or public. */
        private long heuristic(long dateValue, FreshnessPolicy policy) {
            if (!policy.heuristicEnabled() || lastModified == null) {
                return 0;
            }
            if (!cc.isPublic() && !StoreDecision.isHeuristicallyCacheable(status)) {
                return 0;
            }
            long modified = HttpDate.parse(lastModified, dateValue);
            if (modified == HttpDate.INVALID || modified >= dateValue) {
                return 0;
            }
            long lifetime = (long) ((dateValue - modified) * policy.heuristicFraction());
            return Math.min(lifetime, policy.heuristicMaxSeconds());
        }

        /** §4.2.3 corrected_initial_age. */
        private long initialAge(long dateValue) {
            long ageValue = 0;
            if (age.length >= 1) {
                // several Age lines: use the first (§4.2.1 allows "the first occurrence")
                long parsed = CacheControl.parseDeltaSeconds(age[0].toString().trim());
                ageValue = Math.max(parsed, 0);
            }
            long apparentAge = Math.max(0, responseTime - dateValue);
            long responseDelay = responseTime - requestTime;
            long correctedAgeValue = ageValue + responseDelay;
            return Math.max(apparentAge, correctedAgeValue);
        }

        private static CharSequence[] present(CharSequence[] values) {
            return values == null ? new CharSequence[0]
                    : Arrays.stream(values).filter(Objects::nonNull).toArray(CharSequence[]::new);
        }

        /** One date from possibly several field lines: differing values are invalid. */
        private long single(CharSequence[] values, long now) {
            long result = HttpDate.INVALID;
            boolean seen = false;
            for (CharSequence value : values) {
                if (value == null) {
                    continue;
                }
                long parsed = HttpDate.parse(value, now);
                if (seen && parsed != result) {
                    return HttpDate.INVALID;
                }
                result = parsed;
                seen = true;
            }
            return result;
        }
    }
}
