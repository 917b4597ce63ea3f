package io.pingora4j.server;

import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.lb.BackendHealth;
import io.pingora4j.lb.BackendSet;
import io.pingora4j.lb.CircuitBreaker;
import io.pingora4j.lb.RequestKeyView;
import io.pingora4j.lb.Selector;
import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.ProxyError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's dealings with its upstream's backends, in one place: which backend it is sent to
 * (skipping those tried and those whose circuit breaker refuses), and how each try ended, fed to
 * the backend's counters, passive health and circuit breaker exactly once.
 *
 * <p>Part of a {@link ProxyCtx}: owned by the request's loop, reset when the context is recycled.
 */
final class BackendPick {

    private static final Logger LOG = LoggerFactory.getLogger(BackendPick.class);

    /** The upstream's backends as this request first saw them; kept across retries and discovery swaps. */
    private UpstreamGroup.Snapshot snapshot;
    /** The backend of the try in progress, or {@link Selector#NONE}. */
    private int backend = Selector.NONE;
    private long tried;
    /** The try's outcome was reported (when its response ended, before logging). */
    private boolean reported;

    void reset() {
        snapshot = null;
        backend = Selector.NONE;
        tried = 0;
        reported = false;
    }

    /**
     * Picks a backend not tried yet. A breaker that refuses (open, or half-open with its probes
     * out) is skipped for this pick only: it is not a try, so it does not use up the request's retries.
     *
     * @throws ProxyError 503 when no backend is available
     */
    HttpPeer choose(UpstreamGroup up, RequestKeyView request) {
        if (snapshot == null) {
            snapshot = up.snapshot(); // once per request: a discovery swap does not move a request in flight
        }
        long skip = tried;
        int i;
        while (true) {
            i = snapshot.selector().select(request, skip);
            if (i == Selector.NONE) {
                LOG.warn("upstream '{}': no backend available (all down, open or tried)", up.name);
                throw ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.NO_UPSTREAM, 503,
                        "upstream '" + up.name + "' has no available backend");
            }
            CircuitBreaker breaker = snapshot.set().breaker(i);
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
        backend = i;
        tried = Selector.markTried(tried, i);
        snapshot.set().stats(i).onRequestStart();
        return snapshot.peers()[i];
    }

    /**
     * The try's connection failed: nothing reached the origin. Reports it, and says whether
     * another backend may be tried within {@code attempts}.
     */
    boolean connectFailed(UpstreamGroup up, ProxyError error, int attempts) {
        if (snapshot == null || backend < 0) {
            return false;
        }
        report(up, backend, true, error.kind() == ProxyError.Kind.CONNECT_TIMEOUT
                ? BackendHealth.PassiveOutcome.TIMEOUT : BackendHealth.PassiveOutcome.CONNECT_ERROR);
        backend = Selector.NONE;
        int triedCount = Long.bitCount(tried);
        return triedCount < attempts && triedCount < snapshot.peers().length;
    }

    /**
     * The try was refused before the origin processed it (HTTP/2 REFUSED_STREAM or GOAWAY): it
     * ends without a verdict on the backend, which may be tried again (it is not "tried").
     */
    void refused() {
        if (snapshot == null || backend < 0) {
            return;
        }
        snapshot.set().stats(backend).onRequestEnd(false);
        if (backend < 64) {
            tried &= ~(1L << backend);
        }
        backend = Selector.NONE;
    }

    /**
     * The try ended (its response's last byte arrived, or the request ended): reports it once.
     * A failure is a failure status (backend_failure_status_code, every 5xx by default) or an
     * upstream error (timeout, reset); a request ended by the client or by us (an abort, a filter)
     * is counted but gives no verdict on the backend: a half-open probe left unreported is retried
     * by the breaker after open_duration.
     */
    void finished(UpstreamGroup up, ResponseHead response, ProxyError error) {
        if (reported || snapshot == null || backend < 0) {
            return;
        }
        reported = true;
        boolean serverError = response != null && up.config.isFailureStatus(response.status());
        boolean timeout = error != null && (error.kind() == ProxyError.Kind.READ_TIMEOUT
                || error.kind() == ProxyError.Kind.WRITE_TIMEOUT);
        boolean failed = serverError || timeout || (error != null && error.source() == ProxyError.Source.UPSTREAM);
        BackendHealth.PassiveOutcome verdict = !failed && error != null ? null
                : timeout ? BackendHealth.PassiveOutcome.TIMEOUT
                : failed ? BackendHealth.PassiveOutcome.SERVER_ERROR : BackendHealth.PassiveOutcome.SUCCESS;
        report(up, backend, failed, verdict);
    }

    /** Counters, then (with a verdict) passive health and the circuit breaker. */
    private void report(UpstreamGroup up, int b, boolean failed, BackendHealth.PassiveOutcome verdict) {
        BackendSet set = snapshot.set();
        set.stats(b).onRequestEnd(failed);
        if (verdict == null) {
            return;
        }
        if (set.health(b).onPassiveResult(verdict)) {
            LOG.warn("upstream '{}': backend {} is now DOWN ({} consecutive failed requests)",
                    up.name, set.backend(b).address(), up.config.passiveFailures());
        }
        CircuitBreaker breaker = set.breaker(b);
        if (breaker != null) {
            if (failed) {
                breaker.onFailure();
            } else {
                breaker.onSuccess();
            }
        }
    }
}
