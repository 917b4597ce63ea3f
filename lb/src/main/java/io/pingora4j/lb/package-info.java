/**
 * Load balancing without sockets: backends, selection algorithms, health state and circuit breakers.
 *
 * <p>One upstream is one {@link io.pingora4j.lb.BackendSet} (its {@link io.pingora4j.lb.Backend}s, each
 * with {@link io.pingora4j.lb.BackendStats}, {@link io.pingora4j.lb.BackendHealth} and optionally a
 * {@link io.pingora4j.lb.CircuitBreaker}) and one {@link io.pingora4j.lb.Selector} built by
 * {@link io.pingora4j.lb.Algorithm#newSelector}. The engine's part, per request:
 * <pre>
 *   long tried = 0;
 *   int i = selector.select(requestView, tried);          // NONE: 502/503, nothing eligible
 *   CircuitBreaker cb = set.breaker(i);
 *   if (cb != null &amp;&amp; !cb.tryAcquire()) { tried = Selector.markTried(tried, i); ...select again }
 *   set.stats(i).onRequestStart();
 *   ... proxy ...
 *   set.stats(i).onRequestEnd(failed);
 *   set.health(i).onPassiveResult(outcome);                 // connect error / timeout / 5xx / success
 *   if (cb != null) { if (failed) cb.onFailure(); else cb.onSuccess(); }
 *   on a retryable failure: tried = Selector.markTried(tried, i) and select again
 * </pre>
 * An active checker (engine side, driven by a {@link io.pingora4j.lb.HealthCheckSpec}) feeds
 * {@link io.pingora4j.lb.BackendHealth#onActiveCheck(boolean)}.
 *
 * <p>Where an algorithm comes from nginx (smooth weighted round robin, least_conn, ip_hash, hash
 * consistent) it follows nginx pick for pick; {@code NginxObservedTest} holds picks recorded from a
 * real nginx.
 */
package io.pingora4j.lb;
