package io.pingora4j.server;

import io.pingora4j.codec.h1.Cookies;
import io.pingora4j.codec.h1.QueryString;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.lb.BackendHealth;
import io.pingora4j.lb.CircuitBreaker;
import io.pingora4j.lb.RequestKeyView;
import io.pingora4j.lb.Selector;
import io.pingora4j.server.route.RouteMatch;
import io.pingora4j.server.route.Router;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.FailToProxy;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.ProxyHttp;
import io.pingora4j.spi.Session;
import io.pingora4j.tls.acme.Http01Challenges;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's {@link ProxyHttp}: Pingap's request flow for one {@code [servers.NAME]}. The router
 * picks a location; the location's chain (its own rules, then its plugins, in order) runs at each
 * phase; the location's upstream picks a backend, retrying another on a connect failure; the
 * access log is written last.
 *
 * <p>Thread-safe: one instance serves every event loop; per-request state lives in {@link Ctx}.
 */
final class PingapProxy implements ProxyHttp<PingapProxy.Ctx> {

    private static final Logger LOG = LoggerFactory.getLogger(PingapProxy.class);

    private final ServerRuntime.Site site;
    private final ThreadLocal<RouteMatch> matches = ThreadLocal.withInitial(RouteMatch::new);

    private final Http01Challenges challenges;

    PingapProxy(ServerRuntime.Site site) {
        this(site, null);
    }

    /** @param challenges ACME HTTP-01 answers this server gives before routing, or null */
    PingapProxy(ServerRuntime.Site site, Http01Challenges challenges) {
        this.site = site;
        this.challenges = challenges;
    }

    /** Per-request state; also the view the load balancer hashes on. */
    static final class Ctx implements RequestKeyView {
        Session session;
        ServerRuntime.Location location;
        /** The upstream's backends as this request first saw them; kept across retries and discovery swaps. */
        UpstreamGroup.Snapshot snapshot;
        int backend = Selector.NONE;
        long tried;
        boolean counted;
        /** The backend's outcome was reported when its response ended (before logging). */
        boolean reported;
        boolean processing;
        ProxyError lastUpstreamError;
        /** An ACME HTTP-01 key authorization this request is answered with; null for every other request. */
        String acmeAnswer;

        @Override
        public CharSequence clientIp() {
            return session.clientIp();
        }

        @Override
        public byte[] clientAddress() {
            return session.clientAddress().getAddress().getAddress();
        }

        @Override
        public CharSequence header(String name) {
            return session.request().headers().get(name);
        }

        @Override
        public CharSequence cookie(String name) {
            return Cookies.get(session.request().headers(), name);
        }

        @Override
        public CharSequence query(String name) {
            return QueryString.get(session.request().query(), name);
        }

        @Override
        public CharSequence path() {
            return session.request().path();
        }

        @Override
        public CharSequence url() {
            return session.request().pathAndQuery();
        }
    }

    /** Per-loop free contexts: a context is taken in newCtx and given back after logging, once. */
    private static final ThreadLocal<java.util.ArrayDeque<Ctx>> FREE = ThreadLocal.withInitial(java.util.ArrayDeque::new);
    private static final int MAX_FREE = 1024;

    @Override
    public Ctx newCtx() {
        Ctx c = FREE.get().pollFirst();
        return c != null ? c : new Ctx();
    }

    private static void recycle(Ctx c) {
        c.session = null;
        c.location = null;
        c.snapshot = null;
        c.backend = Selector.NONE;
        c.tried = 0;
        c.counted = false;
        c.reported = false;
        c.processing = false;
        c.lastUpstreamError = null;
        c.acmeAnswer = null;
        java.util.ArrayDeque<Ctx> free = FREE.get();
        if (free.size() < MAX_FREE) {
            free.addFirst(c);
        }
    }

    @Override
    public void earlyRequestFilter(Session session, Ctx ctx) {
        ctx.session = session;
        RequestHead req = session.request();
        if (challenges != null && startsWith(req.pathAndQueryChars(), Http01Challenges.PATH_PREFIX)) {
            String answer = challenges.lookup(req.path()).orElse(null);
            if (answer != null) {
                ctx.acmeAnswer = answer; // answered in requestFilter, before any location sees it
                return;
            }
        }
        RouteMatch m = matches.get();
        if (!site.router.match(req.authorityChars(), req.pathAndQueryChars(), m)) {
            throw ProxyError.status(404, "no location of server '" + site.name + "' matches");
        }
        ctx.location = site.locations[m.route().index()];
        int max = ctx.location.config().maxProcessing();
        if (max > 0) {
            // Pingap's max_processing: requests this location handles at once; released in logging
            if (ctx.location.processing().incrementAndGet() > max) {
                ctx.location.processing().decrementAndGet();
                throw ProxyError.status(429, "location '" + ctx.location.config().name() + "' is processing "
                        + max + " requests already (max_processing)");
            }
            ctx.processing = true;
        }
        if (m.captureCount() > 0) {
            session.setAttribute(Router.CAPTURES_ATTRIBUTE, m.capturesAsMap());
        }
        for (HttpFilter f : ctx.location.chain()) {
            f.earlyRequestFilter(session);
        }
    }

    @Override
    public Action requestFilter(Session session, Ctx ctx) {
        if (ctx.acmeAnswer != null) {
            session.respond(200, "text/plain", ctx.acmeAnswer.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return Action.RESPONDED;
        }
        return runRequestFilters(session, ctx.location.chain(), 0);
    }

    private static boolean startsWith(CharSequence s, String prefix) {
        if (s.length() < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (s.charAt(i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Runs the chain from {@code from}; a deferral resumes the rest on the session's loop. */
    private static Action runRequestFilters(Session session, HttpFilter[] chain, int from) {
        for (int i = from; i < chain.length; i++) {
            Action a = chain[i].requestFilter(session);
            if (a == Action.CONTINUE) {
                continue;
            }
            if (a.deferred()) {
                int next = i + 1;
                return Action.defer(a.result().thenComposeAsync(r -> r == Action.CONTINUE || r == null
                        ? settle(runRequestFilters(session, chain, next)) : CompletableFuture.completedFuture(r),
                        session.executor()));
            }
            return a;
        }
        return Action.CONTINUE;
    }

    private static CompletionStage<Action> settle(Action a) {
        return a.deferred() ? a.result() : CompletableFuture.completedFuture(a);
    }

    @Override
    public HttpPeer upstreamPeer(Session session, Ctx ctx) {
        UpstreamGroup up = ctx.location.upstream();
        if (up == null) {
            throw ProxyError.of(ProxyError.Source.INTERNAL, ProxyError.Kind.NO_UPSTREAM, 502,
                    "location '" + ctx.location.config().name() + "' has no upstream and nothing answered the request");
        }
        UpstreamGroup.Snapshot snap = ctx.snapshot;
        if (snap == null) {
            snap = up.snapshot(); // once per request: a discovery swap does not move a request in flight
            ctx.snapshot = snap;
        }
        // a breaker that refuses (open, or half-open with its probes out) is skipped for this pick
        // only: it is not a try, so it does not use up the request's retries
        long skip = ctx.tried;
        int i;
        while (true) {
            i = snap.selector().select(ctx, skip);
            if (i == Selector.NONE) {
                LOG.warn("upstream '{}': no backend available (all down, open or tried)", up.name);
                throw ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.NO_UPSTREAM, 503,
                        "upstream '" + up.name + "' has no available backend");
            }
            CircuitBreaker breaker = snap.set().breaker(i);
            if (breaker == null || breaker.tryAcquire()) {
                break;
            }
            long widened = Selector.markTried(skip, i);
            if (widened == skip) {
                // past 64 backends the mask cannot exclude it; answering now beats spinning
                throw ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.NO_UPSTREAM, 503,
                        "upstream '" + up.name + "' has no backend whose circuit breaker lets a request through");
            }
            skip = widened;
        }
        ctx.backend = i;
        ctx.tried = Selector.markTried(ctx.tried, i);
        if (!ctx.counted) {
            ctx.counted = true;
        }
        snap.set().stats(i).onRequestStart();
        return snap.peers()[i];
    }

    @Override
    public ProxyError failToConnect(Session session, HttpPeer peer, Ctx ctx, ProxyError error) {
        UpstreamGroup up = ctx.location.upstream();
        UpstreamGroup.Snapshot snap = ctx.snapshot;
        if (up != null && snap != null && ctx.backend >= 0) {
            int b = ctx.backend;
            snap.set().stats(b).onRequestEnd(true);
            if (snap.set().health(b).onPassiveResult(error.kind() == ProxyError.Kind.CONNECT_TIMEOUT
                    ? BackendHealth.PassiveOutcome.TIMEOUT : BackendHealth.PassiveOutcome.CONNECT_ERROR)) {
                LOG.warn("upstream '{}': backend {} is now DOWN ({} consecutive failed requests)",
                        up.name, snap.set().backend(b).address(), up.config.passiveFailures());
            }
            CircuitBreaker breaker = snap.set().breaker(b);
            if (breaker != null) {
                breaker.onFailure();
            }
            ctx.backend = Selector.NONE;
            ctx.lastUpstreamError = error;
            int triedCount = Long.bitCount(ctx.tried);
            if (triedCount < ctx.location.attempts() && triedCount < snap.peers().length) {
                return error.retryable(true); // nothing reached the origin: another backend may answer
            }
        }
        return error;
    }

    @Override
    public void upstreamRequestFilter(Session session, RequestHead upstreamRequest, Ctx ctx) {
        for (HttpFilter f : ctx.location.chain()) {
            f.upstreamRequestFilter(session, upstreamRequest);
        }
    }

    @Override
    public ByteBuffer requestBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream, Ctx ctx) {
        ByteBuffer b = chunk;
        for (HttpFilter f : ctx.location.chain()) {
            if (b == null) {
                break;
            }
            b = f.requestBodyFilter(session, b, endOfStream);
        }
        return b;
    }

    @Override
    public void upstreamResponseFilter(Session session, ResponseHead upstreamResponse, Ctx ctx) {
        for (HttpFilter f : ctx.location.chain()) {
            f.upstreamResponseFilter(session, upstreamResponse);
        }
    }

    @Override
    public void responseFilter(Session session, ResponseHead response, Ctx ctx) {
        if (ctx.location == null) {
            return; // answered before a location was chosen (no route)
        }
        for (HttpFilter f : ctx.location.chain()) {
            f.responseFilter(session, response);
        }
    }

    @Override
    public ByteBuffer responseBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream, Ctx ctx) {
        if (ctx.location == null) {
            return chunk;
        }
        ByteBuffer b = chunk;
        for (HttpFilter f : ctx.location.chain()) {
            if (b == null) {
                break;
            }
            b = f.responseBodyFilter(session, b, endOfStream);
        }
        return b;
    }

    /**
     * The origin's response ended: the backend is free now, before the last bytes reach the client
     * and long before logging, so least_conn sees it free for the very next request.
     */
    @Override
    public ByteBuffer upstreamResponseBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream, Ctx ctx) {
        if (endOfStream && !ctx.reported && ctx.location != null) {
            UpstreamGroup up = ctx.location.upstream();
            if (up != null && ctx.snapshot != null && ctx.backend >= 0) {
                ctx.reported = true;
                reportOutcome(up, ctx.snapshot, ctx.backend, session.response(), null);
            }
        }
        return chunk;
    }

    /** A plugin with another answer (the cache's stale copy) may send it; else the default status. */
    @Override
    public FailToProxy failToProxy(Session session, ProxyError error, Ctx ctx) {
        if (ctx.location != null) {
            for (HttpFilter f : ctx.location.chain()) {
                if (session.responseStarted()) {
                    break;
                }
                f.failToProxy(session, error);
            }
        }
        return ProxyHttp.super.failToProxy(session, error, ctx);
    }

    @Override
    public void logging(Session session, ProxyError error, Ctx ctx) {
        if (ctx.processing) {
            ctx.location.processing().decrementAndGet();
        }
        if (ctx.location != null) {
            for (HttpFilter f : ctx.location.chain()) {
                try {
                    f.logging(session, error);
                } catch (RuntimeException e) {
                    LOG.warn("plugin logging failed", e);
                }
            }
            UpstreamGroup up = ctx.location.upstream();
            if (up != null && ctx.snapshot != null && ctx.backend >= 0 && !ctx.reported) {
                reportOutcome(up, ctx.snapshot, ctx.backend, session.response(), error);
            }
        }
        if (site.accessLog != null) {
            site.accessLog.log(session);
        }
        recycle(ctx); // logging is the last phase, called exactly once
    }

    /**
     * Feeds one finished request to its backend's counters, passive health and circuit breaker.
     * A failure is a failure status (backend_failure_status_code, every 5xx by default) or an
     * upstream error (timeout, reset); a request ended by the client or by us (an abort, a filter)
     * is counted but gives no verdict on the backend: a half-open probe left unreported is retried
     * by the breaker after open_duration.
     */
    private static void reportOutcome(UpstreamGroup up, UpstreamGroup.Snapshot snap, int b, ResponseHead resp,
                                      ProxyError error) {
        boolean serverError = resp != null && up.config.isFailureStatus(resp.status());
        boolean timeout = error != null && (error.kind() == ProxyError.Kind.READ_TIMEOUT
                || error.kind() == ProxyError.Kind.WRITE_TIMEOUT);
        boolean failed = serverError || timeout || (error != null && error.source() == ProxyError.Source.UPSTREAM);
        snap.set().stats(b).onRequestEnd(failed);
        if (!failed && error != null) {
            return;
        }
        if (snap.set().health(b).onPassiveResult(timeout ? BackendHealth.PassiveOutcome.TIMEOUT
                : failed ? BackendHealth.PassiveOutcome.SERVER_ERROR : BackendHealth.PassiveOutcome.SUCCESS)) {
            LOG.warn("upstream '{}': backend {} is now DOWN ({} consecutive failed requests)",
                    up.name, snap.set().backend(b).address(), up.config.passiveFailures());
        }
        CircuitBreaker breaker = snap.set().breaker(b);
        if (breaker != null) {
            if (failed) {
                breaker.onFailure();
            } else {
                breaker.onSuccess();
            }
        }
    }
}
