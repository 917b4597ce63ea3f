package io.pingora4j.server.location;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.server.config.HeaderTemplate;
import io.pingora4j.spi.Session;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * Evaluates a compiled {@link HeaderTemplate} for one request: literal parts are appended as
 * they are, variables are read from the session (see {@link HeaderTemplate} for their meaning).
 *
 * <p>Stateless and thread-safe; called on event loops. {@link #localHostname()} is resolved once,
 * when a filter that needs it is built (off the loops), never on a request.
 */
public final class TemplateEvaluator {

    /** Session attribute holding the request target as the client sent it, set by the rewrite filter. */
    public static final String ORIGINAL_TARGET_ATTRIBUTE = "pingora4j.location.original_target";

    private static volatile String hostname;

    private TemplateEvaluator() {
    }

    /** Appends the value of {@code template} to {@code out}. */
    public static void appendTo(StringBuilder out, HeaderTemplate template, Session session, RequestHead upstream) {
        for (HeaderTemplate.Part part : template.parts()) {
            if (part.literal()) {
                out.append(part.text());
            } else {
                appendVariable(out, part, session, upstream);
            }
        }
    }

    /** The value of {@code template} as a String (allocates; for tests and rare paths). */
    public static String evaluate(HeaderTemplate template, Session session, RequestHead upstream) {
        if (template.constant()) {
            return template.constantValue();
        }
        StringBuilder sb = new StringBuilder(64);
        appendTo(sb, template, session, upstream);
        return sb.toString();
    }

    private static void appendVariable(StringBuilder out, HeaderTemplate.Part part, Session session,
                                       RequestHead upstream) {
        switch (part.variable()) {
            case REMOTE_ADDR -> out.append(session.clientIp());
            case REMOTE_PORT -> {
                InetSocketAddress a = session.clientAddress();
                if (a != null) {
                    out.append(a.getPort());
                }
            }
            case HOST -> appendHost(out, upstream.authority() != null ? upstream.authority() : session.request().authority());
            case HOSTNAME -> out.append(localHostname());
            case SCHEME -> out.append(session.scheme());
            case REQUEST_METHOD -> out.append(upstream.methodName());
            case URI -> out.append(upstream.path());
            case ARGS -> {
                String q = upstream.query();
                if (q != null) {
                    out.append(q);
                }
            }
            case REQUEST_URI -> {
                Object original = session.attribute(ORIGINAL_TARGET_ATTRIBUTE);
                out.append(original instanceof String s ? s : session.request().target());
            }
            case HTTP_HEADER -> {
                String v = session.request().headers().get(part.text());
                if (v != null) {
                    out.append(v);
                }
            }
            case SERVER_ADDR -> {
                InetSocketAddress a = session.serverAddress();
                if (a != null) {
                    out.append(a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString());
                }
            }
            case SERVER_PORT -> {
                InetSocketAddress a = session.serverAddress();
                if (a != null) {
                    out.append(a.getPort());
                }
            }
            case PROXY_ADD_X_FORWARDED_FOR -> {
                HeaderBlock h = session.request().headers();
                boolean any = false;
                for (int i = h.indexOf("X-Forwarded-For", 0); i >= 0; i = h.indexOf("X-Forwarded-For", i + 1)) {
                    if (h.valueLength(i) == 0) {
                        continue;
                    }
                    if (any) {
                        out.append(", ");
                    }
                    out.append(h.value(i));
                    any = true;
                }
                if (any) {
                    out.append(", ");
                }
                out.append(session.clientIp());
            }
        }
    }

    /** nginx's $host: lower-case, without port. */
    private static void appendHost(StringBuilder out, String authority) {
        if (authority == null) {
            return;
        }
        int end = authority.length();
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            end = close < 0 ? end : close + 1;
        } else {
            int colon = authority.lastIndexOf(':');
            if (colon >= 0) {
                end = colon;
            }
        }
        for (int i = 0; i < end; i++) {
            char c = authority.charAt(i);
            out.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
    }

    /** This machine's name ($hostname): $HOSTNAME, else the local host name. Resolved once. */
    public static String localHostname() {
        String h = hostname;
        if (h == null) {
            h = System.getenv("HOSTNAME");
            if (h == null || h.isBlank()) {
                try {
                    h = InetAddress.getLocalHost().getHostName();
                } catch (Exception e) {
                    h = "localhost";
                }
            }
            hostname = h.toLowerCase(Locale.ROOT);
        }
        return hostname;
    }
}
