package io.pingora4j.server.config;

import io.pingora4j.spi.HumanDuration;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;

/**
 * A server's {@code prometheus_metrics} value, as Pingap reads it: a path ({@code "/metrics"})
 * answered by the server itself, or a Pushgateway URL
 * ({@code "http://user:pass@gateway:9091/job/pingora4j?interval=15s"}) pushed to every interval.
 *
 * @param path     the path answered (pull), or null
 * @param gateway  the Pushgateway's base URL without credentials, path or query (push), or null
 * @param job      the push's job name (the URL's {@code /job/NAME}; default "pingora4j")
 * @param user     basic-auth user of the Pushgateway, or null
 * @param password its password, or null
 * @param interval how often to push (default 15s)
 */
public record PrometheusMetrics(String path, String gateway, String job, String user, String password,
                                Duration interval) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);

    public boolean push() {
        return gateway != null;
    }

    /**
     * Parses a value.
     *
     * @throws IllegalArgumentException with the reason
     */
    public static PrometheusMetrics parse(String value) {
        String v = value.strip();
        if (v.startsWith("/")) {
            if (v.indexOf('?') >= 0 || v.indexOf('#') >= 0 || v.indexOf(' ') >= 0) {
                throw new IllegalArgumentException("a metrics path is a plain path such as \"/metrics\", got \"" + v + "\"");
            }
            return new PrometheusMetrics(v, null, null, null, null, null);
        }
        String lower = v.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
            throw new IllegalArgumentException("expected a path (\"/metrics\") or a Pushgateway URL"
                    + " (\"http://gateway:9091/job/pingora4j?interval=15s\"), got \"" + v + "\"");
        }
        URI uri;
        try {
            uri = new URI(v);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + e.getMessage());
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("the Pushgateway URL has no host: \"" + v + "\"");
        }
        String job = "pingora4j";
        String p = uri.getPath() == null ? "" : uri.getPath();
        if (!p.isEmpty() && !p.equals("/")) {
            if (!p.startsWith("/job/") || p.length() == 5 || p.indexOf('/', 5) >= 0) {
                throw new IllegalArgumentException("the Pushgateway URL's path must be /job/NAME, got \"" + p + "\"");
            }
            job = p.substring(5);
        }
        Duration interval = DEFAULT_INTERVAL;
        if (uri.getQuery() != null) {
            for (String kv : uri.getQuery().split("&")) {
                int eq = kv.indexOf('=');
                String k = eq < 0 ? kv : kv.substring(0, eq);
                String val = eq < 0 ? "" : kv.substring(eq + 1);
                if (!k.equals("interval")) {
                    throw new IllegalArgumentException("unknown Pushgateway URL parameter '" + k + "' (known: interval)");
                }
                interval = HumanDuration.parse(val);
                if (interval.isZero() || interval.isNegative()) {
                    throw new IllegalArgumentException("interval must be greater than zero");
                }
            }
        }
        String user = null;
        String password = null;
        if (uri.getUserInfo() != null) {
            String ui = uri.getUserInfo();
            int colon = ui.indexOf(':');
            user = colon < 0 ? ui : ui.substring(0, colon);
            password = colon < 0 ? "" : ui.substring(colon + 1);
        }
        String gateway = uri.getScheme().toLowerCase(Locale.ROOT) + "://"
                + (uri.getHost().indexOf(':') >= 0 && !uri.getHost().startsWith("[") ? "[" + uri.getHost() + "]" : uri.getHost())
                + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
        return new PrometheusMetrics(null, gateway, job, user, password, interval);
    }

    @Override
    public String toString() {
        return path != null ? path : gateway + "/job/" + job + "?interval=" + interval.toSeconds() + "s";
    }
}
