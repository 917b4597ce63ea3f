package io.pingora4j.server;

import io.pingora4j.codec.h1.Cookies;
import io.pingora4j.codec.h1.QueryString;
import io.pingora4j.lb.RequestKeyView;
import io.pingora4j.server.accesslog.UpstreamFacts;
import io.pingora4j.server.metrics.Recorder;
import io.pingora4j.server.tracing.RequestTrace;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.Session;
import java.util.ArrayDeque;

/**
 * One request's state in {@link PingapProxy}: its location and filter chain, its backend tries,
 * whether it holds a {@code max_processing} slot, what was observed of its upstream attempts (for
 * metrics, the access log and the error log) and its trace. Also the view hash-based load
 * balancing keys on.
 *
 * <p>Pooled per event loop: {@link #take()} in {@code newCtx}, {@link #recycle()} after logging
 * (the last phase, called once), so the steady state allocates no context. Owned by the request's
 * loop; never shared.
 */
final class ProxyCtx implements RequestKeyView, UpstreamFacts {

    private static final HttpFilter[] NO_FILTERS = new HttpFilter[0];
    private static final ThreadLocal<ArrayDeque<ProxyCtx>> FREE = ThreadLocal.withInitial(ArrayDeque::new);
    private static final int MAX_FREE = 1024;

    Session session;
    /** The routed location; null until routed (and for an ACME answer). */
    ServerRuntime.Location location;
    /** The filters this request runs: the location's chain, or the ACME answer alone. */
    HttpFilter[] chain = NO_FILTERS;
    /** Whether it holds one of the location's max_processing slots (released in logging). */
    boolean processing;
    /**
     * The upstream this request is sent to, fixed by its first {@code upstreamPeer}: the location's,
     * or the one a plugin named (traffic_splitting); null before.
     */
    UpstreamGroup upstream;
    final BackendPick backend = new BackendPick();

    // ---- observed: metrics (recorder null when off), the access and error logs, tracing
    /** This loop's metrics recorder, or null when metrics are off. */
    Recorder recorder;
    /** The metrics series of the location and of its upstream (-1: none). */
    int locationSeries;
    int upstreamSeries = -1;
    /** Upstream attempts made (each upstreamPeer call). */
    int attempts;
    /** The attempt holds an upstream connection counted in use. */
    boolean upstreamInUse;
    /** When the attempt's request went upstream; 0 before. */
    long requestSentNanos;
    long upstreamConnectNanos = -1;
    long upstreamProcessingNanos = -1;
    long upstreamResponseNanos = -1;
    int upstreamStatus;
    /** What ended the request in error, or null. */
    ProxyError error;
    /** The request's trace, or null when it is not traced (tracing off, or sampled out). */
    RequestTrace trace;

    /** The proxy (of the configuration current when the request began) its phases run on; see {@link ProxySwitch}. */
    PingapProxy owner;

    private ProxyCtx() {
    }

    static ProxyCtx take() {
        ProxyCtx c = FREE.get().pollFirst();
        return c != null ? c : new ProxyCtx();
    }

    void recycle() {
        owner = null;
        session = null;
        location = null;
        chain = NO_FILTERS;
        processing = false;
        upstream = null;
        backend.reset();
        recorder = null;
        locationSeries = 0;
        upstreamSeries = -1;
        attempts = 0;
        upstreamInUse = false;
        requestSentNanos = 0;
        upstreamConnectNanos = -1;
        upstreamProcessingNanos = -1;
        upstreamResponseNanos = -1;
        upstreamStatus = 0;
        error = null;
        trace = null;
        ArrayDeque<ProxyCtx> free = FREE.get();
        if (free.size() < MAX_FREE) {
            free.addFirst(this);
        }
    }

    @Override
    public int upstreamStatus() {
        return upstreamStatus;
    }

    @Override
    public long upstreamResponseNanos() {
        return upstreamResponseNanos;
    }

    @Override
    public long upstreamConnectNanos() {
        return upstreamConnectNanos;
    }

    @Override
    public long upstreamProcessingNanos() {
        return upstreamProcessingNanos;
    }

    @Override
    public String error() {
        return error == null ? null : ErrorLog.cause(error);
    }

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
