package io.pingora4j.server.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/** Reads {@code [locations.NAME]}. Every key it knows is read unconditionally (see {@link TableReader}). */
final class LocationReader {

    private LocationReader() {
    }

    /**
     * The location, or null when the table has a problem (recorded).
     *
     * @param plugins the names of the {@code [plugins.*]} tables, which {@code plugins} may list
     */
    static LocationConfig read(TableReader r, String name, Collection<String> plugins) {
        int before = r.problemCount();
        String upstream = r.string("upstream");
        if (upstream != null && upstream.isEmpty()) {
            upstream = null;
        }
        List<HostPattern> hosts = hosts(r);
        PathMatch path = path(r);
        Long priority = r.integer("priority", Integer.MIN_VALUE, Integer.MAX_VALUE);
        Long weight = r.integer("weight", 0, 65_535);
        if (priority != null && weight != null) {
            r.problem("weight", "'priority' and 'weight' both set the routing order; keep one");
        }
        int effective = priority != null ? priority.intValue()
                : weight != null ? weight.intValue() : LocationConfig.pingapWeight(path, !hosts.isEmpty());
        RewriteRule rewrite = null;
        String rewriteText = r.string("rewrite");
        if (rewriteText != null && !rewriteText.isBlank()) {
            try {
                rewrite = RewriteRule.compile(rewriteText, path, LocationConfig.captureNames(hosts, path));
            } catch (IllegalArgumentException e) {
                r.problem("rewrite", e.getMessage());
            }
        }
        List<HeaderRule> proxySet = headerRules(r, "proxy_set_headers", true);
        List<HeaderRule> proxyAdd = headerRules(r, "proxy_add_headers", true);
        boolean reverseHeaders = r.bool("enable_reverse_proxy_headers", false);
        List<HeaderRule> headersSet = headerRules(r, "headers_set", false);
        List<HeaderRule> headersAdd = headerRules(r, "headers_add", false);
        List<String> headersRemove = headerNames(r, "headers_remove");
        Long maxBody = r.size("client_max_body_size");
        List<String> pluginNames = r.stringList("plugins");
        if (pluginNames != null) {
            for (int i = 0; i < pluginNames.size(); i++) {
                String p = pluginNames.get(i);
                // names with ':' are built-ins in Pingap's convention ("pingap:requestId")
                if (!plugins.contains(p) && p.indexOf(':') < 0) {
                    r.problemAt(r.key("plugins") + "[" + i + "]", "unknown plugin '" + p + "'"
                            + ConfigLoader.known(plugins));
                }
            }
        }
        Long retries = r.integer("max_retries", 0, 100);
        Long maxProcessing = r.integer("max_processing", 0, Integer.MAX_VALUE);
        Duration retryWindow = r.duration("max_retry_window");
        r.notApplied("max_retry_window", "retries are bounded by max_retries and the upstream's timeouts");
        boolean grpcWeb = r.bool("grpc_web", false); // bridged where the server has modules = ["grpc-web"]
        r.string("remark");
        r.notApplied("includes", "[storages] fragments are not merged");
        r.notApplied("enable_reverse_proxy_headers_override", "enable_reverse_proxy_headers sets the headers");
        if (r.problemCount() != before) {
            return null;
        }
        return new LocationConfig(name, upstream, hosts, path, effective, priority != null || weight != null, rewrite,
                proxySet, proxyAdd, reverseHeaders, headersSet, headersAdd,
                headersRemove == null ? List.of() : headersRemove, maxBody == null ? 0 : maxBody,
                pluginNames == null ? List.of() : pluginNames, retries == null ? null : retries.intValue(),
                retryWindow, maxProcessing == null ? 0 : maxProcessing.intValue(), grpcWeb, r.extras());
    }

    private static List<HostPattern> hosts(TableReader r) {
        List<HostPattern> hosts = new ArrayList<>();
        List<String> hostTexts = r.commaList("host");
        if (hostTexts != null) {
            for (String h : hostTexts) {
                try {
                    hosts.add(HostPattern.parse(h));
                } catch (IllegalArgumentException e) {
                    r.problem("host", e.getMessage());
                }
            }
        }
        return hosts;
    }

    /** {@code path} in Pingap's notation ("=/exact", "~regex", "/prefix"), or with the seed's {@code path_type}. */
    private static PathMatch path(TableReader r) {
        PathMatch path = PathMatch.ANY;
        String pathText = r.string("path");
        String pathType = r.string("path_type");
        if (pathType != null) {
            String type = pathType.strip().toLowerCase(Locale.ROOT);
            String p = pathText == null ? "" : pathText.strip();
            try {
                path = switch (type) {
                    case "prefix" -> p.isEmpty() ? PathMatch.ANY : new PathMatch(PathMatch.Kind.PREFIX, p, null);
                    case "exact" -> new PathMatch(PathMatch.Kind.EXACT, p, null);
                    case "regex" -> PathMatch.regex(p);
                    default -> {
                        r.problem("path_type", "unknown path type '" + pathType + "' (prefix, exact or regex)");
                        yield PathMatch.ANY;
                    }
                };
            } catch (IllegalArgumentException e) {
                r.problem("path", e.getMessage());
            }
        } else if (pathText != null) {
            try {
                path = PathMatch.parsePingap(pathText);
            } catch (IllegalArgumentException e) {
                r.problem("path", e.getMessage());
            }
        }
        if ((path.kind() == PathMatch.Kind.PREFIX || path.kind() == PathMatch.Kind.EXACT)
                && !path.value().startsWith("/")) {
            r.problem("path", "a " + path.kind().name().toLowerCase(Locale.ROOT) + " path must start with '/', got '"
                    + path.value() + "'");
        }
        return path;
    }

    private static List<String> headerNames(TableReader r, String key) {
        List<String> names = r.stringList(key);
        if (names == null) {
            return null;
        }
        for (int i = 0; i < names.size(); i++) {
            if (!HeaderRule.isToken(names.get(i).strip())) {
                r.problemAt(r.key(key) + "[" + i + "]", "'" + names.get(i) + "' is not a valid header name");
            }
        }
        return names.stream().map(String::strip).toList();
    }

    /**
     * Header rules from a table ({@code Name = "value"}, the seed's form) or an array of
     * "Name: value" strings (Pingap's form). Templates are compiled when {@code templates}.
     */
    private static List<HeaderRule> headerRules(TableReader r, String key, boolean templates) {
        Object v = r.raw(key);
        List<HeaderRule> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (v instanceof TomlTable t) {
            for (String name : t.keySet()) {
                Object value = t.get(List.of(name));
                String k = r.key(key) + "." + name;
                if (!(value instanceof String s)) {
                    r.problemAt(k, "expected a string, got " + Problems.describe(value));
                    continue;
                }
                HeaderRule rule = headerRule(r, k, name, s, templates);
                if (rule != null) {
                    out.add(rule);
                }
            }
        } else if (v instanceof TomlArray a) {
            for (int i = 0; i < a.size(); i++) {
                Object item = a.get(i);
                String k = r.key(key) + "[" + i + "]";
                if (!(item instanceof String s)) {
                    r.problemAt(k, "expected a \"Name: value\" string, got " + Problems.describe(item));
                    continue;
                }
                int colon = s.indexOf(':');
                if (colon < 0) {
                    r.problemAt(k, "expected \"Name: value\", got \"" + s + "\"");
                    continue;
                }
                HeaderRule rule = headerRule(r, k, s.substring(0, colon), s.substring(colon + 1), templates);
                if (rule != null) {
                    out.add(rule);
                }
            }
        } else {
            r.problem(key, "expected a table {Name = \"value\"} or an array of \"Name: value\", got "
                    + Problems.describe(v));
        }
        return out;
    }

    private static HeaderRule headerRule(TableReader r, String k, String name, String value, boolean templates) {
        String n = name.strip();
        String val = value.strip();
        if (!HeaderRule.isToken(n)) {
            r.problemAt(k, "'" + n + "' is not a valid header name");
            return null;
        }
        if (!HeaderRule.isFieldValue(val)) {
            r.problemAt(k, "header value has a control character (CR, LF, NUL...)");
            return null;
        }
        if (!templates) {
            return new HeaderRule(n, new HeaderTemplate(val, val.isEmpty() ? List.of()
                    : List.of(new HeaderTemplate.Part(val, null))));
        }
        try {
            return new HeaderRule(n, HeaderTemplate.compile(val));
        } catch (IllegalArgumentException e) {
            r.problemAt(k, e.getMessage());
            return null;
        }
    }
}
