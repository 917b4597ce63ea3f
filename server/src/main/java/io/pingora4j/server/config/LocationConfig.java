package io.pingora4j.server.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@code [locations.NAME]} table: which requests it takes (host, path) and what it does with
 * them before and after the upstream. Immutable; the compiled parts (regexes, templates, rewrite)
 * are shared by every event loop.
 *
 * <p>Ordering: {@link #weight()} is the value the router sorts by (higher first): an explicit
 * {@code priority} (seed) or {@code weight} (Pingap) as written, else Pingap's computed weight
 * (see {@link #pingapWeight}).
 *
 * @param name                      NAME
 * @param upstream                  the upstream's name, or null (a location answered by plugins alone)
 * @param hosts                     hosts it answers for; empty = any host
 * @param path                      path match
 * @param weight                    effective routing weight (higher wins)
 * @param explicitWeight            whether {@code weight} came from priority/weight rather than computed
 * @param rewrite                   path rewrite, or null
 * @param proxySetHeaders           request headers set before sending upstream (replace)
 * @param proxyAddHeaders           request headers appended before sending upstream
 * @param enableReverseProxyHeaders Pingap's switch: set X-Real-IP, X-Forwarded-For/-Proto/-Host/-Port
 * @param headersSet                response headers set (replace) before sending to the client
 * @param headersAdd                response headers appended before sending to the client
 * @param headersRemove             response headers removed before sending to the client
 * @param clientMaxBodySize         request body limit in bytes; 0 = none
 * @param plugins                   plugin names, in chain order
 * @param maxRetries                Pingap's per-location retry count, or null
 * @param maxRetryWindow            Pingap's retry window, or null
 * @param maxProcessing             concurrent requests allowed; 0 = no limit
 * @param grpcWeb                   Pingap's gRPC-web switch
 * @param extras                    other Pingap keys, kept but not interpreted (remark, includes)
 */
public record LocationConfig(String name, String upstream, List<HostPattern> hosts, PathMatch path, int weight,
                             boolean explicitWeight, RewriteRule rewrite, List<HeaderRule> proxySetHeaders,
                             List<HeaderRule> proxyAddHeaders, boolean enableReverseProxyHeaders,
                             List<HeaderRule> headersSet, List<HeaderRule> headersAdd, List<String> headersRemove,
                             long clientMaxBodySize, List<String> plugins, Integer maxRetries, Duration maxRetryWindow,
                             int maxProcessing, boolean grpcWeb, Map<String, Object> extras) {

    public LocationConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
        hosts = List.copyOf(hosts);
        proxySetHeaders = List.copyOf(proxySetHeaders);
        proxyAddHeaders = List.copyOf(proxyAddHeaders);
        headersSet = List.copyOf(headersSet);
        headersAdd = List.copyOf(headersAdd);
        headersRemove = List.copyOf(headersRemove);
        plugins = List.copyOf(plugins);
        extras = Map.copyOf(extras);
    }

    /**
     * Pingap's location weight ({@code LocationConf::get_weight} in pingap-config/src/common.rs):
     * for a path longer than one character (in Pingap's notation, marker included), 1024 for an
     * exact path ("=..."), 256 for a regex ("~..."), 512 for a prefix, plus the path's length capped
     * at 64; plus 128 when a host is set. So "/" and "" add nothing for the path.
     */
    public static int pingapWeight(PathMatch path, boolean hasHost) {
        int weight = 0;
        String p = path.pingapNotation();
        if (p.length() > 1) {
            if (p.startsWith("=")) {
                weight += 1024;
            } else if (p.startsWith("~")) {
                weight += 256;
            } else {
                weight += 512;
            }
            weight += Math.min(p.length(), 64);
        }
        if (hasHost) {
            weight += 128;
        }
        return weight;
    }

    /** Names a route may capture for this location (regex host/path groups), for rewrite validation. */
    public static List<String> captureNames(List<HostPattern> hosts, PathMatch path) {
        ArrayList<String> names = new ArrayList<>();
        if (path.kind() == PathMatch.Kind.REGEX) {
            names.addAll(Regexes.groupNames(path.pattern()));
            int groups = path.pattern().matcher("").groupCount();
            for (int i = 1; i <= groups; i++) {
                names.add(Integer.toString(i));
            }
        }
        for (HostPattern h : hosts) {
            if (h.kind() == HostPattern.Kind.REGEX) {
                names.addAll(Regexes.groupNames(h.pattern()));
            }
        }
        return names;
    }
}
