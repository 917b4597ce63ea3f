package io.pingora4j.server.location;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.server.config.HeaderRule;
import io.pingora4j.server.config.HeaderTemplate;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.Session;
import java.util.ArrayList;
import java.util.List;

/**
 * Sets and appends request headers on the request sent upstream: Pingap's
 * {@code enable_reverse_proxy_headers} defaults first, then {@code proxy_set_headers} (replace),
 * then {@code proxy_add_headers} (append), in the order written, as Pingap applies them. Values are
 * templates compiled at load ({@link HeaderTemplate}); a value that comes out empty is not sent
 * (a set removes the header), as in nginx.
 *
 * <p>Immutable and thread-safe. Constant values are used as they are; a templated value is built
 * in a reused per-thread StringBuilder (one String per templated header and request).
 */
public final class ProxyHeadersFilter implements HttpFilter {

    /** What {@code enable_reverse_proxy_headers = true} sets (Pingap's list, nginx's usual lines). */
    public static final List<HeaderRule> REVERSE_PROXY_HEADERS = List.of(
            new HeaderRule("X-Real-IP", HeaderTemplate.compile("$remote_addr")),
            new HeaderRule("X-Forwarded-For", HeaderTemplate.compile("$proxy_add_x_forwarded_for")),
            new HeaderRule("X-Forwarded-Proto", HeaderTemplate.compile("$scheme")),
            new HeaderRule("X-Forwarded-Host", HeaderTemplate.compile("$host")),
            new HeaderRule("X-Forwarded-Port", HeaderTemplate.compile("$server_port")));

    private static final ThreadLocal<StringBuilder> BUFFER = ThreadLocal.withInitial(() -> new StringBuilder(128));

    private final HeaderRule[] rules;
    private final boolean[] append;

    /**
     * @param reverseProxyHeaders whether to start with {@link #REVERSE_PROXY_HEADERS}
     * @param set                 headers to replace
     * @param add                 headers to append
     */
    public ProxyHeadersFilter(boolean reverseProxyHeaders, List<HeaderRule> set, List<HeaderRule> add) {
        List<HeaderRule> all = new ArrayList<>();
        List<Boolean> appends = new ArrayList<>();
        if (reverseProxyHeaders) {
            for (HeaderRule r : REVERSE_PROXY_HEADERS) {
                all.add(r);
                appends.add(false);
            }
        }
        for (HeaderRule r : set) {
            all.add(r);
            appends.add(false);
        }
        for (HeaderRule r : add) {
            all.add(r);
            appends.add(true);
        }
        rules = all.toArray(new HeaderRule[0]);
        append = new boolean[rules.length];
        for (int i = 0; i < rules.length; i++) {
            append[i] = appends.get(i);
            for (HeaderTemplate.Part p : rules[i].value().parts()) {
                if (p.variable() == HeaderTemplate.Variable.HOSTNAME) {
                    TemplateEvaluator.localHostname(); // resolve now, off the event loops
                }
            }
        }
    }

    @Override
    public void upstreamRequestFilter(Session session, RequestHead upstreamRequest) {
        // every value is computed before any header changes, so a variable reads the request as
        // the client sent it (nginx's rule): "$host" after "Host = ..." is still the client's host
        CharSequence[] values = new CharSequence[rules.length];
        StringBuilder sb = BUFFER.get();
        for (int i = 0; i < rules.length; i++) {
            HeaderTemplate t = rules[i].value();
            if (t.constant()) {
                values[i] = t.constantValue();
            } else {
                sb.setLength(0);
                TemplateEvaluator.appendTo(sb, t, session, upstreamRequest);
                values[i] = sb.toString();
            }
        }
        HeaderBlock headers = upstreamRequest.headers();
        for (int i = 0; i < rules.length; i++) {
            String name = rules[i].name();
            CharSequence value = values[i];
            if (append[i]) {
                if (value.length() > 0) {
                    headers.add(name, value);
                }
            } else if (value.length() > 0) {
                headers.set(name, value);
            } else {
                headers.removeAll(name);
            }
        }
    }

    @Override
    public String toString() {
        return "proxy_headers" + List.of(rules);
    }
}
