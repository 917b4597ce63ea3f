package io.pingora4j.server;

import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.server.location.GrpcWebBridge;
import io.pingora4j.server.route.RouteMatch;
import io.pingora4j.server.route.Router;
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
 * location (a pending ACME challenge is answered first, before any location); the location may
 * refuse past its {@code max_processing}; its chain (its own rules, then its plugins, in order)
 * runs at each phase as {@link FilterChainProxy} runs chains; its upstream picks a backend
 * ({@link BackendPick}), retrying another on a connect failure; an error the proxy answers gets
 * the {@code error_template} page; the access log is written last. With the server's
 * {@code modules = ["grpc-web"]}, locations with {@code grpc_web = true} run the
 * {@link GrpcWebBridge} first in their chain.
 *
 * <p>Thread-safe: one instance serves every event loop; per-request state lives in {@link ProxyCtx}.
 */
final class PingapProxy extends FilterChainProxy<ProxyCtx> {

    private static final Logger LOG = LoggerFactory.getLogger(PingapProxy.class);

    private final ServerRuntime.Site site;
    private final ThreadLocal<RouteMatch> matches = ThreadLocal.withInitial(RouteMatch::new);
    /** The ACME answer, as a chain of its own; null when this listener answers no challenge. */
    private final Http01Filter acme;
    private final HttpFilter[] acmeChain;
    /** Each location's chain for this server (the gRPC-web bridge first where it applies), by route index. */
    private final HttpFilter[][] chains;

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
        RequestHead req = session.request();
        if (acme != null && acme.claims(req)) {
            ctx.chain = acmeChain; // answered in requestFilter, before any location sees it
            return;
        }
        RouteMatch m = matches.get();
        if (!site.router.match(req.authorityChars(), req.pathAndQueryChars(), m)) {
            throw ProxyError.status(404, "no location of server '" + site.name + "' matches");
        }
        ServerRuntime.Location location = site.locations[m.route().index()];
        ctx.location = location;
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

    @Override
    public HttpPeer upstreamPeer(Session session, ProxyCtx ctx) {
        UpstreamGroup up = ctx.location.upstream();
        if (up == null) {
            throw ProxyError.of(ProxyError.Source.INTERNAL, ProxyError.Kind.NO_UPSTREAM, 502,
                    "location '" + ctx.location.config().name() + "' has no upstream and nothing answered the request");
        }
        return ctx.backend.choose(up, ctx);
    }

    @Override
    public ProxyError failToConnect(Session session, HttpPeer peer, ProxyCtx ctx, ProxyError error) {
        UpstreamGroup up = ctx.location.upstream();
        if (up != null && ctx.backend.connectFailed(up, error, ctx.location.attempts())) {
            return error.retryable(true); // nothing reached the origin: another backend may answer
        }
        return error;
    }

    /** A request an HTTP/2 origin refused unprocessed (GOAWAY, REFUSED_STREAM) may go to the same backend again. */
    @Override
    public ProxyError errorWhileProxy(Session session, HttpPeer peer, ProxyCtx ctx, ProxyError error, boolean reused) {
        if (error.kind() == ProxyError.Kind.STREAM_REFUSED && ctx.location != null && ctx.location.upstream() != null) {
            ctx.backend.refused();
        }
        return super.errorWhileProxy(session, peer, ctx, error, reused);
    }

    /**
     * The origin's response ended: the backend is free now, before the last bytes reach the client
     * and long before logging, so least_conn sees it free for the very next request.
     */
    @Override
    public ByteBuffer upstreamResponseBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream, ProxyCtx ctx) {
        if (endOfStream && ctx.location != null && ctx.location.upstream() != null) {
            ctx.backend.finished(ctx.location.upstream(), session.response(), null);
        }
        return chunk;
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
        if (ctx.location != null && ctx.location.upstream() != null) {
            ctx.backend.finished(ctx.location.upstream(), session.response(), error);
        }
        if (site.accessLog != null) {
            site.accessLog.log(session);
        }
        ctx.recycle(); // logging is the last phase, called exactly once
    }

    @Override
    protected void loggingFailed(HttpFilter filter, RuntimeException e) {
        LOG.warn("plugin logging failed", e);
    }
}
