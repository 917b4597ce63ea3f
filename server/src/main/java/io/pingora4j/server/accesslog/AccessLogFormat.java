package io.pingora4j.server.accesslog;

import io.pingora4j.codec.h1.Cookies;
import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.MessageHead;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.Session;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A compiled access-log template in Pingap's syntax: literal text with {@code {variable}}
 * placeholders, or one of the presets {@code tiny}, {@code short}, {@code common},
 * {@code combined}. The template is parsed once into parts; {@link #render} walks the parts.
 *
 * <h2>Variables</h2>
 * <pre>
 *  {host}             request host, without port (absolute target first, then Host)
 *  {method} {path} {query} {uri}   request line: method, path, query (no '?'), path+query
 *  {proto}            HTTP/1.0, HTTP/1.1 or HTTP/2.0
 *  {scheme}           http or https
 *  {remote}           the TCP peer's IP
 *  {client_ip}        attribute "client_ip" if a filter set one, else the first X-Forwarded-For
 *                     address, else X-Real-Ip, else {remote}
 *  {referer} {user_agent}          those request headers
 *  {when}             log time, local zone, RFC 3339 with ms: 2024-01-02T11:04:05.006+08:00
 *  {when_utc_iso}     log time in UTC: 2024-01-02T03:04:05.006Z
 *  {when_unix}        log time, ms since the epoch
 *  {status}           status sent to the client
 *  {size} {size_human}             response body bytes (human: 512B, 1.1KB, 1.2MB)
 *  {payload_size} {payload_size_human}   request body bytes
 *  {latency} {latency_human}       ms since the request's first byte (human: 999ms, 12.4s)
 *  {request_id}       attribute "request_id" (set by the request_id plugin)
 *  {grpc_service} {grpc_method}    a gRPC call's service and method ("helloworld.Greeter", "SayHello")
 *  {upstream_addr} {upstream_reused} {processing}   aliases of the context fields below
 *  {upstream_status}  the origin's status (the last attempt's), or -
 *  {upstream_response_time} {upstream_connect_time} {upstream_processing_time}
 *                     ms from the request sent upstream to the response's end / TCP connect of a
 *                     new connection / ms to the response head; - when there was none
 *  {error}            what ended the request in error ("CONNECT_REFUSED: connect to ... failed"), or -
 *  {&gt;Name}            request header        {&lt;Name}   response header
 *  {~name}            cookie value          {$NAME}   environment variable, read at compile
 *  {$hostname}        this machine's host name
 *  {:field}           context: upstream_addr, upstream_reused, connection_reused,
 *                     service_time, service_time_human; any other name reads the session
 *                     attribute of that name (e.g. {:processing} as the server stores it)
 * </pre>
 * A missing value prints {@code -}; a context field prints nothing (as Pingap). Text that comes
 * from the client (request line, headers, cookies, client IP) has {@code "} and {@code \} escaped
 * with a backslash and control characters written as {@code \xHH}, so a quoted field cannot be
 * closed by a crafted User-Agent and a line cannot be split. A {@code {} not followed by a name
 * and {@code }} is literal text; a well-formed placeholder with an unknown name is an error.
 *
 * <p>Immutable and thread-safe: one instance renders on every event loop. {@link #render} must be
 * called on the session's loop (it reads the session), typically from the logging phase.
 */
public final class AccessLogFormat {

    /** Pingap's {@code tiny} preset. */
    public static final String TINY = "{method} {uri} {status} {size_human} - {latency}ms";
    /** Pingap's {@code short} preset. */
    public static final String SHORT = "{remote} {method} {uri} {proto} {status} {size_human} - {latency}ms";
    /** Pingap's {@code common} preset. */
    public static final String COMMON = "{remote} \"{method} {uri} {proto}\" {status} {size_human}";
    /** Pingap's {@code combined} preset. */
    public static final String COMBINED =
            "{remote} \"{method} {uri} {proto}\" {status} {size_human} \"{referer}\" \"{user_agent}\"";

    /** Preset name to template. */
    public static final Map<String, String> PRESETS =
            Map.of("tiny", TINY, "short", SHORT, "common", COMMON, "combined", COMBINED);

    private static final DateTimeFormatter LOCAL_RFC3339 =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSxxx", Locale.ROOT);
    private static final DateTimeFormatter UTC_ISO =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** What one part prints. */
    enum Kind {
        TEXT, HOST, METHOD, PATH, PROTO, QUERY, REMOTE, CLIENT_IP, SCHEME, URI, REFERER, USER_AGENT,
        WHEN, WHEN_UTC_ISO, WHEN_UNIX, SIZE, SIZE_HUMAN, STATUS, LATENCY, LATENCY_HUMAN,
        PAYLOAD_SIZE, PAYLOAD_SIZE_HUMAN, REQUEST_ID, GRPC_SERVICE, GRPC_METHOD, COOKIE, REQUEST_HEADER, RESPONSE_HEADER,
        UPSTREAM_ADDR, UPSTREAM_REUSED, CONNECTION_REUSED, SERVICE_TIME, SERVICE_TIME_HUMAN, ATTRIBUTE,
        UPSTREAM_STATUS, UPSTREAM_RESPONSE_TIME, UPSTREAM_CONNECT_TIME, UPSTREAM_PROCESSING_TIME, ERROR
    }

    /** One compiled piece: literal text, or a variable with its argument (header, cookie, attribute name). */
    record Part(Kind kind, String arg) {
    }

    private final String template;
    private final Part[] parts;
    private final ZoneId zone;
    private final boolean needsClock;
    private final int sizeHint;

    private AccessLogFormat(String template, List<Part> parts, ZoneId zone) {
        this.template = template;
        this.parts = parts.toArray(new Part[0]);
        this.zone = zone;
        boolean clock = false;
        int hint = 64;
        for (Part p : this.parts) {
            clock |= p.kind == Kind.WHEN || p.kind == Kind.WHEN_UTC_ISO || p.kind == Kind.WHEN_UNIX;
            hint += p.kind == Kind.TEXT ? p.arg.length() : 24;
        }
        this.needsClock = clock;
        this.sizeHint = hint;
    }

    /**
     * Compiles a preset name or a template, with the system time zone and environment.
     *
     * @throws AccessLogFormatException for an unknown variable
     */
    public static AccessLogFormat compile(String formatOrPreset) {
        return compile(formatOrPreset, ZoneId.systemDefault(), System::getenv);
    }

    /**
     * Compiles a preset name or a template. {@code zone} is used by {@code {when}}; {@code env}
     * resolves {@code {$NAME}} once, now (a missing variable prints nothing, as in Pingap).
     *
     * @throws AccessLogFormatException for an unknown variable
     */
    public static AccessLogFormat compile(String formatOrPreset, ZoneId zone, Function<String, String> env) {
        Objects.requireNonNull(formatOrPreset, "format");
        String template = PRESETS.getOrDefault(formatOrPreset.trim(), formatOrPreset);
        return new AccessLogFormat(template, AccessLogParser.parse(template, env), zone);
    }

    /** True if {@code value} names a preset. */
    public static boolean isPreset(String value) {
        return PRESETS.containsKey(value);
    }

    /** The template this format was compiled from (a preset's expanded). */
    public String template() {
        return template;
    }

    /** Renders one line (without a line terminator) for a finished request, using the clocks now. */
    public String render(Session session) {
        return render(session, null);
    }

    /** As {@link #render(Session)}, with what the proxy knows of the upstream and the error (may be null). */
    public String render(Session session, UpstreamFacts facts) {
        StringBuilder out = new StringBuilder(sizeHint);
        render(session, facts, needsClock ? System.currentTimeMillis() : 0L, System.nanoTime(), out);
        return out.toString();
    }

    /**
     * Appends one line for {@code session} to {@code out}. {@code epochMillis} is the log time
     * ({@code {when}}...), {@code nowNanos} a {@link System#nanoTime()} reading for the latency.
     */
    public void render(Session session, long epochMillis, long nowNanos, StringBuilder out) {
        render(session, null, epochMillis, nowNanos, out);
    }

    /** As {@link #render(Session, long, long, StringBuilder)}, with the proxy's {@code facts} (may be null). */
    public void render(Session session, UpstreamFacts facts, long epochMillis, long nowNanos, StringBuilder out) {
        RequestHead req = session.request();
        for (Part p : parts) {
            int start = out.length();
            boolean wrote;
            boolean outside = false;
            switch (p.kind) {
                case TEXT:
                    out.append(p.arg);
                    continue;
                case HOST:
                    wrote = appendHost(out, req.authority());
                    outside = true;
                    break;
                case METHOD:
                    wrote = appendValue(out, req.methodName());
                    break;
                case PATH:
                    wrote = appendValue(out, req.path());
                    outside = true;
                    break;
                case QUERY:
                    wrote = appendValue(out, req.query());
                    outside = true;
                    break;
                case URI:
                    wrote = appendValue(out, req.pathAndQuery());
                    outside = true;
                    break;
                case PROTO:
                    out.append(session.protocol()); // HTTP/1.0, HTTP/1.1 or HTTP/2.0
                    wrote = true;
                    break;
                case GRPC_SERVICE:
                    wrote = appendValue(out, session.grpcService());
                    outside = true;
                    break;
                case GRPC_METHOD:
                    wrote = appendValue(out, session.grpcMethod());
                    outside = true;
                    break;
                case SCHEME:
                    wrote = appendValue(out, session.scheme());
                    break;
                case REMOTE:
                    wrote = appendValue(out, session.clientIp());
                    break;
                case CLIENT_IP:
                    wrote = appendValue(out, clientIp(session, req.headers()));
                    outside = true;
                    break;
                case REFERER:
                    wrote = appendValue(out, req.headers().get("Referer"));
                    outside = true;
                    break;
                case USER_AGENT:
                    wrote = appendValue(out, req.headers().get("User-Agent"));
                    outside = true;
                    break;
                case WHEN:
                    LOCAL_RFC3339.formatTo(Instant.ofEpochMilli(epochMillis).atZone(zone), out);
                    wrote = true;
                    break;
                case WHEN_UTC_ISO:
                    UTC_ISO.formatTo(Instant.ofEpochMilli(epochMillis), out);
                    wrote = true;
                    break;
                case WHEN_UNIX:
                    out.append(epochMillis);
                    wrote = true;
                    break;
                case SIZE:
                    out.append(session.responseBodyBytes());
                    wrote = true;
                    break;
                case SIZE_HUMAN:
                    HumanUnits.appendBytes(out, session.responseBodyBytes());
                    wrote = true;
                    break;
                case PAYLOAD_SIZE:
                    out.append(session.requestBodyBytes());
                    wrote = true;
                    break;
                case PAYLOAD_SIZE_HUMAN:
                    HumanUnits.appendBytes(out, session.requestBodyBytes());
                    wrote = true;
                    break;
                case STATUS: {
                    ResponseHead resp = session.response();
                    wrote = resp != null;
                    if (wrote) {
                        out.append(resp.status());
                    }
                    break;
                }
                case LATENCY:
                case SERVICE_TIME:
                    out.append(latencyMillis(session, nowNanos));
                    wrote = true;
                    break;
                case LATENCY_HUMAN:
                case SERVICE_TIME_HUMAN:
                    HumanUnits.appendMillis(out, latencyMillis(session, nowNanos));
                    wrote = true;
                    break;
                case REQUEST_ID:
                    wrote = appendValue(out, attribute(session, "request_id"));
                    outside = true;
                    break;
                case COOKIE:
                    wrote = appendValue(out, Cookies.get(req.headers(), p.arg));
                    outside = true;
                    break;
                case REQUEST_HEADER:
                    wrote = appendValue(out, req.headers().get(p.arg));
                    outside = true;
                    break;
                case RESPONSE_HEADER: {
                    ResponseHead resp = session.response();
                    wrote = resp != null && appendValue(out, resp.headers().get(p.arg));
                    outside = true;
                    break;
                }
                case UPSTREAM_ADDR: {
                    HttpPeer peer = session.peer();
                    if (peer != null) {
                        out.append(peer.address());
                    }
                    continue; // a context field prints nothing when missing
                }
                case UPSTREAM_REUSED:
                    if (session.peer() != null) {
                        out.append(session.upstreamReused());
                    }
                    continue;
                case CONNECTION_REUSED:
                    out.append(session.requestNumber() > 1);
                    continue;
                case UPSTREAM_STATUS:
                    wrote = facts != null && facts.upstreamStatus() > 0;
                    if (wrote) {
                        out.append(facts.upstreamStatus());
                    }
                    break;
                case UPSTREAM_RESPONSE_TIME:
                    wrote = appendMillis(out, facts == null ? -1 : facts.upstreamResponseNanos());
                    break;
                case UPSTREAM_CONNECT_TIME:
                    wrote = appendMillis(out, facts == null ? -1 : facts.upstreamConnectNanos());
                    break;
                case UPSTREAM_PROCESSING_TIME:
                    wrote = appendMillis(out, facts == null ? -1 : facts.upstreamProcessingNanos());
                    break;
                case ERROR:
                    wrote = appendValue(out, facts == null ? null : facts.error());
                    outside = true; // an error message may quote the client's bytes
                    break;
                case ATTRIBUTE:
                    if (appendValue(out, attribute(session, p.arg))) {
                        escape(out, start);
                    }
                    continue;
                default:
                    throw new AssertionError(p.kind);
            }
            if (!wrote) {
                out.append('-');
            } else if (outside) {
                escape(out, start);
            }
        }
    }

    @Override
    public String toString() {
        return template;
    }

    // ------------------------------------------------------------------ rendering helpers

    private static boolean appendValue(StringBuilder out, String value) {
        if (value == null || value.isEmpty()) {
            return false;
        }
        out.append(value);
        return true;
    }

    /** Milliseconds with a fraction to the microsecond ("0.412"), as nginx's $upstream_response_time. */
    private static boolean appendMillis(StringBuilder out, long nanos) {
        if (nanos < 0) {
            return false;
        }
        long micros = nanos / 1000;
        out.append(micros / 1000).append('.');
        long frac = micros % 1000;
        if (frac < 100) {
            out.append('0');
        }
        if (frac < 10) {
            out.append('0');
        }
        out.append(frac);
        return true;
    }

    private static long latencyMillis(Session session, long nowNanos) {
        return Math.max(0L, (nowNanos - session.startNanos()) / 1_000_000L);
    }

    private static String attribute(Session session, String name) {
        Object v = session.attribute(name);
        return v == null ? null : v.toString();
    }

    /** Host without port; an IPv6 literal without its brackets. */
    private static boolean appendHost(StringBuilder out, String authority) {
        if (authority == null || authority.isEmpty()) {
            return false;
        }
        int from = 0;
        int to;
        if (authority.charAt(0) == '[') {
            from = 1;
            to = authority.indexOf(']');
            if (to < 0) {
                to = authority.length();
            }
        } else {
            to = authority.indexOf(':');
            if (to < 0) {
                to = authority.length();
            }
        }
        if (to <= from) {
            return false;
        }
        out.append(authority, from, to);
        return true;
    }

    /** Pingap's order: X-Forwarded-For's first address, then X-Real-Ip, then the TCP peer. */
    private static String clientIp(Session session, HeaderBlock headers) {
        Object set = session.attribute("client_ip");
        if (set instanceof String s && !s.isEmpty()) {
            return s;
        }
        String xff = headers.get("X-Forwarded-For");
        if (xff != null) {
            int comma = xff.indexOf(',');
            String first = (comma < 0 ? xff : xff.substring(0, comma)).trim();
            if (!first.isEmpty()) {
                return first;
            }
        }
        String real = headers.get("X-Real-Ip");
        if (real != null && !real.isBlank()) {
            return real.trim();
        }
        return session.clientIp();
    }

    /** Escapes {@code out[start..]} in place: quote and backslash get a backslash, controls become \xHH. */
    private static void escape(StringBuilder out, int start) {
        int k = start;
        while (k < out.length() && !needsEscape(out.charAt(k))) {
            k++;
        }
        if (k == out.length()) {
            return; // the common case: nothing to do, nothing allocated
        }
        String raw = out.substring(k);
        out.setLength(k);
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                out.append(c);
            }
        }
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || c == '"' || c == '\\' || c == 0x7f;
    }
}
