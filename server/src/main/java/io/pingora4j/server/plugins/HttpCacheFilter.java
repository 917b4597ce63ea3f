package io.pingora4j.server.plugins;

import io.pingora4j.cache.http.CacheControl;
import io.pingora4j.cache.http.Freshness;
import io.pingora4j.cache.http.FreshnessPolicy;
import io.pingora4j.cache.http.HttpDate;
import io.pingora4j.cache.http.StoreDecision;
import io.pingora4j.cache.lock.StampedeLock;
import io.pingora4j.cache.memory.MemoryCache;
import io.pingora4j.cache.memory.TinyUfoCache;
import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.HttpMethod;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.Session;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * <p>One instance serves every event loop: the store and lock are thread-safe, and a request's
 * state is a session attribute.
 */
final class HttpCacheFilter implements HttpFilter {

    static final String ATTRIBUTE = "cache";
    private static final String HIT = "HIT";
    private static final String MISS = "MISS";
    private static final String STALE = "STALE";
    private static final String EXPIRED = "EXPIRED";

    /** The storage of one cache: entries (weighted by bytes), the stampede lock, variant generations. */
    static final class Store {
        final MemoryCache<String, Object> entries;
        final StampedeLock<String> lock = new StampedeLock<>(System::nanoTime, Duration.ofSeconds(60));
        final AtomicLong generations = new AtomicLong();

        Store(long maxSize) {
            this.entries = new TinyUfoCache<>(maxSize, Math.max(1024, maxSize / 16_384));
        }
    }

    record Settings(String namespace, long maxTtlSeconds, int maxFileSize, long lockNanos, String[] keyHeaders,
                    IpList purgeIps, boolean checkCacheControl, Pattern skip) {
    }

    /** One request's dealings with the cache. */
    private static final class State {
        final String primary;
        final CacheControl requestCc;
        final boolean head;
        final long requestTime;
        /** The key looked up and locked: the primary key or a variant's. */
        String key;
        /** A stored response found stale: revalidated, or served if the origin fails. */
        CachedResponse stale;
        StampedeLock<String>.Writer writer;
        String xCache;
        boolean revalidating;
        boolean ended;
        /** Set when the response is being stored. */
        byte[] buf;
        int len;
        int status;
        String[][] fields;
        Freshness freshness;
        String[] varyFields;
        String storeKey;
        /** The response's Content-Length, or -1. */
        long expected;
        /** A stored body sent instead of the origin's (after a 304, or stale on a 5xx). */
        ByteBuffer replacement;
        /** Set for an unsafe method: the key whose entries a success invalidates. */
        String invalidate;

        State(String primary, CacheControl requestCc, boolean head, long requestTime) {
            this.primary = primary;
            this.requestCc = requestCc;
            this.head = head;
            this.requestTime = requestTime;
        }
    }

    private final Store store;
    private final Settings settings;
    private final LongSupplier clock;

    HttpCacheFilter(Store store, Settings settings, LongSupplier epochSeconds) {
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
            State st = new State(primaryKey(req), CacheControl.EMPTY, false, 0);
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
        State st = new State(primaryKey(req), requestCacheControl(req.headers()), m == HttpMethod.HEAD, clock.getAsLong());
        session.setAttribute(ATTRIBUTE, st);
        return lookup(session, st, true);
    }

    /**
     * Answers from the cache, or decides how the request goes upstream. {@code mayWait}: whether
     * a miss may queue behind another request's fetch (false once it has waited).
     */
    private Action lookup(Session session, State st, boolean mayWait) {
        long now = clock.getAsLong();
        CachedResponse e = find(session.request(), st);
        if (e != null) {
            if (e.freshness.satisfies(st.requestCc, now)) {
                return serve(session, st, e, HIT, now);
            }
            st.stale = e;
        } else if (st.requestCc.onlyIfCached()) {
            releaseWriter(st);
            session.respond(504, "text/plain", "Gateway Timeout: not in cache (only-if-cached)".getBytes());
            return Action.RESPONDED; // §5.2.1.7
        }
        if (st.head) {
            st.xCache = e == null ? MISS : EXPIRED; // a HEAD is not stored: it needs no lock
            return Action.CONTINUE;
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
        return Action.CONTINUE;
    }

    private static boolean mayServeStaleWhileRevalidate(State st, CachedResponse e, long now) {
        return !st.requestCc.noCache() && e.freshness.mayServeStaleWhileRevalidate(now);
    }

    /** Waits (without blocking the loop) for the fetch another request is making, at most {@code lock}. */
    private Action waitFor(Session session, State st, StampedeLock<String>.Waiter w) {
        CompletableFuture.delayedExecutor(settings.lockNanos(), TimeUnit.NANOSECONDS).execute(w::cancel);
        return Action.defer(w.future().thenApplyAsync(outcome -> {
            if (outcome.kind() == StampedeLock.Outcome.Kind.PROMOTED) {
                st.writer = outcome.writer();
                if (st.ended) {
                    releaseWriter(st); // the client left while it waited: pass the key on
                    return Action.RESPONDED;
                }
            }
            return lookup(session, st, false);
        }, session.executor()));
    }

    private Action serve(Session session, State st, CachedResponse e, String xCache, long now) {
        releaseWriter(st);
        st.xCache = xCache;
        ResponseHead h = new ResponseHead();
        boolean notModified = notModified(session.request().headers(), e);
        e.writeTo(h, notModified ? 304 : e.status, e.freshness.currentAge(now));
        session.respond(h, notModified ? null : e.bodyView());
        return Action.RESPONDED;
    }

    private Action purge(Session session, RequestHead req) {
        if (!settings.purgeIps().contains(session.clientIp())) {
            ResponseHead h = new ResponseHead();
            h.setStatus(405);
            h.headers().set("Allow", "GET, HEAD");
            session.respond(h, null);
            return Action.RESPONDED;
        }
        Object removed = store.entries.remove(primaryKey(req));
        session.respond(removed != null ? 204 : 404, null, null);
        return Action.RESPONDED;
    }

    /** The stored response for this request (following a Vary marker), or null; sets {@code st.key}. */
    private CachedResponse find(RequestHead req, State st) {
        Object o = store.entries.get(st.primary);
        if (o instanceof CachedResponse.Variants v) {
            st.key = variantKey(st.primary, v, req.headers());
            o = store.entries.get(st.key);
            return o instanceof CachedResponse r ? r : null;
        }
        st.key = st.primary;
        return o instanceof CachedResponse r ? r : null;
    }

    @Override
    public void upstreamRequestFilter(Session session, RequestHead upstreamRequest) {
        State st = state(session);
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
        State st = state(session);
        if (st == null || st.xCache == null || st.head || h.interim()) {
            return; // a HEAD's answer neither refreshes nor replaces the stored GET
        }
        long now = clock.getAsLong();
        int status = h.status();
        if (status == 304 && st.revalidating) {
            CachedResponse merged = st.stale.updatedBy(h.headers(), null);
            Freshness f = freshness(merged.status, merged.names, merged.values, h.headers().get("Age"), st.requestTime, now);
            CachedResponse refreshed = new CachedResponse(merged.status, merged.names, merged.values, merged.body, f);
            store.entries.put(st.key, refreshed, refreshed.weight());
            releaseWriter(st);
            replaceWith(h, st, refreshed, 0);
            return;
        }
        if (status >= 500 && st.stale != null && st.stale.freshness.mayServeStaleIfError(now)) {
            releaseWriter(st);
            replaceWith(h, st, st.stale, st.stale.freshness.currentAge(now));
            st.xCache = STALE;
            return;
        }
        if (storable(session, st, h, now)) {
            return;
        }
        if (st.stale != null && status < 500) {
            store.entries.remove(st.key); // replaced by a response that may not be stored
        }
        releaseWriter(st);
    }

    /** Sends a stored response instead of the origin's: its status and fields now, its body at the end. */
    private static void replaceWith(ResponseHead h, State st, CachedResponse e, long age) {
        h.setStatus(e.status);
        HeaderBlock fields = h.headers();
        fields.clear();
        for (int i = 0; i < e.names.length; i++) {
            fields.add(e.names[i], e.values[i]);
        }
        fields.set("Age", Long.toString(age));
        h.setContentLength(e.body.length);
        st.replacement = e.bodyView();
    }

    /** Decides whether the response is stored; if so, prepares to collect its body. */
    private boolean storable(Session session, State st, ResponseHead h, long now) {
        HeaderBlock fields = h.headers();
        String[] ccLines = values(fields, "Cache-Control");
        if (settings.checkCacheControl() && ccLines.length == 0) {
            return false;
        }
        CacheControl cc = CacheControl.parse(ccLines);
        boolean hasAuth = session.request().headers().contains("Authorization");
        StoreDecision d = StoreDecision.forSharedCache("GET", st.requestCc, hasAuth, h.status(), cc,
                fields.contains("Expires"));
        if (!d.storable()) {
            return false;
        }
        if (h.contentLength() > settings.maxFileSize()) {
            return false;
        }
        String[] vary = varyFields(fields);
        if (vary != null && vary.length == 1 && vary[0].equals("*")) {
            return false; // §4.1: never matches a later request
        }
        String[][] stored = CachedResponse.fields(fields, cc.privateFields());
        Freshness f = freshness(h.status(), stored[0], stored[1], fields.get("Age"), st.requestTime, now);
        if (f.lifetime() == 0 && !fields.contains("ETag") && !fields.contains("Last-Modified")) {
            return false; // stale at once and impossible to revalidate: useless to keep
        }
        st.status = h.status();
        st.fields = stored;
        st.freshness = f;
        st.varyFields = vary;
        st.storeKey = storeKey(st, vary, session.request().headers());
        long expected = h.contentLength();
        st.expected = expected;
        st.buf = new byte[(int) Math.min(expected >= 0 ? expected : 16_384, settings.maxFileSize())];
        st.len = 0;
        if (expected == 0) {
            insert(st); // complete as soon as the head reaches the client: stored before that
        }
        return true;
    }

    private Freshness freshness(int status, String[] names, String[] vals, String age, long requestTime, long now) {
        Freshness.Builder b = Freshness.forResponse(status, CacheControl.parse(CachedResponse.valuesOf(names, vals, "Cache-Control")))
                .date(CachedResponse.valuesOf(names, vals, "Date"))
                .expires(CachedResponse.valuesOf(names, vals, "Expires"))
                .requestTime(Math.min(requestTime, now))
                .responseTime(now);
        if (age != null) {
            b.age(age);
        }
        String lm = CachedResponse.firstOf(names, vals, "Last-Modified");
        if (lm != null) {
            b.lastModified(lm);
        }
        return b.build(FreshnessPolicy.NO_HEURISTIC).capLifetime(settings.maxTtlSeconds());
    }

    @Override
    public void responseFilter(Session session, ResponseHead response) {
        State st = state(session);
        if (st == null || response.interim()) {
            return; // an interim head (103) is neither stored nor a reason to invalidate
        }
        if (st.invalidate != null) {
            int s = response.status();
            if (s >= 200 && s < 400) {
                store.entries.remove(st.invalidate); // §4.4: the URL's stored responses are outdated
            }
            return;
        }
        if (st.xCache != null) {
            response.headers().set("X-Cache", st.xCache);
        }
    }

    @Override
    public ByteBuffer responseBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream) {
        State st = state(session);
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
            collect(st, chunk);
            // stored before the last byte goes out: a client that has the whole response and asks
            // again (on any event loop) finds it
            if (st.buf != null && (endOfStream || st.len == st.expected)) {
                insert(st);
            }
        }
        return chunk;
    }

    /** Copies a chunk as it streams by; a body over max_file_size is given up. */
    private void collect(State st, ByteBuffer chunk) {
        int n = chunk.remaining();
        if (n == 0) {
            return;
        }
        if ((long) st.len + n > settings.maxFileSize()) {
            st.buf = null;
            releaseWriter(st);
            return;
        }
        if (st.len + n > st.buf.length) {
            st.buf = Arrays.copyOf(st.buf, (int) Math.min(settings.maxFileSize(), Math.max(st.len + n, 2L * st.buf.length)));
        }
        chunk.duplicate().get(st.buf, st.len, n);
        st.len += n;
    }

    private void insert(State st) {
        byte[] body = st.len == st.buf.length ? st.buf : Arrays.copyOf(st.buf, st.len);
        st.buf = null;
        CachedResponse r = new CachedResponse(st.status, st.fields[0], st.fields[1], body, st.freshness);
        store.entries.put(st.storeKey, r, r.weight());
        releaseWriter(st);
    }

    @Override
    public void failToProxy(Session session, ProxyError error) {
        State st = state(session);
        if (st == null || st.stale == null || session.responseStarted()) {
            return;
        }
        long now = clock.getAsLong();
        if (st.stale.freshness.mayServeStaleIfError(now)) {
            serve(session, st, st.stale, STALE, now);
        }
    }

    @Override
    public void logging(Session session, ProxyError error) {
        State st = state(session);
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

    // ================================================================== keys and fields

    private static State state(Session session) {
        return session.attribute(ATTRIBUTE) instanceof State st ? st : null;
    }

    private static void releaseWriter(State st) {
        if (st.writer != null) {
            st.writer.release();
            st.writer = null;
        }
    }

    /** namespace, host (lower case) and path with query, plus the configured request fields. */
    private String primaryKey(RequestHead req) {
        StringBuilder sb = new StringBuilder(64);
        sb.append(settings.namespace()).append('\u0000');
        String authority = req.authority();
        sb.append(authority == null ? "" : authority.toLowerCase(Locale.ROOT)).append(req.pathAndQuery());
        for (String name : settings.keyHeaders()) {
            sb.append('\u0000').append(name).append('=').append(joined(req.headers(), name));
        }
        return sb.toString();
    }

    /** Where a response is stored: the primary key, or (when it varies) a variant's key under a marker. */
    private String storeKey(State st, String[] vary, HeaderBlock request) {
        if (vary == null) {
            Object o = store.entries.get(st.primary);
            if (o instanceof CachedResponse.Variants) {
                store.entries.remove(st.primary); // no longer varies: drop the marker and its variants
            }
            return st.primary;
        }
        Object o = store.entries.get(st.primary);
        CachedResponse.Variants v = o instanceof CachedResponse.Variants m && Arrays.equals(m.fields(), vary) ? m : null;
        if (v == null) {
            v = new CachedResponse.Variants(vary, store.generations.incrementAndGet());
            store.entries.put(st.primary, v, 64 + 16L * vary.length);
        }
        return variantKey(st.primary, v, request);
    }

    private static String variantKey(String primary, CachedResponse.Variants v, HeaderBlock request) {
        StringBuilder sb = new StringBuilder(primary.length() + 32).append(primary).append('\u0001').append(v.generation());
        for (String f : v.fields()) {
            sb.append('\u0000').append(joined(request, f).trim());
        }
        return sb.toString();
    }

    /** The response's Vary field names, lower case and sorted; null if it does not vary. */
    private static String[] varyFields(HeaderBlock h) {
        List<String> names = new ArrayList<>();
        for (String line : values(h, "Vary")) {
            for (String part : line.split(",")) {
                String n = part.trim().toLowerCase(Locale.ROOT);
                if (n.equals("*")) {
                    return new String[] {"*"};
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

    private static CacheControl requestCacheControl(HeaderBlock h) {
        String[] lines = values(h, "Cache-Control");
        if (lines.length == 0) {
            // §5.4: Pragma: no-cache counts as Cache-Control: no-cache when there is no Cache-Control
            for (String p : values(h, "Pragma")) {
                if (p.toLowerCase(Locale.ROOT).contains("no-cache")) {
                    return CacheControl.parse("no-cache");
                }
            }
            return CacheControl.EMPTY;
        }
        return CacheControl.parse(lines);
    }

    /**
     * §4.3.2: If-None-Match (weak comparison) decides when present; else If-Modified-Since against
     * the stored Last-Modified.
     */
    private static boolean notModified(HeaderBlock request, CachedResponse e) {
        String[] inm = values(request, "If-None-Match");
        if (inm.length > 0) {
            if (e.etag == null) {
                return false;
            }
            String mine = opaque(e.etag);
            for (String line : inm) {
                for (String tag : line.split(",")) {
                    String t = tag.trim();
                    if (t.equals("*") || (!t.isEmpty() && opaque(t).equals(mine))) {
                        return true;
                    }
                }
            }
            return false;
        }
        String ims = request.get("If-Modified-Since");
        if (ims == null || e.lastModified == null || (e.status != 200 && e.status != 203)) {
            return false;
        }
        long since = HttpDate.parse(ims, Long.MAX_VALUE / 2);
        long modified = HttpDate.parse(e.lastModified, Long.MAX_VALUE / 2);
        return since != HttpDate.INVALID && modified != HttpDate.INVALID && modified <= since;
    }

    private static String opaque(String etag) {
        return etag.startsWith("W/") ? etag.substring(2) : etag;
    }

    private static String[] values(HeaderBlock h, String name) {
        String[] out = null;
        int n = 0;
        for (int i = h.indexOf(name); i >= 0; i = h.indexOf(name, i + 1)) {
            if (out == null) {
                out = new String[2];
            } else if (n == out.length) {
                out = Arrays.copyOf(out, n * 2);
            }
            out[n++] = h.value(i);
        }
        return out == null ? new String[0] : Arrays.copyOf(out, n);
    }

    private static String joined(HeaderBlock h, String name) {
        String[] v = values(h, name);
        return v.length == 0 ? "" : v.length == 1 ? v[0] : String.join(",", v);
    }
}
