package io.pingora4j.server.plugins;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Pingap's {@code response_headers} plugin: edits the response head sent to the client.
 *
 * <pre>
 * [plugins.secureHeaders]
 * category = "response_headers"
 * add_headers = ["Set-Cookie: seen=1"]              # appended, existing values kept
 * remove_headers = ["X-Powered-By"]                 # every value removed
 * set_headers = ["X-Frame-Options: DENY"]           # replaces existing values
 * set_headers_not_exists = ["Cache-Control: no-cache"]   # only when absent
 * rename_headers = ["X-Svc-Version: X-Service-Version"]  # Old-Name: New-Name, every value moved
 * </pre>
 *
 * Operations run in Pingap's order whatever the order of the keys: add, remove, set,
 * set-if-absent, rename. A value that is exactly one of these is replaced per request:
 * {@code $hostname}, {@code $remote_addr}, {@code $remote_port}, {@code $upstream_addr},
 * {@code $http_NAME} (request header NAME), {@code :key} (session attribute, e.g.
 * {@code :request_id}), {@code $NAME} (environment variable, read once at creation); the
 * {@code {$...}} / {@code {:...}} spellings work too. A dynamic value that is missing leaves that
 * header alone. Rules on Content-Length or Transfer-Encoding are refused: the engine owns framing.
 *
 * <p>The factory is immutable and thread-safe; so is the filter it makes.
 */
public final class ResponseHeadersFilterFactory implements FilterFactory {

    public static final String CATEGORY = "response_headers";

    private final Function<String, String> env;

    public ResponseHeadersFilterFactory() {
        this(System::getenv);
    }

    ResponseHeadersFilterFactory(Function<String, String> env) {
        this.env = env;
    }

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        List<Rule> add = values(config, "add_headers");
        List<String> remove = new ArrayList<>();
        List<String> names = config.stringList("remove_headers");
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i).trim();
            checkName(config, "remove_headers[" + i + "]", n);
            remove.add(n);
        }
        List<Rule> set = values(config, "set_headers");
        List<Rule> setIfAbsent = values(config, "set_headers_not_exists");
        List<String[]> rename = new ArrayList<>();
        List<HeaderLine> pairs = HeaderLine.parseList(config, "rename_headers");
        for (int i = 0; i < pairs.size(); i++) {
            String key = "rename_headers[" + i + "]";
            checkName(config, key, pairs.get(i).name());
            checkName(config, key, pairs.get(i).value());
            rename.add(new String[] {pairs.get(i).name(), pairs.get(i).value()});
        }
        if (add.isEmpty() && remove.isEmpty() && set.isEmpty() && setIfAbsent.isEmpty() && rename.isEmpty()) {
            throw config.invalid(null, "response_headers needs at least one of add_headers, remove_headers, "
                    + "set_headers, set_headers_not_exists, rename_headers");
        }
        return new ResponseHeadersFilter(add, List.copyOf(remove), set, setIfAbsent, List.copyOf(rename));
    }

    private List<Rule> values(PluginConfig config, String key) {
        List<HeaderLine> lines = HeaderLine.parseList(config, key);
        List<Rule> rules = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            HeaderLine h = lines.get(i);
            checkName(config, key + "[" + i + "]", h.name());
            rules.add(Rule.of(h.name(), h.value(), env));
        }
        return List.copyOf(rules);
    }

    private static void checkName(PluginConfig config, String key, String name) {
        HeaderLine.checkField(config, key, name, "x");
        if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")) {
            throw config.invalid(key, name + " frames the body; the proxy sets it, a rule may not");
        }
    }

    /** Where a rule's value comes from. */
    enum Source { FIXED, REMOTE_ADDR, REMOTE_PORT, UPSTREAM_ADDR, REQUEST_HEADER, ATTRIBUTE }

    /** One header rule: a name and a fixed or per-request value. Immutable. */
    record Rule(String name, Source source, String arg) {

        static Rule of(String name, String value, Function<String, String> env) {
            String v = value;
            if (v.length() > 2 && v.charAt(0) == '{' && v.charAt(v.length() - 1) == '}'
                    && (v.charAt(1) == '$' || v.charAt(1) == ':')) {
                v = v.substring(1, v.length() - 1);
            }
            if (v.length() > 1 && v.charAt(0) == ':') {
                return new Rule(name, Source.ATTRIBUTE, v.substring(1));
            }
            if (v.length() > 1 && v.charAt(0) == '$') {
                String var = v.substring(1);
                switch (var) {
                    case "hostname":
                        return new Rule(name, Source.FIXED, hostname(env));
                    case "remote_addr":
                        return new Rule(name, Source.REMOTE_ADDR, null);
                    case "remote_port":
                        return new Rule(name, Source.REMOTE_PORT, null);
                    case "upstream_addr":
                        return new Rule(name, Source.UPSTREAM_ADDR, null);
                    default:
                        if (var.startsWith("http_") && var.length() > 5) {
                            return new Rule(name, Source.REQUEST_HEADER, var.substring(5).replace('_', '-'));
                        }
                        String e = env.apply(var);
                        return new Rule(name, Source.FIXED, e == null ? "" : e);
                }
            }
            return new Rule(name, Source.FIXED, value);
        }

        private static String hostname(Function<String, String> env) {
            String h = env.apply("HOSTNAME");
            if (h != null && !h.isBlank()) {
                return h.trim();
            }
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                return "";
            }
        }

        /** The value for this request, or null when a dynamic value is missing. */
        String value(Session session) {
            switch (source) {
                case FIXED:
                    return arg;
                case REMOTE_ADDR:
                    return session.clientIp();
                case REMOTE_PORT:
                    return session.clientAddress() == null ? null : Integer.toString(session.clientAddress().getPort());
                case UPSTREAM_ADDR:
                    return session.peer() == null ? null : session.peer().address();
                case REQUEST_HEADER:
                    return session.request().headers().get(arg);
                default: {
                    Object v = session.attribute(arg);
                    return v == null ? null : v.toString();
                }
            }
        }
    }

    /** Immutable; thread-safe. Runs in {@code responseFilter}, on the head sent to the client. */
    static final class ResponseHeadersFilter implements HttpFilter {
        private final List<Rule> add;
        private final List<String> remove;
        private final List<Rule> set;
        private final List<Rule> setIfAbsent;
        private final List<String[]> rename;

        ResponseHeadersFilter(List<Rule> add, List<String> remove, List<Rule> set, List<Rule> setIfAbsent,
                List<String[]> rename) {
            this.add = add;
            this.remove = remove;
            this.set = set;
            this.setIfAbsent = setIfAbsent;
            this.rename = rename;
        }

        @Override
        public void responseFilter(Session session, ResponseHead response) {
            HeaderBlock h = response.headers();
            for (Rule r : add) {
                String v = r.value(session);
                if (v != null) {
                    addSafely(h, r.name(), v, false);
                }
            }
            for (String n : remove) {
                h.removeAll(n);
            }
            for (Rule r : set) {
                String v = r.value(session);
                if (v != null) {
                    addSafely(h, r.name(), v, true);
                }
            }
            for (Rule r : setIfAbsent) {
                if (!h.contains(r.name())) {
                    String v = r.value(session);
                    if (v != null) {
                        addSafely(h, r.name(), v, false);
                    }
                }
            }
            for (String[] pair : rename) {
                int i = h.indexOf(pair[0]);
                if (i < 0) {
                    continue;
                }
                List<String> values = new ArrayList<>(2);
                for (; i >= 0; i = h.indexOf(pair[0], i + 1)) {
                    values.add(h.value(i));
                }
                h.removeAll(pair[0]);
                for (String v : values) {
                    h.add(pair[1], v);
                }
            }
        }

        /**
         * A dynamic value (a request header, an attribute) could hold what a field may not; the
         * codec refuses it, and the rule is skipped rather than failing the response.
         */
        private static void addSafely(HeaderBlock h, String name, String value, boolean replace) {
            try {
                if (replace) {
                    h.set(name, value);
                } else {
                    h.add(name, value);
                }
            } catch (IllegalArgumentException ignored) {
                // not a valid field value: leave the header as it was
            }
        }
    }
}
