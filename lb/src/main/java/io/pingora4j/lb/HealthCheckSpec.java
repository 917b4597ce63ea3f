package io.pingora4j.lb;

import io.pingora4j.spi.HumanDuration;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * An active health check as configured, parsed from Pingap's URL form:
 * <pre>
 *   http://upstream/ping?connection_timeout=3s&amp;read_timeout=1s&amp;success=2&amp;failure=1&amp;check_frequency=10s
 *   https://api.internal/health?reuse&amp;expected_status=2xx
 *   tcp://upstream?connection_timeout=1s
 *   http://127.0.0.1:8001/health          (the pingap-go seed's form)
 * </pre>
 *
 * Recognised parameters: {@code connection_timeout}, {@code read_timeout}, {@code check_frequency}
 * (durations, see {@link HumanDuration}), {@code success}, {@code failure} (consecutive counts, &gt;= 1),
 * {@code reuse} and {@code tls} (flags), {@code service} (gRPC service name), and our
 * {@code expected_status} ({@code 200}, {@code 2xx} or {@code 200-399}; default 2xx). Unknown
 * parameters are not errors: as in Pingap they stay in the request path
 * ({@code /ping?from=nginx}). Unlike Pingap, a recognised parameter with a bad value is refused
 * instead of silently replaced by its default.
 *
 * <p>Pingap uses {@code host} as the Host header of the check and sends it to each backend's own
 * address; whether an explicit host:port means "check this address instead" is for the engine to
 * decide. {@code port} is 0 when the URL has none.
 *
 * @param scheme            protocol of the check
 * @param host              host from the URL, without IPv6 brackets
 * @param port              port from the URL, or 0 when absent
 * @param path              request path with unknown query parameters kept ("/" by default; "" for tcp)
 * @param connectionTimeout connect timeout (default 3s)
 * @param readTimeout       response timeout (default 3s)
 * @param checkFrequency    interval between checks (default 10s)
 * @param successThreshold  consecutive successes to mark up (default 1)
 * @param failureThreshold  consecutive failures to mark down (default 2)
 * @param reuseConnection   keep the check connection open between checks
 * @param tls               use TLS even on a tcp:// check
 * @param service           gRPC health service name ("" if none)
 * @param expectedStatusMin lowest HTTP status counted as healthy
 * @param expectedStatusMax highest HTTP status counted as healthy
 */
public record HealthCheckSpec(Scheme scheme, String host, int port, String path, Duration connectionTimeout,
                              Duration readTimeout, Duration checkFrequency, int successThreshold,
                              int failureThreshold, boolean reuseConnection, boolean tls, String service,
                              int expectedStatusMin, int expectedStatusMax) {

    public enum Scheme { HTTP, HTTPS, TCP, GRPC }

    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration DEFAULT_CHECK_FREQUENCY = Duration.ofSeconds(10);
    public static final int DEFAULT_SUCCESS = 1;
    public static final int DEFAULT_FAILURE = 2;

    public HealthCheckSpec {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(connectionTimeout, "connectionTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        Objects.requireNonNull(checkFrequency, "checkFrequency");
        Objects.requireNonNull(service, "service");
        if (successThreshold < 1 || failureThreshold < 1) {
            throw new IllegalArgumentException("health check thresholds must be >= 1");
        }
        if (expectedStatusMin < 100 || expectedStatusMax > 599 || expectedStatusMin > expectedStatusMax) {
            throw new IllegalArgumentException("health check expected status " + expectedStatusMin + "-"
                    + expectedStatusMax + " is not a range within 100-599");
        }
    }

    /** Whether an HTTP status counts as a passing check. */
    public boolean isExpectedStatus(int status) {
        return status >= expectedStatusMin && status <= expectedStatusMax;
    }

    /**
     * Parses a health-check URL.
     *
     * @throws IllegalArgumentException naming the URL and the part that is wrong
     */
    public static HealthCheckSpec parse(String url) {
        Objects.requireNonNull(url, "url");
        String s = url.strip();
        int sep = s.indexOf("://");
        if (sep <= 0) {
            throw bad(url, "expected scheme://host[:port][/path][?params], e.g. http://upstream/ping");
        }
        String schemeText = s.substring(0, sep).toLowerCase(Locale.ROOT);
        Scheme scheme = switch (schemeText) {
            case "http" -> Scheme.HTTP;
            case "https" -> Scheme.HTTPS;
            case "tcp" -> Scheme.TCP;
            case "grpc" -> Scheme.GRPC;
            default -> throw bad(url, "unknown scheme \"" + schemeText + "\" (use http, https, tcp or grpc)");
        };
        if (s.indexOf('#') >= 0) {
            throw bad(url, "a fragment ('#') has no meaning in a health check");
        }
        String rest = s.substring(sep + 3);
        int q = rest.indexOf('?');
        String query = q < 0 ? "" : rest.substring(q + 1);
        String beforeQuery = q < 0 ? rest : rest.substring(0, q);
        int slash = beforeQuery.indexOf('/');
        String authority = slash < 0 ? beforeQuery : beforeQuery.substring(0, slash);
        String path = slash < 0 ? "" : beforeQuery.substring(slash);
        if (authority.indexOf('@') >= 0) {
            throw bad(url, "user info ('@') is not supported");
        }

        String host;
        String portText = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw bad(url, "unclosed '[' in host \"" + authority + "\"");
            }
            host = authority.substring(1, close);
            String after = authority.substring(close + 1);
            if (after.startsWith(":")) {
                portText = after.substring(1);
            } else if (!after.isEmpty()) {
                throw bad(url, "unexpected \"" + after + "\" after the IPv6 host");
            }
        } else {
            int colon = authority.lastIndexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            portText = colon < 0 ? null : authority.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw bad(url, "missing host");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c <= ' ' || c >= 0x7F || c == ':' && !authority.startsWith("[")) {
                throw bad(url, "invalid character in host \"" + host + "\"");
            }
        }
        int port = 0;
        if (portText != null) {
            port = parseInt(url, "port", portText, 1, 65_535);
        }

        Duration connectionTimeout = DEFAULT_CONNECTION_TIMEOUT;
        Duration readTimeout = DEFAULT_READ_TIMEOUT;
        Duration checkFrequency = DEFAULT_CHECK_FREQUENCY;
        int success = DEFAULT_SUCCESS;
        int failure = DEFAULT_FAILURE;
        boolean reuse = false;
        boolean tls = false;
        String service = "";
        int statusMin = 200;
        int statusMax = 299;
        StringBuilder passThrough = new StringBuilder();
        if (!query.isEmpty()) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                switch (key) {
                    case "connection_timeout" -> connectionTimeout = parseDuration(url, key, value);
                    case "read_timeout" -> readTimeout = parseDuration(url, key, value);
                    case "check_frequency" -> checkFrequency = parseDuration(url, key, value);
                    case "success" -> success = parseInt(url, key, value, 1, 1000);
                    case "failure" -> failure = parseInt(url, key, value, 1, 1000);
                    case "reuse" -> reuse = parseFlag(url, key, value);
                    case "tls" -> tls = parseFlag(url, key, value);
                    case "service" -> service = value;
                    case "expected_status" -> {
                        int[] range = parseStatusRange(url, value);
                        statusMin = range[0];
                        statusMax = range[1];
                    }
                    default -> {
                        passThrough.append(passThrough.length() == 0 ? '?' : '&').append(pair);
                    }
                }
            }
        }
        if (path.isEmpty() && scheme != Scheme.TCP) {
            path = "/";
        }
        path += passThrough;
        return new HealthCheckSpec(scheme, host, port, path, connectionTimeout, readTimeout, checkFrequency,
                success, failure, reuse, tls, service, statusMin, statusMax);
    }

    private static Duration parseDuration(String url, String key, String value) {
        Duration d;
        try {
            d = HumanDuration.parse(value);
        } catch (IllegalArgumentException e) {
            throw bad(url, key + "=" + value + ": " + e.getMessage());
        }
        if (d.isZero()) {
            throw bad(url, key + "=" + value + ": must be greater than zero");
        }
        return d;
    }

    private static int parseInt(String url, String key, String value, int min, int max) {
        int v;
        try {
            v = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw bad(url, key + " \"" + value + "\" is not a number");
        }
        if (v < min || v > max) {
            throw bad(url, key + " " + v + " is not in " + min + ".." + max);
        }
        return v;
    }

    private static boolean parseFlag(String url, String key, String value) {
        return switch (value) {
            case "", "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw bad(url, key + "=" + value + ": expected no value, true or false");
        };
    }

    private static int[] parseStatusRange(String url, String value) {
        String v = value.toLowerCase(Locale.ROOT);
        if (v.length() == 3 && v.endsWith("xx") && v.charAt(0) >= '1' && v.charAt(0) <= '5') {
            int base = (v.charAt(0) - '0') * 100;
            return new int[] {base, base + 99};
        }
        int dash = v.indexOf('-');
        int min = parseInt(url, "expected_status", dash < 0 ? v : v.substring(0, dash), 100, 599);
        int max = dash < 0 ? min : parseInt(url, "expected_status", v.substring(dash + 1), 100, 599);
        if (min > max) {
            throw bad(url, "expected_status " + value + " is an empty range");
        }
        return new int[] {min, max};
    }

    private static IllegalArgumentException bad(String url, String why) {
        return new IllegalArgumentException("health check \"" + url + "\": " + why);
    }
}
