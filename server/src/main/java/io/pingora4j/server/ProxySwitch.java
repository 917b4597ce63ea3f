package io.pingora4j.server;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.FailToProxy;
import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.ProxyHttp;
import io.pingora4j.spi.Session;
import java.nio.ByteBuffer;

/**
 * What a listening address serves with across reloads: the current {@link PingapProxy} of the
 * server that owns the address. A request is pinned to the proxy that was current when it began
 * ({@link #newCtx()} records it in its {@link ProxyCtx}), and every later phase goes to that one,
 * so a request in flight finishes on the configuration it started with while new requests see the
 * new one. A reload changes the proxy with one volatile write ({@link #set}).
 *
 * <p>Thread-safe: {@link #set} from the reload thread, everything else from the event loops; the
 * only shared state is the volatile reference and the proxies' in-flight counters.
 */
final class ProxySwitch implements ProxyHttp<ProxyCtx> {

    private volatile PingapProxy current;

    ProxySwitch(PingapProxy first) {
        this.current = first;
    }

    /** New requests from now on go to {@code next}; those in flight stay where they are. */
    void set(PingapProxy next) {
        current = next;
    }

    PingapProxy current() {
        return current;
    }

    @Override
    public ProxyCtx newCtx() {
        PingapProxy p = current;
        ProxyCtx ctx = p.newCtx();
        ctx.owner = p;
        p.inFlight.increment();
        return ctx;
    }

    @Override
    public void earlyRequestFilter(Session session, ProxyCtx ctx) {
        ctx.owner.earlyRequestFilter(session, ctx);
    }

    @Override
    public Action requestFilter(Session session, ProxyCtx ctx) {
        return ctx.owner.requestFilter(session, ctx);
    }

    @Override
    public HttpPeer upstreamPeer(Session session, ProxyCtx ctx) {
        return ctx.owner.upstreamPeer(session, ctx);
    }

    @Override
    public void connectedToUpstream(Session session, ProxyCtx ctx, HttpPeer peer, boolean reused) {
        ctx.owner.connectedToUpstream(session, ctx, peer, reused);
    }

    @Override
    public void upstreamRequestFilter(Session session, RequestHead upstreamRequest, ProxyCtx ctx) {
        ctx.owner.upstreamRequestFilter(session, upstreamRequest, ctx);
    }

    @Override
    public ByteBuffer requestBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream, ProxyCtx ctx) {
        return ctx.owner.requestBodyFilter(session, chunk, endOfStream, ctx);
    }

    @Override
    public void upstreamResponseFilter(Session session, ResponseHead upstreamResponse, ProxyCtx ctx) {
        ctx.owner.upstreamResponseFilter(session, upstreamResponse, ctx);
    }

    @Override
    public void responseFilter(Session session, ResponseHead response, ProxyCtx ctx) {
        ctx.owner.responseFilter(session, response, ctx);
    }

    @Override
    public ByteBuffer upstreamResponseBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream, ProxyCtx ctx) {
        return ctx.owner.upstreamResponseBodyFilter(session, chunk, endOfStream, ctx);
    }

    @Override
    public ByteBuffer responseBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream, ProxyCtx ctx) {
        return ctx.owner.responseBodyFilter(session, chunk, endOfStream, ctx);
    }

    @Override
    public void responseTrailerFilter(Session session, HeaderBlock trailers, ProxyCtx ctx) {
        ctx.owner.responseTrailerFilter(session, trailers, ctx);
    }

    @Override
    public ProxyError failToConnect(Session session, HttpPeer peer, ProxyCtx ctx, ProxyError error) {
        return ctx.owner.failToConnect(session, peer, ctx, error);
    }

    @Override
    public ProxyError errorWhileProxy(Session session, HttpPeer peer, ProxyCtx ctx, ProxyError error,
                                      boolean reusedConnection) {
        return ctx.owner.errorWhileProxy(session, peer, ctx, error, reusedConnection);
    }

    @Override
    public FailToProxy failToProxy(Session session, ProxyError error, ProxyCtx ctx) {
        return ctx.owner.failToProxy(session, error, ctx);
    }

    @Override
    public void logging(Session session, ProxyError error, ProxyCtx ctx) {
        PingapProxy p = ctx.owner; // logging recycles the context
        try {
            p.logging(session, error, ctx);
        } finally {
            p.inFlight.decrement();
        }
    }

    @Override
    public void requestRejected(Session session, ProxyError error) {
        current.requestRejected(session, error);
    }
}
