package io.pingora4j.server.config;

import io.pingora4j.lb.Algorithm;
import io.pingora4j.lb.Backend;
import io.pingora4j.lb.HealthCheckSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An {@code [upstreams.NAME]} table: where a location's requests go. Immutable.
 *
 * <p>Backends come from {@code addrs}, each "host:port" or Pingap's "host:port weight"; the seed's
 * {@code weights = [3, 1]} gives weights by position instead (not both). The algorithm comes from
 * the seed's {@code algorithm} or Pingap's {@code algo} ({@link Algorithm#parse} spellings); when
 * none is written and weights differ, weighted round robin is used, as Pingap (Pingora's round
 * robin is weighted) does.
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
 * @param alpn                   Pingap's ALPN choice ("h1", "h2", "h2h1"), or null
 * @param maxRetries             retries on another backend after a connect failure, or null
 * @param discovery              Pingap's discovery ("static", "dns", "docker"), or null
 * @param updateFrequency        how often discovery runs, or null
 * @param extras                 other Pingap keys, kept but not interpreted (tcp_*, ipv4_only...)
 */
public record UpstreamConfig(String name, List<Backend> backends, Algorithm algorithm, HealthCheckSpec healthCheck,
                             Duration connectionTimeout, Duration totalConnectionTimeout, Duration readTimeout,
                             Duration writeTimeout, Duration idleTimeout, boolean tls, String sni, boolean verifyCert,
                             String alpn, Integer maxRetries, String discovery, Duration updateFrequency,
                             Map<String, Object> extras) {

    public UpstreamConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(algorithm, "algorithm");
        backends = List.copyOf(backends);
        extras = Map.copyOf(extras);
    }
}
