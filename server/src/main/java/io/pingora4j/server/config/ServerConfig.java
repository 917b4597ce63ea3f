package io.pingora4j.server.config;

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
 * @param enabledH2           whether h2 is offered (ALPN on TLS, h2c otherwise); not applied yet (a
 *                            warning says so when true); Pingap's default is true
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
 * @param extras              Pingap keys accepted but not applied (tcp_*, prometheus_metrics...), each
 *                            reported as a warning when loaded; nothing reads them
 */
public record ServerConfig(String name, List<ListenAddress> addrs, List<String> locations, String accessLog,
                           Integer threads, boolean enabledH2, boolean globalCertificates, String tlsCert,
                           String tlsKey, TlsVersion tlsMinVersion, TlsVersion tlsMaxVersion, String tlsCipherList,
                           String tlsCiphersuites, ServerTlsSettings.ClientAuth tlsClientAuth, String tlsClientCa,
                           Duration tlsHandshakeTimeout, Map<String, Object> extras) {

    public ServerConfig {
        Objects.requireNonNull(name, "name");
        addrs = List.copyOf(addrs);
        locations = List.copyOf(locations);
        extras = Map.copyOf(extras);
    }

    /** Whether this server terminates TLS (its own certificate, or the global ones). */
    public boolean tls() {
        return tlsCert != null || globalCertificates;
    }
}
