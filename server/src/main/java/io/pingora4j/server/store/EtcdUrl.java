package io.pingora4j.server.store;

import io.pingora4j.server.config.ConfigException;
import io.pingora4j.server.config.ConfigProblem;
import io.pingora4j.spi.PluginConfig;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An etcd configuration store as Pingap writes it:
 * {@code etcd://[user:password@]host:port[,host2:port2]/prefix?timeout=10s&connect_timeout=5s}, with
 * {@code user}, {@code password}, {@code ca_file}, {@code cert_file}, {@code key_file} also as query
 * parameters. Any of the TLS files makes the connection HTTPS. Immutable.
 *
 * @param endpoints      {@code host:port} of each member, tried in order
 * @param prefix         the key prefix, without a trailing slash ("/pingora4j")
 * @param timeout        a request's timeout (default 10 s)
 * @param connectTimeout a connection's timeout (default 5 s)
 */
public record EtcdUrl(String text, List<String> endpoints, String prefix, Duration timeout, Duration connectTimeout,
                      String user, String password, String caFile, String certFile, String keyFile) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    public static boolean isEtcd(String s) {
        return s.toLowerCase(Locale.ROOT).startsWith("etcd://");
    }

    /** @throws ConfigException naming the URL, the part and the reason */
    public static EtcdUrl parse(String url) throws ConfigException {
        if (!isEtcd(url)) {
            throw problem(url, "", "expected etcd://host:port/prefix");
        }
        String rest = url.substring("etcd://".length());
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash);
        while (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        if (prefix.isEmpty()) {
            throw problem(url, "prefix", "a key prefix is required (etcd://host:port/pingora4j)");
        }
        String user = null;
        String password = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String info = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? null : decode(info.substring(colon + 1));
        }
        List<String> endpoints = new ArrayList<>();
        for (String e : authority.split(",")) {
            String hp = e.trim();
            int colon = hp.lastIndexOf(':');
            if (hp.isEmpty() || colon <= 0) {
                throw problem(url, "host", "expected host:port, got \"" + hp + "\"");
            }
            try {
                int port = Integer.parseInt(hp.substring(colon + 1));
                if (port < 1 || port > 65535) {
                    throw problem(url, "port", "out of range: " + port);
                }
            } catch (NumberFormatException ex) {
                throw problem(url, "port", "not a number: \"" + hp.substring(colon + 1) + "\"");
            }
            endpoints.add(hp);
        }
        Duration timeout = DEFAULT_TIMEOUT;
        Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        String ca = null;
        String cert = null;
        String key = null;
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
            switch (k) {
                case "timeout" -> timeout = duration(url, k, v);
                case "connect_timeout" -> connectTimeout = duration(url, k, v);
                case "user", "username" -> user = v;
                case "password" -> password = v;
                case "ca_file" -> ca = v;
                case "cert_file" -> cert = v;
                case "key_file" -> key = v;
                default -> throw problem(url, k, "unknown parameter (timeout, connect_timeout, user, password,"
                        + " ca_file, cert_file, key_file)");
            }
        }
        if ((cert == null) != (key == null)) {
            throw problem(url, cert == null ? "cert_file" : "key_file", "cert_file and key_file go together");
        }
        return new EtcdUrl(url, List.copyOf(endpoints), prefix, timeout, connectTimeout, user, password, ca, cert, key);
    }

    public boolean tls() {
        return caFile != null || certFile != null;
    }

    /** The URL without its password, for logs and problems. */
    public String describe() {
        return "etcd://" + String.join(",", endpoints) + prefix;
    }

    private static Duration duration(String url, String key, String v) throws ConfigException {
        Duration d = PluginConfig.parseDuration(v);
        if (d == null || d.isZero() || d.isNegative()) {
            throw problem(url, key, "expected a positive duration such as \"5s\", got \"" + v + "\"");
        }
        return d;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static ConfigException problem(String url, String key, String reason) {
        String shown = url.replaceAll("//([^:@/]*):[^@/]*@", "//$1:***@");
        return new ConfigException(List.of(new ConfigProblem(shown, key, reason)));
    }
}
