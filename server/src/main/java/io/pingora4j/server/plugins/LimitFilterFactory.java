package io.pingora4j.server.plugins;

import io.pingora4j.codec.h1.Cookies;
import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.QueryString;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.limits.Inflight;
import io.pingora4j.limits.KeyedInflightLimiter;
import io.pingora4j.limits.KeyedRateLimiter;
import io.pingora4j.limits.NanoClock;
import io.pingora4j.server.plugins.shared.CountSync;
import io.pingora4j.server.plugins.shared.RedisCounterStore;
import io.pingora4j.server.plugins.shared.SharedRateLimiter;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.Session;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * Pingap's {@code limit} plugin: requests per key per interval ({@code type = "rate"}, the default)
 * or requests per key at once ({@code type = "inflight"}). A request over the limit is answered
 * 429 Too Many Requests by the proxy and nothing goes upstream; a rate limit's answer carries
 * {@code Retry-After} (whole seconds, rounded up, from {@link KeyedRateLimiter#retryAfterSecondsHash}).
 * An in-flight limit's answer has no {@code Retry-After}: when a place frees up is not known.
 *
 * <pre>
 * [plugins.perIp]
 * category = "limit"
 * type = "rate"          # or "inflight"
 * tag = "ip"             # the key: "ip" (default), "header", "cookie", "query", or a gRPC
 *                        # call's "grpc_method" ("pkg.Service/Method") or "grpc_service"
 * key = "X-Api-Key"      # the header, cookie or query parameter name; required unless tag = "ip"
 * max = 100              # requests per interval (rate) or at once (inflight); at least 1
 * interval = "1m"        # rate only; default "10s"
 * weight = 1.0           # rate only: share of the previous interval that counts, 0..1; default 1
 * store = "redis://127.0.0.1:6379/0"  # rate only: share the limit with every proxy on this store
 *                        # (also rediss://, redis-sentinel://...#master, redis-cluster://h1:p1,h2:p2)
 * sync_interval = "5ms"  # with store: how often counts are sent and the fleet's read back
 * store_timeout = "500ms" # with store: a round slower than this marks the store down
 * fail_open = true       # with store: store down, limit with local counts (false: refuse, 429)
 * </pre>
 *
 * <p>With {@code store}, {@code max} holds for the fleet of proxies on that store, not for each;
 * the request path never waits on the store and the fleet's error is bounded as
 * {@link SharedRateLimiter} states.
 *
 * <p>Keys: {@code ip} is the TCP peer's address ({@link Session#clientIp()}), never
 * {@code X-Forwarded-For}, which a client could vary to escape the limit. {@code header} is the
 * first field of that name; {@code cookie} the first cookie of that name in the {@code Cookie}
 * fields; {@code query} the first parameter of that name, raw (not percent-decoded).
 * <b>A request without a value for the key (no such header, cookie or parameter, or an empty
 * one) is not limited and not counted</b>, as in Pingap.
 *
 * <p>{@code weight = 1} (the default) makes the rate window slide: {@code max} holds over any
 * interval-long span, which is what Pingap's {@code max} now means. {@code weight = 0} counts the
 * current interval only (a fixed window: up to {@code 2 * max} across a boundary). Pingap itself
 * no longer reads {@code weight}; we keep it because our limiter supports it. Counts live in
 * count-min sketches of fixed size ({@value #HASHES} x {@value #SLOTS}), so memory does not grow
 * with the number of keys; collisions can only refuse early, never admit past {@code max}.
 *
 * <p>Pingap's {@code step} key (request or proxy_upstream) is not read: the filter runs in the
 * request phase.
 *
 * <p>The factory is stateless and thread-safe. Each filter it makes holds its own limiter, shared
 * by every event loop (the limiters are lock-free); per-request state (an in-flight guard) is a
 * session attribute.
 */
public final class LimitFilterFactory implements FilterFactory {

    public static final String CATEGORY = "limit";
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final double DEFAULT_WEIGHT = 1.0;
    /** How often a shared limit sends its counts to the store and reads the fleet's back. */
    public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofMillis(5);
    /** How long a sync round waits for the store before calling it down. */
    public static final Duration DEFAULT_STORE_TIMEOUT = Duration.ofMillis(500);
    /** Count-min rows per sketch. */
    static final int HASHES = 4;
    /** Counters per row: about the number of busy keys expected at once. */
    static final int SLOTS = 4096;
    private static final byte[] TOO_MANY_REQUESTS = "Too Many Requests".getBytes(StandardCharsets.US_ASCII);

    /** What the key is taken from. */
    enum Tag { IP, HEADER, COOKIE, QUERY, GRPC_METHOD, GRPC_SERVICE }

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        return create(config, NanoClock.SYSTEM);
    }

    /** As {@link #create(PluginConfig)} with the clock a rate limiter reads, for tests. */
    HttpFilter create(PluginConfig config, NanoClock clock) {
        String type = config.string("type", "rate").trim().toLowerCase(Locale.ROOT);
        if (!type.equals("rate") && !type.equals("inflight")) {
            throw config.invalid("type", "expected rate or inflight, got \"" + type + "\"");
        }
        Tag tag = tag(config);
        String key = null;
        if (tag != Tag.IP && tag != Tag.GRPC_METHOD && tag != Tag.GRPC_SERVICE) {
            key = config.string("key").trim();
            if (key.isEmpty()) {
                throw config.invalid("key", "must name the " + tag.name().toLowerCase(Locale.ROOT) + " to limit by");
            }
        }
        long max = config.longValue("max");
        if (max <= 0) {
            throw config.invalid("max", "must be at least 1, got " + max);
        }
        KeyExtractor extractor = new KeyExtractor(tag, key);
        if (type.equals("inflight") && config.has("store")) {
            throw config.invalid("store", "a shared store applies to type = \"rate\" only");
        }
        if (type.equals("inflight")) {
            return new InflightLimitFilter(extractor, new KeyedInflightLimiter(max, HASHES, SLOTS),
                    "limit.inflight." + config.name(), config.name());
        }
        Duration interval = config.duration("interval", DEFAULT_INTERVAL);
        if (interval.isZero()) {
            throw config.invalid("interval", "must be positive");
        }
        double weight = config.number("weight", DEFAULT_WEIGHT);
        if (!(weight >= 0.0 && weight <= 1.0)) {
            throw config.invalid("weight", "must be within 0 to 1, got " + weight);
        }
        if (config.has("store")) {
            return sharedRate(config, extractor, max, interval, weight);
        }
        return new RateLimitFilter(extractor, new KeyedRateLimiter(max, interval, weight, HASHES, SLOTS, clock),
                config.name());
    }

    /** {@code store = "redis://..."}: the limit is the fleet's (see {@link SharedRateLimiter} for the bound). */
    private static HttpFilter sharedRate(PluginConfig config, KeyExtractor extractor, long max, Duration interval,
                                         double weight) {
        String url = config.string("store").trim();
        String problem = RedisCounterStore.problem(url);
        if (problem != null) {
            throw config.invalid("store", problem);
        }
        Duration sync = config.duration("sync_interval", DEFAULT_SYNC_INTERVAL);
        if (sync.isZero() || sync.toMillis() < 1) {
            throw config.invalid("sync_interval", "must be at least 1ms");
        }
        Duration timeout = config.duration("store_timeout", DEFAULT_STORE_TIMEOUT);
        if (timeout.toMillis() < 1) {
            throw config.invalid("store_timeout", "must be at least 1ms");
        }
        if (interval.toMillis() < 1) {
            throw config.invalid("interval", "must be at least 1ms with a store");
        }
        boolean failOpen = config.bool("fail_open", true);
        SharedRateLimiter limiter = new SharedRateLimiter(config.name(), max, interval.toMillis(), weight, failOpen,
                System::currentTimeMillis);
        CountSync.shared(url, sync, timeout, u -> RedisCounterStore.of(u, timeout)).register(limiter);
        return new SharedRateLimitFilter(extractor, limiter, config.name());
    }

    private static Tag tag(PluginConfig config) {
        String tag = config.string("tag", "ip").trim().toLowerCase(Locale.ROOT);
        switch (tag) {
            case "ip":
                return Tag.IP;
            case "header":
                return Tag.HEADER;
            case "cookie":
                return Tag.COOKIE;
            case "query":
                return Tag.QUERY;
            case "grpc_method":
                return Tag.GRPC_METHOD;
            case "grpc_service":
                return Tag.GRPC_SERVICE;
            default:
                throw config.invalid("tag", "expected ip, header, cookie, query, grpc_method or grpc_service, got \""
                        + tag + "\"");
        }
    }

    /**
     * The session attribute a refusal sets to the refusing plugin's name, so the server counts it
     * ({@code pingora4j_limit_refusals_total}) and explains it in the error log.
     */
    public static final String REFUSED_BY_ATTRIBUTE = "limit.refused_by";

    /** The 429 both filters answer with; a refusal is the cold path, so it may allocate the head. */
    private static void tooManyRequests(Session session, long retryAfterSeconds, String plugin) {
        session.setAttribute(REFUSED_BY_ATTRIBUTE, plugin);
        ResponseHead head = new ResponseHead();
        head.setStatus(429);
        head.headers().set("Content-Type", "text/plain");
        if (retryAfterSeconds > 0) {
            head.headers().set("Retry-After", Long.toString(retryAfterSeconds));
        }
        session.respond(head, ByteBuffer.wrap(TOO_MANY_REQUESTS));
    }

    /**
     * Finds a request's key. Immutable; thread-safe. The IP key is the session's cached string;
     * the others allocate the value (and the query or cookie field text they are cut from).
     */
    static final class KeyExtractor {
        private final Tag tag;
        private final String name;

        KeyExtractor(Tag tag, String name) {
            this.tag = tag;
            this.name = name;
        }

        /** The key's value, or null when the request has none (it is then not limited). */
        String key(Session session) {
            switch (tag) {
                case IP:
                    return session.clientIp();
                case HEADER: {
                    HeaderBlock h = session.request().headers();
                    int i = h.indexOf(name);
                    return i < 0 || h.valueLength(i) == 0 ? null : h.value(i);
                }
                case COOKIE:
                    return nonEmpty(Cookies.get(session.request().headers(), name));
                case GRPC_SERVICE:
                    return session.grpcService(); // null for a request that is not a gRPC call: not limited
                case GRPC_METHOD:
                    return session.grpcService() == null ? null : session.request().path().substring(1);
                default:
                    return nonEmpty(QueryString.get(session.request().query(), name));
            }
        }

        private static String nonEmpty(String v) {
            return v == null || v.isEmpty() ? null : v;
        }
    }

    /** Requests per key per interval. Thread-safe: the limiter is lock-free; no per-request state. */
    static final class RateLimitFilter implements HttpFilter {
        private final KeyExtractor extractor;
        private final KeyedRateLimiter limiter;
        private final String name;

        RateLimitFilter(KeyExtractor extractor, KeyedRateLimiter limiter, String name) {
            this.extractor = extractor;
            this.limiter = limiter;
            this.name = name;
        }

        @Override
        public Action requestFilter(Session session) {
            String key = extractor.key(session);
            if (key == null) {
                return Action.CONTINUE;
            }
            long hash = limiter.hasher().hash(key);
            if (limiter.tryAcquireHash(hash)) {
                return Action.CONTINUE;
            }
            // Refused: the wait is positive unless another thread's clock reading moved past the
            // boundary in between; a Retry-After of 0 would invite an immediate retry, so at least 1.
            tooManyRequests(session, Math.max(1, limiter.retryAfterSecondsHash(hash)), name);
            return Action.RESPONDED;
        }
    }

    /** Requests per key per interval across a fleet. Thread-safe: see {@link SharedRateLimiter}. */
    static final class SharedRateLimitFilter implements HttpFilter {
        private final KeyExtractor extractor;
        private final SharedRateLimiter limiter;
        private final String name;

        SharedRateLimitFilter(KeyExtractor extractor, SharedRateLimiter limiter, String name) {
            this.extractor = extractor;
            this.limiter = limiter;
            this.name = name;
        }

        @Override
        public Action requestFilter(Session session) {
            String key = extractor.key(session);
            if (key == null || limiter.tryAcquire(key)) {
                return Action.CONTINUE;
            }
            tooManyRequests(session, limiter.retryAfterSeconds(), name);
            return Action.RESPONDED;
        }
    }

    /**
     * Requests per key at once. The admitted request's guard is the session attribute
     * {@code attribute} (one per plugin, so two limit plugins on a location do not collide) and is
     * closed in {@link #logging}, which the proxy calls exactly once per request, whatever the
     * outcome. Thread-safe: the limiter is lock-free and a guard closes at most once.
     */
    static final class InflightLimitFilter implements HttpFilter {
        private final KeyExtractor extractor;
        private final KeyedInflightLimiter limiter;
        private final String attribute;
        private final String name;

        InflightLimitFilter(KeyExtractor extractor, KeyedInflightLimiter limiter, String attribute, String name) {
            this.extractor = extractor;
            this.limiter = limiter;
            this.attribute = attribute;
            this.name = name;
        }

        @Override
        public Action requestFilter(Session session) {
            String key = extractor.key(session);
            if (key == null) {
                return Action.CONTINUE;
            }
            Inflight.Guard guard = limiter.tryAcquire(key);
            if (guard == null) {
                tooManyRequests(session, 0, name);
                return Action.RESPONDED;
            }
            session.setAttribute(attribute, guard);
            return Action.CONTINUE;
        }

        @Override
        public void logging(Session session, ProxyError error) {
            if (session.attribute(attribute) instanceof Inflight.Guard guard) {
                guard.close();
                session.setAttribute(attribute, null);
            }
        }

        /** The in-flight estimate for {@code key}, for tests. */
        long inflight(String key) {
            return limiter.inflight(key);
        }
    }
}
