/**
 * Rate and concurrency limits, pure JDK, shared by all event loops.
 *
 * <ul>
 *   <li>{@link io.pingora4j.limits.TokenBucket}: bursts up to a capacity, refilled at an exact rate.</li>
 *   <li>{@link io.pingora4j.limits.FixedWindowCounter} and
 *       {@link io.pingora4j.limits.SlidingWindowCounter}: at most {@code max} per window.</li>
 *   <li>{@link io.pingora4j.limits.Rate} and {@link io.pingora4j.limits.Inflight}: Pingora's
 *       count-min estimators, per key in fixed memory.</li>
 *   <li>{@link io.pingora4j.limits.KeyedRateLimiter} and
 *       {@link io.pingora4j.limits.KeyedInflightLimiter}: the decisions behind a Pingap-style
 *       {@code limit} plugin ({@code type = "rate" | "inflight"}, {@code max}, {@code interval},
 *       {@code weight}).</li>
 * </ul>
 *
 * Every time-based limiter reads an injected {@link io.pingora4j.limits.NanoClock}; hot paths
 * are lock-free and allocation-free (each class comment says exactly where that ends).
 */
package io.pingora4j.limits;
