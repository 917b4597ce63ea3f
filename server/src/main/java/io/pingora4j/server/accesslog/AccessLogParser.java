package io.pingora4j.server.accesslog;

import io.pingora4j.server.accesslog.AccessLogFormat.Kind;
import io.pingora4j.server.accesslog.AccessLogFormat.Part;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Compiles an access-log template (Pingap's syntax, see {@link AccessLogFormat}) into parts:
 * literal text and variables. {@code {$NAME}} is resolved here, once.
 *
 * <p>Stateless.
 */
final class AccessLogParser {

    private static final Map<String, Kind> NAMED = Map.ofEntries(
            Map.entry("host", Kind.HOST), Map.entry("method", Kind.METHOD), Map.entry("path", Kind.PATH),
            Map.entry("proto", Kind.PROTO), Map.entry("query", Kind.QUERY), Map.entry("remote", Kind.REMOTE),
            Map.entry("client_ip", Kind.CLIENT_IP), Map.entry("scheme", Kind.SCHEME), Map.entry("uri", Kind.URI),
            Map.entry("referer", Kind.REFERER), Map.entry("user_agent", Kind.USER_AGENT),
            Map.entry("when", Kind.WHEN), Map.entry("when_utc_iso", Kind.WHEN_UTC_ISO),
            Map.entry("when_unix", Kind.WHEN_UNIX), Map.entry("size", Kind.SIZE),
            Map.entry("size_human", Kind.SIZE_HUMAN), Map.entry("status", Kind.STATUS),
            Map.entry("latency", Kind.LATENCY), Map.entry("latency_human", Kind.LATENCY_HUMAN),
            Map.entry("payload_size", Kind.PAYLOAD_SIZE), Map.entry("payload_size_human", Kind.PAYLOAD_SIZE_HUMAN),
            Map.entry("request_id", Kind.REQUEST_ID), Map.entry("grpc_service", Kind.GRPC_SERVICE),
            Map.entry("grpc_method", Kind.GRPC_METHOD));

    private static final Map<String, Kind> CONTEXT = Map.of(
            "upstream_addr", Kind.UPSTREAM_ADDR, "upstream_reused", Kind.UPSTREAM_REUSED,
            "connection_reused", Kind.CONNECTION_REUSED, "service_time", Kind.SERVICE_TIME,
            "service_time_human", Kind.SERVICE_TIME_HUMAN, "upstream_status", Kind.UPSTREAM_STATUS,
            "upstream_response_time", Kind.UPSTREAM_RESPONSE_TIME, "upstream_connect_time", Kind.UPSTREAM_CONNECT_TIME,
            "upstream_processing_time", Kind.UPSTREAM_PROCESSING_TIME, "error", Kind.ERROR);

    /** Context fields that may also be written without the ':' (as the upstream_addr of Pingap's presets). */
    private static final java.util.Set<Kind> BARE = java.util.EnumSet.of(Kind.UPSTREAM_ADDR, Kind.UPSTREAM_REUSED,
            Kind.UPSTREAM_STATUS, Kind.UPSTREAM_RESPONSE_TIME, Kind.UPSTREAM_CONNECT_TIME, Kind.UPSTREAM_PROCESSING_TIME,
            Kind.ERROR);

    private AccessLogParser() {
    }

    static List<Part> parse(String template, Function<String, String> env) {
        List<Part> parts = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int pos = 0;
        int n = template.length();
        while (pos < n) {
            char c = template.charAt(pos);
            if (c != '{') {
                text.append(c);
                pos++;
                continue;
            }
            int end = pos + 1;
            while (end < n && isNameChar(template.charAt(end))) {
                end++;
            }
            if (end == pos + 1 || end >= n || template.charAt(end) != '}') {
                text.append(c); // a brace that opens no placeholder is text, as in Pingap
                pos++;
                continue;
            }
            String name = template.substring(pos + 1, end);
            Part part = variable(template, name, pos, env);
            if (part.kind() == Kind.TEXT) {
                text.append(part.arg());
            } else {
                if (text.length() > 0) {
                    parts.add(new Part(Kind.TEXT, text.toString()));
                    text.setLength(0);
                }
                parts.add(part);
            }
            pos = end + 1;
        }
        if (text.length() > 0) {
            parts.add(new Part(Kind.TEXT, text.toString()));
        }
        return parts;
    }

    private static Part variable(String template, String name, int pos, Function<String, String> env) {
        Kind kind = NAMED.get(name);
        if (kind != null) {
            return new Part(kind, null);
        }
        if (name.equals("processing")) {
            return new Part(Kind.ATTRIBUTE, "processing");
        }
        Kind context = CONTEXT.get(name);
        if (context != null && BARE.contains(context)) {
            return new Part(context, null);
        }
        char prefix = name.charAt(0);
        String arg = name.substring(1);
        if ("~><:$".indexOf(prefix) >= 0 && arg.isEmpty()) {
            throw new AccessLogFormatException(template, name, pos, "'" + prefix + "' needs a name after it");
        }
        switch (prefix) {
            case '~':
                return new Part(Kind.COOKIE, arg);
            case '>':
                return new Part(Kind.REQUEST_HEADER, arg);
            case '<':
                return new Part(Kind.RESPONSE_HEADER, arg);
            case ':': {
                Kind field = CONTEXT.get(arg);
                return field != null ? new Part(field, null) : new Part(Kind.ATTRIBUTE, arg);
            }
            case '$': {
                String value = arg.equals("hostname") ? hostname(env) : env.apply(arg);
                return new Part(Kind.TEXT, value == null ? "" : value);
            }
            default:
                throw new AccessLogFormatException(template, name, pos, "unknown variable (known: "
                        + String.join(", ", new java.util.TreeSet<>(NAMED.keySet()))
                        + ", upstream_addr, upstream_reused, upstream_status, upstream_response_time, upstream_connect_time,"
                        + " upstream_processing_time, error, processing, {>header}, {<header}, {~cookie}, {:field}, {$ENV})");
        }
    }

    /** Pingap's placeholder characters: letters, digits and the prefixes and separators of tags. */
    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '_' || c == '-' || c == '<' || c == '>' || c == '~' || c == ':' || c == '$';
    }

    private static String hostname(Function<String, String> env) {
        String h = env.apply("HOSTNAME");
        if (h != null && !h.isBlank()) {
            return h.trim();
        }
        try {
            Path etc = Path.of("/etc/hostname");
            if (Files.isReadable(etc)) {
                String s = Files.readString(etc).trim();
                if (!s.isEmpty()) {
                    return s;
                }
            }
        } catch (java.io.IOException | RuntimeException ignored) {
            // fall through to the resolver
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "";
        }
    }
}
