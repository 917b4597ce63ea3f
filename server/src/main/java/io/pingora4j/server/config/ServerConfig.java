package io.pingora4j.server.config;

import io.pingora4j.codec.h2.H2Limits;
import io.pingora4j.tls.ServerTlsSettings;
import io.pingora4j.tls.TlsVersion;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@code [servers.NAME]} table: a listener and the locations it routes to. Immutable.
 *
 * @param name                NAME
 * @param addrs               listen addresses (one or several)
 * @param locations           location names, in the order written (the tie-break of equal weights)
 * @param accessLog           access log preset name or template, or null (then {@code basic.access_log})
 * @param threads             Pingap's per-server event loops; not applied (a warning says so): every
 *                            server shares {@code basic.threads}
 * @param h2Limits            the HTTP/2 settings and security limits ({@code h2_*} keys) when {@code enabledH2}
 * @param enabledH2           whether HTTP/2 is served: ALPN "h2" on TLS, h2c with prior knowledge on plain
 *                            listeners, beside HTTP/1.1 (default false, as in Pingap)
 * @param globalCertificates  whether TLS certificates come from {@code [certificates]} by SNI
 * @param tlsCert             PEM (or base64 PEM, or a file path) certificate for this server, or null
 * @param tlsKey              PEM (or base64 PEM, or a file path) key for this server, or null
 * @param tlsMinVersion       lowest TLS version offered, or null for the default (TLS 1.2)
 * @param tlsMaxVersion       highest TLS version offered, or null for the default (TLS 1.3)
 * @param tlsCipherList       TLS 1.2 suites, ':'-separated (OpenSSL or IANA names), or null for the default
 * @param tlsCiphersuites     TLS 1.3 suites, ':'-separated, or null for the default
 * @param tlsClientAuth       whether clients must show a certificate (mutual TLS); null = none
 * @param tlsClientCa         PEM (or file path) of the CAs client certificates must chain to, or null
 * @param tlsHandshakeTimeout how long a client's handshake may take, or null for the default (10s)
 * @param modules             Pingap's server modules in use: {@code "grpc-web"} bridges gRPC-web to gRPC
 *                            for the locations with {@code grpc_web = true}
 * @param prometheusMetrics   Pingap's {@code prometheus_metrics}: the metrics path this server answers,
 *                            or a Pushgateway to push to; null for neither
 * @param otlpExporter        where this server's request spans go (overrides {@code [basic] otlp_exporter}),
 *                            or null
 * @param extras              Pingap keys accepted but not applied (tcp_*, prometheus_metrics...), each
 *                            reported as a warning when loaded; nothing reads them
 */
public record ServerConfig(String name, List<ListenAddress> addrs, List<String> locations, String accessLog,
                           Integer threads, boolean enabledH2, H2Limits h2Limits, boolean globalCertificates,
                           String tlsCert,
                           String tlsKey, TlsVersion tlsMinVersion, TlsVersion tlsMaxVersion, String tlsCipherList,
                           String tlsCiphersuites, ServerTlsSettings.ClientAuth tlsClientAuth, String tlsClientCa,
                           Duration tlsHandshakeTimeout, List<String> modules, PrometheusMetrics prometheusMetrics,
                           OtlpExporter otlpExporter, Map<String, Object> extras) {

    public ServerConfig {
        Objects.requireNonNull(name, "name");
        addrs = List.copyOf(addrs);
        locations = List.copyOf(locations);
        modules = List.copyOf(modules);
        extras = Map.copyOf(extras);
        Objects.requireNonNull(h2Limits, "h2Limits");
    }

    /** Whether this server bridges gRPC-web ({@code modules = ["grpc-web"]}) for its grpc_web locations. */
    public boolean grpcWeb() {
        return modules.contains("grpc-web");
    }

    /** Whether this server terminates TLS (its own certificate, or the global ones). */
    public boolean tls() {
        return tlsCert != null || globalCertificates;
    }
}
