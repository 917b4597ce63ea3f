package io.pingora4j.server.config;

import io.pingora4j.lb.Algorithm;
import io.pingora4j.lb.Backend;
import io.pingora4j.lb.CircuitBreaker;
import io.pingora4j.lb.HealthCheckSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An {@code [upstreams.NAME]} table: where a location's requests go. Immutable.
 *
 * <p>Backends come from {@code addrs}, each "host:port" or Pingap's "host:port weight"; the seed's
 * {@code weights = [3, 1]} gives weights by position instead (not both). The algorithm comes from
 * the seed's {@code algorithm} or Pingap's {@code algo} ({@link Algorithm#parse} spellings); when
 * none is written and weights differ, weighted round robin is used, as Pingap (Pingora's round
 * robin is weighted) does.
 *
 * <p>Backend health and resilience keys:
 * <ul>
 *   <li>{@code health_check}: Pingap's URL form, {@code http://}, {@code https://} or {@code tcp://}
 *       {@code HOST[:PORT][/PATH][?check_frequency=&success=&failure=&connection_timeout=&read_timeout=
 *       &expected_status=&tls]}; each backend is checked at its own address, HOST is the Host header (and
 *       the TLS name for https).</li>
 *   <li>Pingap's circuit breaker: {@code enable_backend_stats}, {@code circuit_break_max_consecutive_failures}
 *       (default 5), {@code circuit_break_max_failure_percent} (50), {@code circuit_break_min_requests_threshold}
 *       (10), {@code circuit_break_half_open_consecutive_success_threshold} (5), {@code circuit_break_open_duration}
 *       (10s), {@code backend_stats_interval} (the window of the percent rule; ours defaults to 60s) and
 *       {@code backend_failure_status_code} ("502,503"; every 5xx by default). The breaker is on when
 *       {@code enable_backend_stats = true} or any {@code circuit_break_*} key is written; a rule set to 0 is off.
 *       Connect errors and timeouts always count as failures.</li>
 *   <li>Ours (Pingap has neither): {@code passive_failures = N} takes a backend down after N consecutive failed
 *       real requests (connect error, timeout, failure status); 0, the default, is off. Only active checks bring
 *       a backend back, so without a {@code health_check} a passively failed backend stays down until reload.
 *       {@code slow_start = "30s"} ramps a recovered backend from 10% to its full weight over that time.</li>
 *   <li>{@code discovery = "dns"}, or a host name in {@code addrs} (unless {@code discovery = "static"}): host
 *       names are resolved off the event loops at start and every {@code update_frequency} (default 30s); a changed
 *       answer swaps the backends without touching requests in flight.</li>
 * </ul>
 *
 * @param name                   NAME
 * @param backends               the servers, in order
 * @param algorithm              selection algorithm
 * @param healthCheck            active health check, or null
 * @param connectionTimeout      TCP (and TLS) connect timeout, or null for the engine default
 * @param totalConnectionTimeout connect including TLS handshake, or null
 * @param readTimeout            time to wait for upstream bytes, or null
 * @param writeTimeout           time to wait for the upstream to take bytes, or null
 * @param idleTimeout            how long a pooled idle connection is kept, or null
 * @param tls                    connect with TLS ({@code tls = true}, or {@code sni} set, as in Pingap)
 * @param sni                    TLS server name, or null
 * @param verifyCert             whether to verify the upstream certificate (default true)
 * @param alpn                   Pingap's ALPN choice: "h1" (or null), "h2" (HTTP/2: ALPN "h2" over TLS, h2c
 *                               with prior knowledge on a plain upstream), "h2h1" (over TLS, the origin picks)
 * @param maxRetries             retries on another backend after a connect failure, or null
 * @param discovery              Pingap's discovery ("static", "dns", "docker"), or null
 * @param updateFrequency        how often discovery runs, or null
 * @param passiveFailures        consecutive failed real requests (connect error, timeout, failure status) that
 *                               take a backend down; 0 = off (our {@code passive_failures}; Pingap has none)
 * @param slowStart              how long a recovered backend ramps to full weight; zero = off (our {@code slow_start})
 * @param circuitBreaker         per-backend breaker policy (Pingap's {@code circuit_break_*}), or null for none
 * @param failureStatuses        response statuses that count as a failure (Pingap's
 *                               {@code backend_failure_status_code}); empty = every 5xx
 * @param caFile                 PEM file of the CAs an origin's certificate must chain to (as written;
 *                               see {@link ProxyConfig#resolve}), or null for the JDK's trust store
 * @param ipv4Only               with DNS discovery, keep only IPv4 addresses (Pingap's {@code ipv4_only})
 * @param extras                 Pingap keys accepted but not applied (tcp_*, dns_server...), each reported
 *                               as a warning when loaded; nothing reads them
 */
public record UpstreamConfig(String name, List<Backend> backends, Algorithm algorithm, HealthCheckSpec healthCheck,
                             Duration connectionTimeout, Duration totalConnectionTimeout, Duration readTimeout,
                             Duration writeTimeout, Duration idleTimeout, boolean tls, String sni, boolean verifyCert,
                             String alpn, Integer maxRetries, String discovery, Duration updateFrequency,
                             int passiveFailures, Duration slowStart, CircuitBreaker.Policy circuitBreaker,
                             Set<Integer> failureStatuses, String caFile, boolean ipv4Only,
                             Map<String, Object> extras) {

    public UpstreamConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(algorithm, "algorithm");
        backends = List.copyOf(backends);
        extras = Map.copyOf(extras);
        Objects.requireNonNull(slowStart, "slowStart");
        failureStatuses = Set.copyOf(failureStatuses);
    }

    /** Whether a response status counts against the backend (passive health and circuit breaker). */
    public boolean isFailureStatus(int status) {
        return failureStatuses.isEmpty() ? status >= 500 : failureStatuses.contains(status);
    }

    /** DNS discovery: asked for with {@code discovery = "dns"}, or implied by a host name in addrs. */
    public boolean dnsDiscovery() {
        if ("dns".equalsIgnoreCase(discovery)) {
            return true;
        }
        if (discovery != null && !discovery.isEmpty()) {
            return false;
        }
        for (Backend b : backends) {
            if (!isIpLiteral(b.host())) {
                return true;
            }
        }
        return false;
    }

    /** Whether a host is an IPv4 or IPv6 literal (no resolution needed). */
    public static boolean isIpLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true; // Backend keeps IPv6 without brackets; a host name never has ':'
        }
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9') || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }
}
