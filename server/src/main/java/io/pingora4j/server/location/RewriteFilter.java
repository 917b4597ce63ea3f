package io.pingora4j.server.location;

import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.server.config.RewriteRule;
import io.pingora4j.server.route.Router;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.Session;
import java.util.Map;
import java.util.Objects;

/**
 * Applies a location's {@code rewrite} to the request path, keeping the query.
 *
 * <p>Runs in {@link #earlyRequestFilter}: the router has already chosen the location from the
 * path as the client sent it, and every later phase of the chain (plugins' request filters, the
 * cache key, the upstream request) sees the rewritten path, as in Pingap where the rewrite happens
 * before the request plugins. The original target is kept in the session attribute
 * {@link TemplateEvaluator#ORIGINAL_TARGET_ATTRIBUTE} ({@code $request_uri}, access log).
 * References the rewrite regex does not define are read from the route's captures, which the
 * proxy stores under {@link Router#CAPTURES_ATTRIBUTE} (a {@code Map<String, String>}).
 *
 * <p>Immutable and thread-safe: one instance serves every loop.
 */
public final class RewriteFilter implements HttpFilter {

    private final RewriteRule rule;

    public RewriteFilter(RewriteRule rule) {
        this.rule = Objects.requireNonNull(rule, "rule");
    }

    public RewriteRule rule() {
        return rule;
    }

    @Override
    public void earlyRequestFilter(Session session) {
        RequestHead request = session.request();
        String path = request.path();
        Object captured = session.attribute(Router.CAPTURES_ATTRIBUTE);
        RewriteRule.Captures captures = RewriteRule.Captures.NONE;
        if (captured instanceof Map<?, ?> map && !map.isEmpty()) {
            captures = name -> map.get(name) instanceof String s ? s : null;
        }
        String rewritten = rule.apply(path, captures);
        if (rewritten == null) {
            return;
        }
        String query = request.query();
        if (session.attribute(TemplateEvaluator.ORIGINAL_TARGET_ATTRIBUTE) == null) {
            session.setAttribute(TemplateEvaluator.ORIGINAL_TARGET_ATTRIBUTE, request.target());
        }
        try {
            request.setTarget(query == null ? rewritten : rewritten + "?" + query);
        } catch (IllegalArgumentException e) {
            throw ProxyError.of(ProxyError.Source.INTERNAL, ProxyError.Kind.INTERNAL,
                    "rewrite '" + rule.source() + "' made an invalid target from '" + path + "': " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "rewrite(" + rule + ")";
    }
}
