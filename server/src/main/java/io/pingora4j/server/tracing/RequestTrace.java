package io.pingora4j.server.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.TraceStateBuilder;
import io.opentelemetry.context.Context;
import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.Session;
import java.util.concurrent.TimeUnit;

/**
 * One traced request: a SERVER span from its first byte to its end, with HTTP's semantic
 * convention attributes, and under it a CLIENT span per upstream attempt (a retry is a second
 * one, with {@code http.request.resend_count}). The origin gets a {@code traceparent} naming the
 * attempt's span, so its own spans join the trace.
 *
 * <p>Not thread-safe: used on the request's loop only.
 */
public final class RequestTrace {

    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    private static final AttributeKey<String> URL_QUERY = AttributeKey.stringKey("url.query");
    private static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
    private static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
    private static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    private static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
    private static final AttributeKey<String> PEER_ADDRESS = AttributeKey.stringKey("network.peer.address");
    private static final AttributeKey<Long> PEER_PORT = AttributeKey.longKey("network.peer.port");
    private static final AttributeKey<String> PROTOCOL_VERSION = AttributeKey.stringKey("network.protocol.version");
    private static final AttributeKey<String> USER_AGENT = AttributeKey.stringKey("user_agent.original");
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    private static final AttributeKey<Long> RESEND_COUNT = AttributeKey.longKey("http.request.resend_count");
    private static final AttributeKey<Long> BODY_SIZE = AttributeKey.longKey("http.response.body.size");
    private static final AttributeKey<String> SERVER = AttributeKey.stringKey("pingora4j.server");
    private static final AttributeKey<String> LOCATION = AttributeKey.stringKey("pingora4j.location");
    private static final AttributeKey<String> UPSTREAM = AttributeKey.stringKey("pingora4j.upstream");
    private static final AttributeKey<Boolean> REUSED = AttributeKey.booleanKey("pingora4j.upstream.reused");
    private static final AttributeKey<Double> CONNECT_MS = AttributeKey.doubleKey("pingora4j.upstream.connect_ms");
    private static final AttributeKey<Double> TLS_MS = AttributeKey.doubleKey("pingora4j.upstream.tls_handshake_ms");

    private final Tracer owner;
    private final Span server;
    private final Context serverContext;
    private final String method;
    private Span attempt;
    private int attempts;
    private String upstream;

    RequestTrace(Tracer owner, Session session, String serverName, int traceParentIndex) {
        this.owner = owner;
        RequestHead req = session.request();
        HeaderBlock h = req.headers();
        this.method = req.methodName();
        Context parent = Context.root();
        if (traceParentIndex >= 0) {
            SpanContext remote = SpanContext.createFromRemoteParent(TraceParent.traceId(h, traceParentIndex),
                    TraceParent.parentId(h, traceParentIndex), TraceFlags.getSampled(), traceState(h));
            parent = parent.with(Span.wrap(remote));
        }
        long startEpochNanos = epochNanos(session.startNanos());
        var b = owner.tracer.spanBuilder(req.methodName()).setParent(parent).setSpanKind(SpanKind.SERVER)
                .setStartTimestamp(startEpochNanos, TimeUnit.NANOSECONDS)
                .setAttribute(METHOD, req.methodName())
                .setAttribute(URL_PATH, req.path())
                .setAttribute(URL_SCHEME, session.scheme())
                .setAttribute(CLIENT_ADDRESS, session.clientIp())
                .setAttribute(PROTOCOL_VERSION, version(session.protocol()))
                .setAttribute(SERVER_PORT, (long) session.serverAddress().getPort())
                .setAttribute(SERVER, serverName);
        String query = req.query();
        if (query != null && !query.isEmpty()) {
            b.setAttribute(URL_QUERY, query);
        }
        String host = hostOf(req.authority());
        if (host != null) {
            b.setAttribute(SERVER_ADDRESS, host);
        }
        String ua = h.get("User-Agent");
        if (ua != null) {
            b.setAttribute(USER_AGENT, ua);
        }
        this.server = b.startSpan();
        this.serverContext = parent.with(server);
    }

    /** The host of an authority, without port or IPv6 brackets; null when there is none. */
    private static String hostOf(String authority) {
        if (authority == null || authority.isEmpty()) {
            return null;
        }
        if (authority.charAt(0) == '[') {
            int end = authority.indexOf(']');
            return end > 1 ? authority.substring(1, end) : null;
        }
        int colon = authority.indexOf(':');
        return colon < 0 ? authority : colon == 0 ? null : authority.substring(0, colon);
    }

    /** W3C tracestate, kept with the parent so it is exported; a malformed list is ignored (W3C §3.3.1). */
    private static TraceState traceState(HeaderBlock h) {
        String v = h.get(TraceParent.STATE_HEADER);
        if (v == null || v.isBlank()) {
            return TraceState.getDefault();
        }
        TraceStateBuilder b = TraceState.builder();
        String[] members = v.split(",");
        for (int i = members.length - 1; i >= 0 && i >= members.length - 32; i--) {
            String m = members[i].strip();
            int eq = m.indexOf('=');
            if (eq > 0) {
                b.put(m.substring(0, eq), m.substring(eq + 1));
            }
        }
        return b.build();
    }

    private static String version(String protocol) {
        return switch (protocol) {
            case "HTTP/2.0" -> "2";
            case "HTTP/1.0" -> "1.0";
            default -> "1.1";
        };
    }

    /** {@link System#nanoTime()} reading as epoch nanoseconds, for a span that began before it was made. */
    private static long epochNanos(long nanoTime) {
        long nowEpoch = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
        return nowEpoch - Math.max(0, System.nanoTime() - nanoTime);
    }

    /** The request was routed: its location and upstream name the spans. */
    public void routed(String location, String upstreamName) {
        server.updateName(method + " " + location); // "{method} {route}": the location stands for the route
        server.setAttribute(LOCATION, location);
        if (upstreamName != null) {
            server.setAttribute(UPSTREAM, upstreamName);
            this.upstream = upstreamName;
        }
    }

    /** An attempt at {@code peer} begins (after upstreamPeer chose it). */
    public void attemptStarted(HttpPeer peer, String method) {
        endAttempt("retried"); // a previous attempt that failed to connect
        attempts++;
        var b = owner.tracer.spanBuilder(method).setParent(serverContext).setSpanKind(SpanKind.CLIENT)
                .setAttribute(METHOD, method)
                .setAttribute(SERVER_ADDRESS, peer.host())
                .setAttribute(SERVER_PORT, (long) peer.port())
                .setAttribute(URL_FULL, (peer.tls() ? "https://" : "http://") + peer.address());
        if (upstream != null) {
            b.setAttribute(UPSTREAM, upstream);
        }
        if (attempts > 1) {
            b.setAttribute(RESEND_COUNT, (long) (attempts - 1));
        }
        attempt = b.startSpan();
    }

    /** The attempt is connected; times of a new connection (nanoseconds, -1: none). */
    public void connected(boolean reused, long connectNanos, long tlsNanos) {
        if (attempt == null) {
            return;
        }
        attempt.setAttribute(REUSED, reused);
        if (connectNanos >= 0) {
            attempt.setAttribute(CONNECT_MS, connectNanos / 1e6);
        }
        if (tlsNanos >= 0) {
            attempt.setAttribute(TLS_MS, tlsNanos / 1e6);
        }
    }

    /** Puts the attempt's {@code traceparent} on the head sent upstream (the client's tracestate goes on as sent). */
    public void inject(RequestHead upstreamRequest) {
        Span s = attempt != null ? attempt : server;
        SpanContext c = s.getSpanContext();
        upstreamRequest.headers().set(TraceParent.HEADER, TraceParent.format(c.getTraceId(), c.getSpanId()));
    }

    /** The origin's final head arrived. */
    public void upstreamStatus(int status) {
        if (attempt != null) {
            attempt.setAttribute(STATUS, (long) status);
            if (status >= 500) {
                attempt.setStatus(StatusCode.ERROR);
                attempt.setAttribute(ERROR_TYPE, Integer.toString(status));
            }
        }
    }

    /** The attempt ended: its response is complete (error null), or it failed with {@code error}. */
    public void attemptEnded(ProxyError error) {
        endAttempt(error == null ? null : error.kind().name());
    }

    private void endAttempt(String errorType) {
        Span a = attempt;
        if (a == null) {
            return;
        }
        attempt = null;
        if (errorType != null) {
            a.setStatus(StatusCode.ERROR, errorType);
            a.setAttribute(ERROR_TYPE, errorType);
        }
        a.end();
    }

    /** The request ended: status sent (0: none), body bytes sent, and the error that ended it, if any. */
    public void end(int status, long bodyBytes, ProxyError error) {
        endAttempt(error == null ? null : error.kind().name());
        if (status > 0) {
            server.setAttribute(STATUS, (long) status);
        }
        server.setAttribute(BODY_SIZE, bodyBytes);
        if (error != null) {
            server.setAttribute(ERROR_TYPE, error.kind().name());
            if (status >= 500 || status == 0) {
                server.setStatus(StatusCode.ERROR, error.getMessage());
            }
        } else if (status >= 500) {
            server.setStatus(StatusCode.ERROR);
            server.setAttribute(ERROR_TYPE, Integer.toString(status));
        }
        server.end();
    }

    /** The trace id, as the origin and the exporter see it. */
    public String traceId() {
        return server.getSpanContext().getTraceId();
    }
}
