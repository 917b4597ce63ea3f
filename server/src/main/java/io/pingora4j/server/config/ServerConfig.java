package io.pingora4j.server.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@code [servers.NAME]} table: a listener and the locations it routes to. Immutable.
 *
 * @param name               NAME
 * @param addrs              listen addresses (one or several)
 * @param locations          location names, in the order written (the tie-break of equal weights)
 * @param accessLog          access log preset name or template, or null (then {@code basic.access_log})
 * @param threads            event loops for this server, or null for {@code basic.threads}
 * @param enabledH2          whether h2 is offered (ALPN on TLS, h2c otherwise); Pingap's default is true
 * @param globalCertificates whether TLS certificates come from {@code [certificates]} by SNI
 * @param tlsCert            PEM (or base64 PEM) certificate for this server, or null
 * @param tlsKey             PEM (or base64 PEM) key for this server, or null
 * @param tlsMinVersion      e.g. "tlsv1.2", or null
 * @param tlsMaxVersion      e.g. "tlsv1.3", or null
 * @param extras             other Pingap keys, kept but not interpreted (tcp_*, prometheus_metrics...)
 */
public record ServerConfig(String name, List<ListenAddress> addrs, List<String> locations, String accessLog,
                           Integer threads, boolean enabledH2, boolean globalCertificates, String tlsCert,
                           String tlsKey, String tlsMinVersion, String tlsMaxVersion, Map<String, Object> extras) {

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
