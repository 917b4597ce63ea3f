package io.pingora4j.spi;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link ProxyHttp} that runs a chain of {@link HttpFilter}s at every phase: the server's
 * locations run their rules and plugins through it, and a code-first proxy (or a plugin's test)
 * can run its filters the same way.
 *
 * <pre>{@code
 * Server server = Server.builder()
 *         .listen("127.0.0.1:8080", FilterChainProxy.to(HttpPeer.of("127.0.0.1", 9000), new MyFilter()))
 *         .start();
 * }</pre>
 *
 * <h2>How the chain runs</h2>
 * At each phase the filters run in chain order. In {@code requestFilter} the first filter that
 * does not return {@link Action#CONTINUE} ends the phase: {@link Action#RESPONDED} skips the rest
 * (and the upstream), and a {@link Action#defer deferral} suspends the request; when it completes
 * with CONTINUE (or null) the next filter runs, on the session's loop. Body phases pass each
 * filter's result to the next; a filter that returns null drops the chunk, and the filters after
 * it do not see it. In {@code failToProxy} the filters run until one has answered (see
 * {@link HttpFilter#failToProxy}). Every filter's {@code logging} runs, even when an earlier one
 * threw. Response phases run for the proxy's own answers too (a filter's
 * {@link Session#respond}, an error page).
 *
 * <p>Subclasses choose the chain per request with {@link #filters} (the server picks a location's
 * chain when it routes the request) and the origin with {@link #upstreamPeer}; they may override
 * any phase and call {@code super} for the chain's part.
 *
 * <p>Thread-safe as long as {@link #filters} is: one instance serves every event loop.
 *
 * @param <C> the per-request context type
 */
public abstract class FilterChainProxy<C> implements ProxyHttp<C> {

    /** A chain with no filter. */
    protected static final HttpFilter[] NO_FILTERS = new HttpFilter[0];

    /**
     * The filters that run for this request, in order; {@link #NO_FILTERS} when there are none yet
     * (never null). Called at every phase, so make it a field read. The array is not copied: do
     * not change it once requests use it.
     */
    protected abstract HttpFilter[] filters(C ctx);

    /**
     * A proxy that sends every request to {@code peer} through {@code filters}.
     *
     * @param peer    the origin
     * @param filters the chain, in order (copied)
     */
    public static FilterChainProxy<Object> to(HttpPeer peer, HttpFilter... filters) {
        Objects.requireNonNull(peer, "peer");
        HttpFilter[] chain = filters.clone();
        for (HttpFilter f : chain) {
            Objects.requireNonNull(f, "filter");
        }
        return new FilterChainProxy<>() {
            private final Object ctx = new Object();

            @Override
            public Object newCtx() {
                return ctx; // the filters keep per-request state in the session
            }

            @Override
            protected HttpFilter[] filters(Object c) {
                return chain;
            }

            @Override
            public HttpPeer upstreamPeer(Session session, Object c) {
                return peer;
            }
        };
    }

    @Override
    public void earlyRequestFilter(Session session, C ctx) {
        for (HttpFilter f : filters(ctx)) {
            f.earlyRequestFilter(session);
        }
    }

    @Override
    public Action requestFilter(Session session, C ctx) {
        return requestFilters(session, filters(ctx), 0);
    }

    /** Runs the chain from {@code from}; a deferral resumes the rest on the session's loop. */
    private static Action requestFilters(Session session, HttpFilter[] chain, int from) {
        for (int i = from; i < chain.length; i++) {
            Action a = chain[i].requestFilter(session);
            if (a == Action.CONTINUE) {
                continue;
            }
            if (a.deferred()) {
                int next = i + 1;
                return Action.defer(a.result().thenComposeAsync(r -> r == Action.CONTINUE || r == null
                        ? settle(requestFilters(session, chain, next)) : CompletableFuture.completedFuture(r),
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
    public ByteBuffer requestBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream, C ctx) {
        ByteBuffer b = chunk;
        for (HttpFilter f : filters(ctx)) {
            if (b == null) {
                break;
            }
            b = f.requestBodyFilter(session, b, endOfStream);
        }
        return b;
    }

    @Override
    public void upstreamRequestFilter(Session session, RequestHead upstreamRequest, C ctx) {
        for (HttpFilter f : filters(ctx)) {
            f.upstreamRequestFilter(session, upstreamRequest);
        }
    }

    @Override
    public void upstreamResponseFilter(Session session, ResponseHead upstreamResponse, C ctx) {
        for (HttpFilter f : filters(ctx)) {
            f.upstreamResponseFilter(session, upstreamResponse);
        }
    }

    @Override
    public void responseFilter(Session session, ResponseHead response, C ctx) {
        for (HttpFilter f : filters(ctx)) {
            f.responseFilter(session, response);
        }
    }

    @Override
    public ByteBuffer responseBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream, C ctx) {
        ByteBuffer b = chunk;
        for (HttpFilter f : filters(ctx)) {
            if (b == null) {
                break;
            }
            b = f.responseBodyFilter(session, b, endOfStream);
        }
        return b;
    }

    @Override
    public void responseTrailerFilter(Session session, HeaderBlock trailers, C ctx) {
        for (HttpFilter f : filters(ctx)) {
            f.responseTrailerFilter(session, trailers);
        }
    }

    /** A filter with another answer (a stale cached copy, say) may send it; else the default status. */
    @Override
    public FailToProxy failToProxy(Session session, ProxyError error, C ctx) {
        for (HttpFilter f : filters(ctx)) {
            if (session.responseStarted()) {
                break;
            }
            f.failToProxy(session, error);
        }
        return ProxyHttp.super.failToProxy(session, error, ctx);
    }

    @Override
    public void logging(Session session, ProxyError error, C ctx) {
        for (HttpFilter f : filters(ctx)) {
            try {
                f.logging(session, error);
            } catch (RuntimeException e) {
                loggingFailed(f, e);
            }
        }
    }

    /**
     * A filter's {@code logging} threw; the other filters' still run. By default the platform
     * logger ({@link System.Logger}) gets a warning; the server sends it to its own log.
     */
    protected void loggingFailed(HttpFilter filter, RuntimeException e) {
        System.getLogger(FilterChainProxy.class.getName())
                .log(System.Logger.Level.WARNING, "logging of filter " + filter.getClass().getName() + " failed", e);
    }
}
