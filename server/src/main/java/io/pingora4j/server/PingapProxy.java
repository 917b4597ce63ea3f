package io.pingora4j.server;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.server.location.GrpcWebBridge;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.server.metrics.Recorder;
import io.pingora4j.server.plugins.LimitFilterFactory;
import io.pingora4j.server.plugins.trafficsplitting.TrafficSplittingFilterFactory;
import io.pingora4j.server.route.RouteMatch;
import io.pingora4j.server.route.Router;
import io.pingora4j.server.tracing.RequestTrace;
import io.pingora4j.spi.FailToProxy;
import io.pingora4j.spi.FilterChainProxy;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.Session;
import io.pingora4j.tls.acme.Http01Challenges;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's proxy: Pingap's request flow for one {@code [servers.NAME]}. The router picks a
 * location (a pending ACME challenge and the {@code prometheus_metrics} path are answered first,
 * before any location); the location may refuse past its {@code max_processing}; its chain (its
 * own rules, then its plugins, in order) runs at each phase as {@link FilterChainProxy} runs
 * chains; its upstream (or the one a plugin such as traffic_splitting named) picks a backend
 * ({@link BackendPick}), retrying another on a connect
 * failure; an error the proxy answers gets the {@code error_template} page and a line in the
 * error log; the metrics, the trace and the access log are written last. With the server's
 * {@code modules = ["grpc-web"]}, locations with {@code grpc_web = true} run the
 * {@link GrpcWebBridge} first in their chain.
 *
 * <p>What is observed of a request (metrics series, upstream times, its trace) lives in its
 * {@link ProxyCtx}; recording a metric is a few stores into the loop's own stripe.
 *
 * <p>Thread-safe: one instance serves every event loop; per-request state lives in {@link ProxyCtx}.
 */
final class PingapProxy extends FilterChainProxy<ProxyCtx> {

    private static final Logger LOG = LoggerFactory.getLogger(PingapProxy.class);

    final ServerRuntime.Site site;
    /** Requests begun on this proxy and not yet logged: a reload waits for 0 before closing the old runtime. */
    final java.util.concurrent.atomic.LongAdder inFlight = new java.util.concurrent.atomic.LongAdder();
    private final ThreadLocal<RouteMatch> matches = ThreadLocal.withInitial(RouteMatch::new);
    /** The ACME answer, as a chain of its own; null when this listener answers no challenge. */
    private final Http01Filter acme;
    private final HttpFilter[] acmeChain;
    /** Each location's chain for this server (the gRPC-web bridge first where it applies), by route index. */
    private final HttpFilter[][] chains;
    /** The prometheus_metrics path's answer, as a chain of its own; null when this server has none. */
    private final MetricsEndpoint metricsEndpoint;
    private final HttpFilter[] metricsChain;

    PingapProxy(ServerRuntime.Site site) {
        this(site, null);
    }

    /** @param challenges ACME HTTP-01 answers this server gives before routing, or null */
    PingapProxy(ServerRuntime.Site site, Http01Challenges challenges) {
        this.site = site;
        this.acme = challenges == null ? null : new Http01Filter(challenges);
        this.acmeChain = acme == null ? null : new HttpFilter[] {acme};
        this.chains = new HttpFilter[site.locations.length][];
        GrpcWebBridge bridge = site.config.grpcWeb() ? new GrpcWebBridge() : null;
        for (int i = 0; i < chains.length; i++) {
            ServerRuntime.Location l = site.locations[i];
            HttpFilter[] chain = l == null ? NO_FILTERS : l.chain();
            if (bridge != null && l != null && l.config().grpcWeb()) {
                HttpFilter[] bridged = new HttpFilter[chain.length + 1];
                bridged[0] = bridge;
                System.arraycopy(chain, 0, bridged, 1, chain.length);
                chain = bridged;
            }
            chains[i] = chain;
        }
        this.metricsEndpoint = site.metricsEndpoint;
        this.metricsChain = metricsEndpoint == null ? null : new HttpFilter[] {metricsEndpoint};
    }

    @Override
    public ProxyCtx newCtx() {
        return ProxyCtx.take();
    }

    @Override
    protected HttpFilter[] filters(ProxyCtx ctx) {
        return ctx.chain;
    }

    @Override
    public void earlyRequestFilter(Session session, ProxyCtx ctx) {
        ctx.session = session;
        Observability obs = site.observability;
        if (obs.metrics != null) {
            ctx.recorder = obs.metrics.recorder();
            ctx.locationSeries = obs.metrics.unrouted();
        }
        if (site.tracer != null) {
            ctx.trace = site.tracer.start(session, site.name);
        }
        RequestHead req = session.request();
        if (acme != null && acme.claims(req)) {
            requestStarted(session, ctx);
            ctx.chain = acmeChain; // answered in requestFilter, before any location sees it
            return;
        }
        if (metricsEndpoint != null && metricsEndpoint.claims(req)) {
            requestStarted(session, ctx);
            ctx.chain = metricsChain;
            return;
        }
        RouteMatch m = matches.get();
        if (!site.router.match(req.authorityChars(), req.pathAndQueryChars(), m)) {
            requestStarted(session, ctx);
            throw ProxyError.status(404, "no location of server '" + site.name + "' matches");
        }
        ServerRuntime.Location location = site.locations[m.route().index()];
        ctx.location = location;
        ctx.locationSeries = location.locationSeries();
        ctx.upstreamSeries = location.upstreamSeries();
        requestStarted(session, ctx);
        if (ctx.trace != null) {
            ctx.trace.routed(location.config().name(), location.upstream() == null ? null : location.upstream().name);
        }
        int max = location.config().maxProcessing();
        if (max > 0) {
            // Pingap's max_processing: requests this location handles at once; released in logging
            if (location.processing().incrementAndGet() > max) {
                location.processing().decrementAndGet();
                throw ProxyError.status(429, "location '" + location.config().name() + "' is processing "
                        + max + " requests already (max_processing)");
            }
            ctx.processing = true;
        }
        if (m.captureCount() > 0) {
            session.setAttribute(Router.CAPTURES_ATTRIBUTE, m.capturesAsMap());
        }
        ctx.chain = chains[m.route().index()];
        super.earlyRequestFilter(session, ctx);
    }

    private static void requestStarted(Session session, ProxyCtx ctx) {
        if (ctx.recorder != null) {
            ctx.recorder.requestStarted(ctx.locationSeries, session.requestNumber() > 1);
        }
    }

    @Override
    public HttpPeer upstreamPeer(Session session, ProxyCtx ctx) {
        if (session.attribute(io.pingora4j.server.admin.AdminFilterFactory.AdminFilter.PEER_ATTRIBUTE) instanceof HttpPeer admin) {
            ctx.attempts++;
            return admin; // the admin plugin's own API server, not an upstream
        }
        UpstreamGroup up = ctx.upstream;
        if (up == null) {
            up = chooseUpstream(session, ctx);
            ctx.upstream = up; // a retry stays on the same upstream
            if (up != ctx.location.upstream()) {
                // a plugin chose another upstream: its figures go to that upstream's series
                ctx.upstreamSeries = site.observability.metrics == null ? -1 : site.observability.metrics.upstream(up.name);
            }
        }
        HttpPeer peer = ctx.backend.choose(up, ctx);
        ctx.attempts++;
        if (ctx.trace != null) {
            ctx.trace.attemptStarted(peer, session.request().methodName());
        }
        return peer;
    }

    /**
     * The location's upstream, unless a plugin named another in the session attribute
     * {@link TrafficSplittingFilterFactory#UPSTREAM_ATTRIBUTE} (traffic_splitting does).
     */
    private UpstreamGroup chooseUpstream(Session session, ProxyCtx ctx) {
        if (session.attribute(TrafficSplittingFilterFactory.UPSTREAM_ATTRIBUTE) instanceof String name) {
            UpstreamGroup chosen = site.upstreams.get(name);
            if (chosen == null) { // -t checks traffic_splitting's names; a third-party plugin may still err
                throw ProxyError.of(ProxyError.Source.INTERNAL, ProxyError.Kind.NO_UPSTREAM, 502,
                        "a plugin of location '" + ctx.location.config().name() + "' chose upstream '" + name
                                + "', which is not defined");
            }
            return chosen;
        }
        UpstreamGroup up = ctx.location.upstream();
        if (up == null) {
            throw ProxyError.of(ProxyError.Source.INTERNAL, ProxyError.Kind.NO_UPSTREAM, 502,
                    "location '" + ctx.location.config().name() + "' has no upstream and nothing answered the request");
        }
        return up;
    }

    @Override
    public void connectedToUpstream(Session session, ProxyCtx ctx, HttpPeer peer, boolean reused) {
        long connect = session.upstreamConnectNanos();
        ctx.upstreamConnectNanos = connect;
        if (ctx.recorder != null && ctx.upstreamSeries >= 0) {
            ctx.recorder.upstreamConnected(ctx.upstreamSeries, reused, connect, session.upstreamTlsHandshakeNanos());
            ctx.upstreamInUse = true;
        }
        if (ctx.trace != null) {
            ctx.trace.connected(reused, connect, session.upstreamTlsHandshakeNanos());
        }
    }

    @Override
    public void upstreamRequestFilter(Session session, RequestHead upstreamRequest, ProxyCtx ctx) {
        super.upstreamRequestFilter(session, upstreamRequest, ctx);
        ctx.requestSentNanos = System.nanoTime();
        ctx.upstreamStatus = 0;
        ctx.upstreamProcessingNanos = -1;
        ctx.upstreamResponseNanos = -1;
        if (ctx.trace != null) {
            ctx.trace.inject(upstreamRequest); // after the chain: the attempt's own traceparent goes upstream
        }
    }

    @Override
    public void upstreamResponseFilter(Session session, ResponseHead upstreamResponse, ProxyCtx ctx) {
        if (!upstreamResponse.interim()) {
            ctx.upstreamStatus = upstreamResponse.status();
            ctx.upstreamProcessingNanos = System.nanoTime() - ctx.requestSentNanos;
            if (ctx.upstreamInUse) {
                ctx.recorder.upstreamProcessed(ctx.upstreamSeries, ctx.upstreamProcessingNanos);
            }
            if (ctx.trace != null) {
                ctx.trace.upstreamStatus(upstreamResponse.status());
            }
        }
        super.upstreamResponseFilter(session, upstreamResponse, ctx);
    }

    @Override
    public ProxyError failToConnect(Session session, HttpPeer peer, ProxyCtx ctx, ProxyError error) {
        if (ctx.trace != null) {
            ctx.trace.attemptEnded(error);
        }
        UpstreamGroup up = ctx.upstream;
        if (up != null && ctx.backend.connectFailed(up, error, ctx.location.attempts(up))) {
            return error.retryable(true); // nothing reached the origin: another backend may answer
        }
        return error;
    }

    /** A request an HTTP/2 origin refused unprocessed (GOAWAY, REFUSED_STREAM) may go to the same backend again. */
    @Override
    public ProxyError errorWhileProxy(Session session, HttpPeer peer, ProxyCtx ctx, ProxyError error,
                                      boolean reusedConnection) {
        releaseUpstream(ctx);
        if (ctx.trace != null) {
            ctx.trace.attemptEnded(error);
        }
        if (error.kind() == ProxyError.Kind.STREAM_REFUSED && ctx.upstream != null) {
            ctx.backend.refused();
        }
        return super.errorWhileProxy(session, peer, ctx, error, reusedConnection);
    }

    /**
     * The origin's response ended: the backend is free now, before the last bytes reach the client
     * and long before logging, so least_conn sees it free for the very next request.
     */
    @Override
    public ByteBuffer upstreamResponseBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream, ProxyCtx ctx) {
        if (endOfStream && ctx.upstream != null) {
            ctx.backend.finished(ctx.upstream, session.response(), null);
            if (ctx.requestSentNanos != 0 && ctx.upstreamResponseNanos < 0) {
                ctx.upstreamResponseNanos = System.nanoTime() - ctx.requestSentNanos;
                if (ctx.upstreamInUse) {
                    ctx.recorder.upstreamResponded(ctx.upstreamSeries, ctx.upstreamResponseNanos);
                }
            }
            releaseUpstream(ctx);
            if (ctx.trace != null) {
                ctx.trace.attemptEnded(null);
            }
        }
        return chunk;
    }

    /** The attempt no longer holds its upstream connection (its response ended, or it failed). */
    private static void releaseUpstream(ProxyCtx ctx) {
        if (ctx.upstreamInUse) {
            ctx.upstreamInUse = false;
            ctx.recorder.upstreamReleased(ctx.upstreamSeries);
        }
    }

    /**
     * The chain first (a plugin with another answer, such as the cache's stale copy, may send it);
     * else the status, as the {@code error_template} page when one is configured and the answer is
     * the proxy's own (an upstream error, or a status such as 404 or 429).
     */
    @Override
    public FailToProxy failToProxy(Session session, ProxyError error, ProxyCtx ctx) {
        FailToProxy f = super.failToProxy(session, error, ctx);
        if (site.errorPage != null && f.status() > 0 && f.reuseDownstream() && !session.responseStarted()) {
            session.respond(f.status(), ErrorPage.CONTENT_TYPE, site.errorPage.render(f.status()));
        }
        return f;
    }

    @Override
    public void logging(Session session, ProxyError error, ProxyCtx ctx) {
        if (ctx.processing) {
            ctx.location.processing().decrementAndGet();
        }
        super.logging(session, error, ctx);
        if (ctx.upstream != null) {
            ctx.backend.finished(ctx.upstream, session.response(), error);
        }
        releaseUpstream(ctx);
        ctx.error = error;
        ResponseHead response = session.response();
        int status = response == null ? 0 : response.status();
        Object refusedBy = session.attribute(LimitFilterFactory.REFUSED_BY_ATTRIBUTE);
        Recorder r = ctx.recorder;
        if (r != null) {
            r.requestEnded(ctx.locationSeries, status, System.nanoTime() - session.startNanos(),
                    session.requestBodyBytes(), session.responseBodyBytes());
            if (ctx.location != null && ctx.location.cacheSeries() >= 0 && response != null) {
                int result = cacheResult(response.headers());
                if (result >= 0) {
                    r.cache(ctx.location.cacheSeries(), result);
                }
            }
            if (refusedBy != null) {
                int plugin = site.observability.metrics.limitPlugin(refusedBy.toString());
                if (plugin >= 0) {
                    r.limitRefused(plugin);
                }
            }
        }
        if (refusedBy != null) {
            logError(session, ctx, status, "limit plugin '" + refusedBy + "' refused the request");
        } else if (error != null && !clientWentAway(error)) {
            logError(session, ctx, status, ErrorLog.cause(error));
        }
        if (ctx.trace != null) {
            ctx.trace.end(status, session.responseBodyBytes(), error);
        }
        if (site.accessLog != null) {
            site.accessLog.log(session, ctx);
        }
        ctx.recycle(); // logging is the last phase, called exactly once
    }

    private void logError(Session session, ProxyCtx ctx, int status, String cause) {
        site.observability.errorLog.log(session, site.name,
                ctx.location == null ? null : ctx.location.config().name(),
                ctx.upstream != null ? ctx.upstream.name
                        : ctx.location == null || ctx.location.upstream() == null ? null : ctx.location.upstream().name,
                ctx.attempts, status, cause);
    }

    /** A client that closed its connection mid-request: nothing the proxy answered, nothing to explain. */
    private static boolean clientWentAway(ProxyError e) {
        return e.source() == ProxyError.Source.DOWNSTREAM && e.kind() == ProxyError.Kind.CONNECTION_CLOSED;
    }

    /** The X-Cache value the cache plugin set: 0 hit, 1 miss, 2 stale, 3 expired; -1 none. */
    private static int cacheResult(HeaderBlock h) {
        int i = h.indexOf("X-Cache");
        if (i < 0) {
            return -1;
        }
        if (h.valueEqualsIgnoreCase(i, "HIT")) {
            return 0;
        }
        if (h.valueEqualsIgnoreCase(i, "MISS")) {
            return 1;
        }
        if (h.valueEqualsIgnoreCase(i, "STALE")) {
            return 2;
        }
        return h.valueEqualsIgnoreCase(i, "EXPIRED") ? 3 : -1;
    }

    /** A malformed or too slow request the engine refused before any phase: counted and explained. */
    @Override
    public void requestRejected(Session session, ProxyError error) {
        ResponseHead response = session.response();
        int status = response == null ? 0 : response.status();
        Observability obs = site.observability;
        if (obs.metrics != null) {
            Recorder r = obs.metrics.recorder();
            int series = obs.metrics.unrouted();
            r.requestStarted(series, session.requestNumber() > 1);
            r.requestEnded(series, status, System.nanoTime() - session.startNanos(), session.requestBodyBytes(),
                    session.responseBodyBytes());
        }
        obs.errorLog.log(session, site.name, null, null, 0, status, ErrorLog.cause(error));
    }

    @Override
    protected void loggingFailed(HttpFilter filter, RuntimeException e) {
        LOG.warn("plugin logging failed", e);
    }
}
