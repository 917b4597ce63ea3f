package io.pingora4j.server.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A header value with variables, compiled once at load into literal and variable parts, so a
 * request only concatenates. Variables (nginx names, as Pingap uses them):
 * <ul>
 *   <li>{@code $remote_addr}, {@code $remote_port}: the client (TCP peer);</li>
 *   <li>{@code $host}: the request's host, lower-case, without port; {@code $hostname}: this machine;</li>
 *   <li>{@code $scheme}: http or https; {@code $request_method};</li>
 *   <li>{@code $uri}: the path sent upstream (after rewrite), without query; {@code $args}: its query;</li>
 *   <li>{@code $request_uri}: the target as the client sent it (before rewrite), with query;</li>
 *   <li>{@code $http_NAME}: a request header, NAME lower-case with '_' for '-' ({@code $http_x_request_id});</li>
 *   <li>{@code $server_addr}, {@code $server_port}: the listener the client connected to;</li>
 *   <li>{@code $proxy_add_x_forwarded_for}: the request's X-Forwarded-For values plus the client IP.</li>
 * </ul>
 * A variable is written {@code $name} (the longest run of letters, digits and '_') or {@code ${name}};
 * {@code $$} is a literal '$', and a '$' not followed by a name is kept as is. An unknown name is
 * refused at load. Immutable; evaluation is in {@code io.pingora4j.server.location}.
 *
 * @param source the template as written
 * @param parts  literal and variable parts, in order
 */
public record HeaderTemplate(String source, List<Part> parts) {

    /** What a variable stands for. */
    public enum Variable {
        REMOTE_ADDR, REMOTE_PORT, HOST, HOSTNAME, SCHEME, REQUEST_METHOD, URI, ARGS, REQUEST_URI,
        HTTP_HEADER, SERVER_ADDR, SERVER_PORT, PROXY_ADD_X_FORWARDED_FOR
    }

    /**
     * One part of a template: a literal when {@code variable} is null, else a variable (with the
     * header name for {@link Variable#HTTP_HEADER} in {@code text}).
     */
    public record Part(String text, Variable variable) {
        public Part {
            Objects.requireNonNull(text, "text");
        }

        public boolean literal() {
            return variable == null;
        }
    }

    public HeaderTemplate {
        Objects.requireNonNull(source, "source");
        parts = List.copyOf(parts);
    }

    /** True when the template has no variable: its value is {@link #source()}. */
    public boolean constant() {
        return parts.isEmpty() || parts.size() == 1 && parts.get(0).literal();
    }

    /** The literal text of a constant template. */
    public String constantValue() {
        return parts.isEmpty() ? "" : parts.get(0).text();
    }

    /** @throws IllegalArgumentException naming an unknown variable or an unclosed "${" */
    public static HeaderTemplate compile(String source) {
        List<Part> parts = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (c != '$') {
                lit.append(c);
                i++;
                continue;
            }
            if (i + 1 < n && source.charAt(i + 1) == '$') {
                lit.append('$');
                i += 2;
                continue;
            }
            String name;
            int end;
            if (i + 1 < n && source.charAt(i + 1) == '{') {
                int close = source.indexOf('}', i + 2);
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed '${' in \"" + source + "\"");
                }
                name = source.substring(i + 2, close);
                end = close + 1;
            } else {
                end = i + 1;
                while (end < n && isNameChar(source.charAt(end))) {
                    end++;
                }
                name = source.substring(i + 1, end);
            }
            if (name.isEmpty()) {
                lit.append('$');
                i++;
                continue;
            }
            if (lit.length() > 0) {
                parts.add(new Part(lit.toString(), null));
                lit.setLength(0);
            }
            parts.add(variable(name, source));
            i = end;
        }
        if (lit.length() > 0) {
            parts.add(new Part(lit.toString(), null));
        }
        return new HeaderTemplate(source, parts);
    }

    private static Part variable(String name, String source) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http_") && lower.length() > 5) {
            return new Part(lower.substring(5).replace('_', '-'), Variable.HTTP_HEADER);
        }
        Variable v = switch (lower) {
            case "remote_addr" -> Variable.REMOTE_ADDR;
            case "remote_port" -> Variable.REMOTE_PORT;
            case "host" -> Variable.HOST;
            case "hostname" -> Variable.HOSTNAME;
            case "scheme" -> Variable.SCHEME;
            case "request_method" -> Variable.REQUEST_METHOD;
            case "uri" -> Variable.URI;
            case "args", "query_string" -> Variable.ARGS;
            case "request_uri" -> Variable.REQUEST_URI;
            case "server_addr" -> Variable.SERVER_ADDR;
            case "server_port" -> Variable.SERVER_PORT;
            case "proxy_add_x_forwarded_for" -> Variable.PROXY_ADD_X_FORWARDED_FOR;
            default -> throw new IllegalArgumentException("unknown variable '$" + name + "' in \"" + source
                    + "\"; known: $remote_addr, $remote_port, $host, $hostname, $scheme, $request_method, $uri, "
                    + "$args, $request_uri, $http_NAME, $server_addr, $server_port, $proxy_add_x_forwarded_for");
        };
        return new Part(name, v);
    }

    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }

    @Override
    public String toString() {
        return source;
    }
}
