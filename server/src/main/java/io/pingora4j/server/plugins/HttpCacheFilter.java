package io.pingora4j.server.plugins;

import io.pingora4j.cache.http.CacheControl;
import io.pingora4j.cache.http.Conditionals;
import io.pingora4j.cache.http.Freshness;
import io.pingora4j.cache.http.StoreDecision;
import io.pingora4j.cache.http.StoredFields;
import io.pingora4j.cache.http.Vary;
import io.pingora4j.cache.lock.StampedeLock;
import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.HttpMethod;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.Session;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * The cache plugin's filter: a shared HTTP cache (RFC 9111) in front of a location.
 *
 * <h2>What a request meets</h2>
 * <ul>
 *   <li>{@code GET} and {@code HEAD} are looked up under namespace, host, path and query (and the
 *       configured request fields); a stored response that varies (§4.1) is found through the
 *       request's values of its {@code Vary} fields. {@code HEAD} is answered from a stored
 *       {@code GET}; a {@code HEAD} miss goes to the origin and is not stored.
 *   <li><b>HIT</b>: fresh enough for the request's own {@code Cache-Control} (§5.2.1): answered
 *       here, with {@code Age}; a client's {@code If-None-Match} / {@code If-Modified-Since}
 *       that matches gets 304 (§4.3.2).
 *   <li><b>MISS</b>: nothing stored. The first request for the key fetches; others wait up to
 *       {@code lock} for it and are then answered from the cache (one origin request for a
 *       stampede), or fetch themselves when the wait times out or nothing was stored.
 *   <li><b>EXPIRED</b>: stored but stale (or {@code no-cache}): the first request revalidates with
 *       the stored {@code ETag} / {@code Last-Modified}; a 304 refreshes the stored response
 *       (§4.3.4) and the client gets it whole; a 200 replaces it.
 *   <li><b>STALE</b>: served stale. Within {@code stale-while-revalidate} the requests that find
 *       a revalidation already running are answered at once with the stale copy, instead of
 *       waiting (nginx's {@code proxy_cache_use_stale updating}); within {@code stale-if-error},
 *       an origin that fails (5xx, or no connection) is answered with the stale copy (RFC 5861).
 *   <li>{@code PURGE} from an address in {@code purge_ip_list} drops the URL's stored responses
 *       (204; 404 if none); from elsewhere it is refused with 405. A successful {@code POST},
 *       {@code PUT}, {@code PATCH} or {@code DELETE} invalidates its URL (§4.4).
 * </ul>
 *
 * <p>A response is stored when RFC 9111 §3 allows it for a shared cache ({@link StoreDecision}),
 * it does not vary on {@code *}, its body is at most {@code max_file_size} (checked on
 * Content-Length, and on the bytes as they stream), and (with {@code check_cache_control}) it has
 * a {@code Cache-Control} field. The body is copied as it streams to the client; the entry is
 * inserted when the response ends, never before. Freshness is capped at {@code max_ttl}. When the
 * cache fetches, the client's conditional and {@code Range} fields are not sent upstream, so the
 * origin returns what the cache can store (as nginx's proxy cache does).
 *
 * <p>The RFC 9111 rules themselves live in the cache module ({@link CacheControl},
 * {@link Freshness}, {@link StoreDecision}, {@link StoredFields}, {@link Vary},
 * {@link Conditionals}); this class applies them to a request's phases.
 *
 * <p>With a disk store the phases stay on the event loop and the files do not: a hit's body is
 * read by the store's I/O threads while the request waits (deferred), a stale copy's body before
 * its revalidation goes upstream, and a response is written there after its last byte streamed by
 * (the key's lock is held until it is findable).
 *
 * <p>One instance serves every event loop: the store ({@link CacheStore}) and lock are
 * thread-safe, and a request's state ({@link CacheRequest}) is a session attribute.
 */
final class HttpCacheFilter implements HttpFilter {

    static final String ATTRIBUTE = "cache";
    private static final String HIT = "HIT";
    private static final String MISS = "MISS";
    private static final String STALE = "STALE";
    private static final String EXPIRED = "EXPIRED";

    record Settings(String namespace, long maxTtlSeconds, int maxFileSize, long lockNanos, String[] keyHeaders,
                    IpList purgeIps, boolean checkCacheControl, Pattern skip) {
    }

    private final CacheStore store;
    private final Settings settings;
    private final LongSupplier clock;

    HttpCacheFilter(CacheStore store, Settings settings, LongSupplier epochSeconds) {
        this.store = store;
        this.settings = settings;
        this.clock = epochSeconds;
    }

    // ================================================================== request

    @Override
    public Action requestFilter(Session session) {
        RequestHead req = session.request();
        HttpMethod m = req.method();
        if (m == HttpMethod.OTHER && "PURGE".equals(req.methodName())) {
            return purge(session, req);
        }
        if (m == HttpMethod.POST || m == HttpMethod.PUT || m == HttpMethod.DELETE || m == HttpMethod.PATCH) {
            CacheRequest st = new CacheRequest(primaryKey(req), CacheControl.EMPTY, false, 0);
            st.invalidate = st.primary;
            session.setAttribute(ATTRIBUTE, st);
            return Action.CONTINUE;
        }
        if (m != HttpMethod.GET && m != HttpMethod.HEAD) {
            return Action.CONTINUE;
        }
        if (settings.skip() != null && settings.skip().matcher(req.pathAndQuery()).find()) {
            return Action.CONTINUE;
        }
        HeaderBlock h = req.headers();
        CacheRequest st = new CacheRequest(primaryKey(req), CacheControl.forRequest(CacheStore.values(h, "Cache-Control"),
                CacheStore.values(h, "Pragma")), m == HttpMethod.HEAD, clock.getAsLong());
        session.setAttribute(ATTRIBUTE, st);
        return lookup(session, st, true);
    }

    /**
     * Answers from the cache, or decides how the request goes upstream. {@code mayWait}: whether
     * a miss may queue behind another request's fetch (false once it has waited).
     */
    private Action lookup(Session session, CacheRequest st, boolean mayWait) {
        long now = clock.getAsLong();
        CacheStore.Found found = store.find(st.primary, session.request().headers());
        st.key = found.key();
        CachedResponse e = found.response();
        if (e != null) {
            if (e.freshness.satisfies(st.requestCc, now)) {
                return serve(session, st, e, HIT, now);
            }
            st.stale = e;
        } else if (st.requestCc.onlyIfCached()) {
            st.releaseWriter();
            session.respond(504, "text/plain", "Gateway Timeout: not in cache (only-if-cached)".getBytes());
            return Action.RESPONDED; // §5.2.1.7
        }
        if (st.head) {
            // a HEAD is not stored, but one arriving while its GET is fetched (or written to disk)
            // waits for it like a GET would, and is then answered from the cache
            if (e == null && mayWait && st.writer == null) {
                StampedeLock.Permit p = store.lock.acquire(st.key, System.nanoTime() + settings.lockNanos());
                if (!p.isWriter()) {
                    return waitFor(session, st, (StampedeLock<String>.Waiter) p);
                }
                ((StampedeLock<String>.Writer) p).release(); // nobody is fetching it
            }
            st.releaseWriter(); // promoted while waiting: a HEAD fetches nothing to store, the next may
            st.xCache = e == null ? MISS : EXPIRED;
            return upstreamWithStaleBody(session, st);
        }
        if (st.writer == null && (mayWait || e != null && mayServeStaleWhileRevalidate(st, e, now))) {
            StampedeLock.Permit p = store.lock.acquire(st.key, System.nanoTime() + settings.lockNanos());
            if (p.isWriter()) {
                st.writer = (StampedeLock<String>.Writer) p;
            } else {
                StampedeLock<String>.Waiter w = (StampedeLock<String>.Waiter) p;
                if (e != null && mayServeStaleWhileRevalidate(st, e, now)) {
                    w.cancel(); // someone is revalidating: the stale copy will do meanwhile
                    return serve(session, st, e, STALE, now);
                }
                if (mayWait) {
                    return waitFor(session, st, w);
                }
                w.cancel();
            }
        }
        st.xCache = e == null ? MISS : EXPIRED;
        st.revalidating = e != null && (e.etag != null || e.lastModified != null);
        return upstreamWithStaleBody(session, st);
    }

    /**
     * Goes upstream. A stale copy on disk is read first (off the loop), so that a 304 or a
     * stale-if-error answer, decided in phases that cannot wait, has its body at hand; a copy that
     * cannot be read is forgotten (the request is then a plain miss).
     */
    private Action upstreamWithStaleBody(Session session, CacheRequest st) {
        if (st.stale == null || st.stale.body != null) {
            return Action.CONTINUE;
        }
        return Action.defer(store.withBody(st.stale).handleAsync((full, err) -> {
            if (err != null) {
                st.stale = null;
                st.revalidating = false;
                st.xCache = MISS;
            } else {
                st.stale = full;
            }
            return Action.CONTINUE;
        }, session.executor()));
    }

    private static boolean mayServeStaleWhileRevalidate(CacheRequest st, CachedResponse e, long now) {
        return !st.requestCc.noCache() && e.freshness.mayServeStaleWhileRevalidate(now);
    }

    /** Waits (without blocking the loop) for the fetch another request is making, at most {@code lock}. */
    private Action waitFor(Session session, CacheRequest st, StampedeLock<String>.Waiter w) {
        CompletableFuture.delayedExecutor(settings.lockNanos(), TimeUnit.NANOSECONDS).execute(w::cancel);
        return Action.defer(w.future().thenApplyAsync(outcome -> {
            if (outcome.kind() == StampedeLock.Outcome.Kind.PROMOTED) {
                st.writer = outcome.writer();
                if (st.ended) {
                    st.releaseWriter(); // the client left while it waited: pass the key on
                    return Action.RESPONDED;
                }
            }
            return lookup(session, st, false);
        }, session.executor()));
    }

    private Action serve(Session session, CacheRequest st, CachedResponse e, String xCache, long now) {
        st.releaseWriter();
        st.xCache = xCache;
        ResponseHead h = new ResponseHead();
        HeaderBlock req = session.request().headers();
        boolean notModified = Conditionals.notModified(CacheStore.values(req, "If-None-Match"),
                req.get("If-Modified-Since"), e.etag, e.lastModified, e.status);
        if (notModified || e.body != null) {
            e.writeTo(h, notModified ? 304 : e.status, e.freshness.currentAge(now));
            session.respond(h, notModified ? null : e.bodyView());
            return Action.RESPONDED;
        }
        // the body is on disk: read off the loop, answered on it; unreadable, it is a miss
        return Action.defer(store.withBody(e).handleAsync((full, err) -> {
            if (err != null) {
                st.xCache = MISS;
                return Action.CONTINUE;
            }
            e.writeTo(h, e.status, e.freshness.currentAge(clock.getAsLong()));
            session.respond(h, full.bodyView());
            return Action.RESPONDED;
        }, session.executor()));
    }

    private Action purge(Session session, RequestHead req) {
        if (!settings.purgeIps().contains(session.clientIp())) {
            ResponseHead h = new ResponseHead();
            h.setStatus(405);
            h.headers().set("Allow", "GET, HEAD");
            session.respond(h, null);
            return Action.RESPONDED;
        }
        Object removed = store.remove(primaryKey(req));
        session.respond(removed != null ? 204 : 404, null, null);
        return Action.RESPONDED;
    }

    @Override
    public void upstreamRequestFilter(Session session, RequestHead upstreamRequest) {
        CacheRequest st = state(session);
        if (st == null || st.xCache == null || st.head) {
            return;
        }
        // the cache fetches what it can store: the whole response, not the client's 304 or range
        HeaderBlock h = upstreamRequest.headers();
        h.removeAll("If-None-Match");
        h.removeAll("If-Modified-Since");
        h.removeAll("If-Range");
        h.removeAll("Range");
        if (st.revalidating) {
            if (st.stale.etag != null) {
                h.set("If-None-Match", st.stale.etag);
            }
            if (st.stale.lastModified != null) {
                h.set("If-Modified-Since", st.stale.lastModified);
            }
        }
    }

    // ================================================================== response

    @Override
    public void upstreamResponseFilter(Session session, ResponseHead h) {
        CacheRequest st = state(session);
        if (st == null || st.xCache == null || st.head || h.interim()) {
            return; // a HEAD's answer neither refreshes nor replaces the stored GET
        }
        long now = clock.getAsLong();
        int status = h.status();
        if (status == 304 && st.revalidating) {
            StoredFields updated = st.stale.fields.updatedBy(CachedResponse.fields(h.headers(), Set.of()));
            Freshness f = updated.freshness(st.stale.status, h.headers().get("Age"), st.requestTime, now,
                    settings.maxTtlSeconds());
            CachedResponse refreshed = st.stale.revalidated(updated, f);
            store.put(st.key, refreshed);
            st.releaseWriter();
            replaceWith(h, st, refreshed, 0);
            return;
        }
        if (status >= 500 && st.stale != null && st.stale.freshness.mayServeStaleIfError(now)) {
            st.releaseWriter();
            replaceWith(h, st, st.stale, st.stale.freshness.currentAge(now));
            st.xCache = STALE;
            return;
        }
        if (storable(session, st, h, now)) {
            return;
        }
        if (st.stale != null && status < 500) {
            store.remove(st.key); // replaced by a response that may not be stored
        }
        st.releaseWriter();
    }

    /** Sends a stored response instead of the origin's: its status and fields now, its body at the end. */
    private static void replaceWith(ResponseHead h, CacheRequest st, CachedResponse e, long age) {
        h.setStatus(e.status);
        HeaderBlock fields = h.headers();
        fields.clear();
        for (int i = 0; i < e.fields.size(); i++) {
            fields.add(e.fields.name(i), e.fields.value(i));
        }
        fields.set("Age", Long.toString(age));
        h.setContentLength(e.body.length);
        st.replacement = e.bodyView();
    }

    /** Decides whether the response is stored; if so, prepares to collect its body. */
    private boolean storable(Session session, CacheRequest st, ResponseHead h, long now) {
        HeaderBlock fields = h.headers();
        String[] ccLines = CacheStore.values(fields, "Cache-Control");
        if (settings.checkCacheControl() && ccLines.length == 0) {
            return false;
        }
        CacheControl cc = CacheControl.parse(ccLines);
        boolean hasAuth = session.request().headers().contains("Authorization");
        StoreDecision d = StoreDecision.forSharedCache("GET", st.requestCc, hasAuth, h.status(), cc,
                fields.contains("Expires"));
        if (!d.storable() || h.contentLength() > settings.maxFileSize()) {
            return false;
        }
        String[] vary = Vary.fields(CacheStore.values(fields, "Vary"));
        if (Vary.isStar(vary)) {
            return false; // §4.1: never matches a later request
        }
        StoredFields stored = CachedResponse.fields(fields, cc.privateFields());
        Freshness f = stored.freshness(h.status(), fields.get("Age"), st.requestTime, now, settings.maxTtlSeconds());
        if (f.lifetime() == 0 && !fields.contains("ETag") && !fields.contains("Last-Modified")) {
            return false; // stale at once and impossible to revalidate: useless to keep
        }
        st.status = h.status();
        st.fields = stored;
        st.freshness = f;
        CachedResponse.Variants[] marker = new CachedResponse.Variants[1];
        st.storeKey = store.storeKey(st.primary, vary, session.request().headers(), marker);
        st.marker = marker[0];
        long expected = h.contentLength();
        st.expected = expected;
        st.buf = new byte[(int) Math.min(expected >= 0 ? expected : 16_384, settings.maxFileSize())];
        st.len = 0;
        if (expected == 0) {
            insert(st); // complete as soon as the head reaches the client: stored before that
        }
        return true;
    }

    @Override
    public void responseFilter(Session session, ResponseHead response) {
        CacheRequest st = state(session);
        if (st == null || response.interim()) {
            return; // an interim head (103) is neither stored nor a reason to invalidate
        }
        if (st.invalidate != null) {
            int s = response.status();
            if (s >= 200 && s < 400) {
                store.remove(st.invalidate); // §4.4: the URL's stored responses are outdated
            }
            return;
        }
        if (st.xCache != null) {
            response.headers().set("X-Cache", st.xCache);
        }
    }

    @Override
    public ByteBuffer responseBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream) {
        CacheRequest st = state(session);
        if (st == null) {
            return chunk;
        }
        if (st.replacement != null) {
            if (!endOfStream) {
                return null; // the origin's own body (an error page) is not what the client gets
            }
            ByteBuffer b = st.replacement;
            st.replacement = null;
            return b;
        }
        if (st.buf != null) {
            st.collect(chunk, settings.maxFileSize());
            // stored before the last byte goes out: a client that has the whole response and asks
            // again (on any event loop) finds it
            if (st.buf != null && (endOfStream || st.len == st.expected)) {
                insert(st);
            }
        }
        return chunk;
    }

    private void insert(CacheRequest st) {
        CachedResponse r = new CachedResponse(st.status, st.fields, st.takeBody(), st.freshness);
        StampedeLock<String>.Writer w = st.writer;
        st.writer = null; // those waiting for the key go on once it is findable (on disk: once written)
        CachedResponse.Variants marker = st.marker;
        CompletableFuture<Void> stored = store.put(st.storeKey, r);
        if (marker != null) { // a disk store's new Vary marker: findable only once its variant is
            stored = stored.thenRun(() -> store.put(st.primary, marker));
        }
        stored.whenComplete((done, err) -> {
            if (w != null) {
                w.release();
            }
        });
    }

    @Override
    public void failToProxy(Session session, ProxyError error) {
        CacheRequest st = state(session);
        if (st == null || st.stale == null || session.responseStarted()) {
            return;
        }
        long now = clock.getAsLong();
        if (st.stale.body != null && st.stale.freshness.mayServeStaleIfError(now)) {
            serve(session, st, st.stale, STALE, now); // a stale copy on disk was read before going upstream
        }
    }

    @Override
    public void logging(Session session, ProxyError error) {
        CacheRequest st = state(session);
        if (st == null) {
            return;
        }
        st.ended = true;
        st.buf = null;
        if (st.writer != null) {
            if (error != null) {
                st.writer.abandon(); // the next in line fetches instead
            } else {
                st.writer.release();
            }
            st.writer = null;
        }
    }

    private static CacheRequest state(Session session) {
        return session.attribute(ATTRIBUTE) instanceof CacheRequest st ? st : null;
    }

    private String primaryKey(RequestHead req) {
        return CacheStore.primaryKey(settings.namespace(), settings.keyHeaders(), req);
    }
}
