package io.pingora4j.server.config;

import io.pingora4j.codec.h2.H2Limits;
import io.pingora4j.tls.ServerTlsSettings;
import io.pingora4j.tls.TlsConfigException;
import io.pingora4j.tls.TlsVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads {@code [servers.NAME]}. Every key it knows is read unconditionally (see {@link TableReader}). */
final class ServerReader {

    private ServerReader() {
    }

    /**
     * The server, or null when the table has a problem (recorded).
     *
     * @param locations    the names of the {@code [locations.*]} tables, which {@code locations} may list
     * @param listenOwners listen address to the server that took it, filled as servers are read
     */
    static ServerConfig read(TableReader r, String name, Collection<String> locations, Map<String, String> listenOwners) {
        int before = r.problemCount();
        List<ListenAddress> addrs = addrs(r, name, listenOwners);
        List<String> routed = r.stringList("locations");
        if (routed != null) {
            for (String l : routed) {
                if (!locations.contains(l)) {
                    r.problem("locations", "server '" + name + "' lists unknown location '" + l + "'"
                            + ConfigLoader.known(locations));
                }
            }
            if (routed.stream().distinct().count() != routed.size()) {
                r.problem("locations", "lists a location twice");
            }
        }
        String accessLog = r.string("access_log");
        Long threads = r.integer("threads", 0, 4096);
        r.notApplied("threads", "every server shares [basic] threads event loops");
        boolean h2 = r.bool("enabled_h2", false);
        H2Limits h2Limits = H2Keys.read(r);
        boolean global = r.bool("global_certificates", false);
        String cert = r.string("tls_cert");
        String key = r.string("tls_key");
        if ((cert == null) != (key == null)) {
            r.problem(cert == null ? "tls_cert" : "tls_key", "tls_cert and tls_key go together");
        }
        TlsVersion min = version(r, "tls_min_version");
        TlsVersion max = version(r, "tls_max_version");
        if (min != null && max != null && min.compareTo(max) > 0) {
            r.problem("tls_min_version", min.jsseName() + " is above tls_max_version " + max.jsseName());
        }
        String cipherList = r.string("tls_cipher_list");
        String ciphersuites = r.string("tls_ciphersuites");
        String auth = r.choice("tls_client_auth", List.of("none", "optional", "required"));
        String clientCa = r.string("tls_client_ca");
        ServerTlsSettings.ClientAuth clientAuth = auth == null ? null
                : ServerTlsSettings.ClientAuth.valueOf(auth.toUpperCase(Locale.ROOT));
        if (clientAuth != null && clientAuth != ServerTlsSettings.ClientAuth.NONE && clientCa == null) {
            r.problem("tls_client_auth", "\"" + auth + "\" needs tls_client_ca (a PEM bundle of the CAs that"
                    + " issue client certificates)");
        }
        Duration handshake = r.positiveDuration("tls_handshake_timeout", "10s");
        PrometheusMetrics metrics = r.prometheusMetrics("prometheus_metrics");
        OtlpExporter otlp = r.otlpExporter("otlp_exporter");
        r.string("remark");
        r.notApplied("includes", "[storages] fragments are not merged");
        List<String> modules = modules(r);
        r.notApplied("lets_encrypt", "use [certificates.NAME] acme = \"lets_encrypt\"");
        r.notApplied("enable_server_timing", "no Server-Timing header");
        r.notApplied("downstream_read_timeout", "the engine's client timeouts apply");
        r.notApplied("downstream_write_timeout", "the engine's client timeouts apply");
        r.notApplied("reuse_port", "each event loop binds its own socket with SO_REUSEPORT whenever there are several");
        r.notApplied("tcp_fastopen", "no TCP Fast Open");
        r.notApplied("tcp_idle", "no TCP keepalive tuning");
        r.notApplied("tcp_interval", "no TCP keepalive tuning");
        r.notApplied("tcp_probe_count", "no TCP keepalive tuning");
        r.notApplied("tcp_user_timeout", "no TCP keepalive tuning");
        if (r.problemCount() != before) {
            return null;
        }
        return new ServerConfig(name, addrs, routed == null ? List.of() : routed, accessLog,
                threads == null || threads == 0 ? null : threads.intValue(), h2, h2Limits, global, cert, key, min,
                max, cipherList, ciphersuites, clientAuth, clientCa, handshake, modules, metrics, otlp, r.extras());
    }

    /** The server modules Pingap knows that we have: {@code grpc-web}. */
    static final List<String> MODULES = List.of("grpc-web");

    private static List<String> modules(TableReader r) {
        List<String> names = r.stringList("modules");
        if (names == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String n : names) {
            String m = n.strip().toLowerCase(Locale.ROOT);
            if (!MODULES.contains(m)) {
                r.problem("modules", "unknown module \"" + n + "\" (known: " + String.join(", ", MODULES) + ")");
            } else if (!out.contains(m)) {
                out.add(m);
            }
        }
        return out;
    }

    private static List<ListenAddress> addrs(TableReader r, String name, Map<String, String> listenOwners) {
        List<ListenAddress> addrs = new ArrayList<>();
        List<String> texts = r.commaList("addr");
        if (texts == null) {
            if (!r.has("addr")) {
                r.problem("addr", "is required (e.g. addr = \"0.0.0.0:80\")");
            }
            return addrs;
        }
        if (texts.isEmpty()) {
            r.problem("addr", "must give at least one address");
            return addrs;
        }
        for (String a : texts) {
            try {
                ListenAddress la = ListenAddress.parse(a);
                String owner = listenOwners.putIfAbsent(la.toString(), name);
                if (owner != null) {
                    r.problem("addr", "addr '" + la + "' is already used by server '" + owner + "'");
                }
                addrs.add(la);
            } catch (IllegalArgumentException e) {
                r.problem("addr", e.getMessage());
            }
        }
        return addrs;
    }

    private static TlsVersion version(TableReader r, String key) {
        String v = r.string(key);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return TlsVersion.parse(key, v);
        } catch (TlsConfigException e) {
            r.problem(key, e.reason());
            return null;
        }
    }
}
