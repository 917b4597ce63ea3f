package io.pingora4j.server;

import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.server.metrics.ProxyMetrics;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.Session;
import io.prometheus.client.exporter.common.TextFormat;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Answers a server's {@code prometheus_metrics} path with every metric in Prometheus's text
 * format, before any location sees the request (Pingap's pull mode). The scrape itself (summing
 * the loops' stripes, reading {@code /proc}) runs on the observability thread; the request waits
 * deferred and the loop serves others meanwhile.
 *
 * <p>Thread-safe.
 */
final class MetricsEndpoint implements HttpFilter {

    private final String path;
    private final ProxyMetrics metrics;
    private final Executor scrapes;

    MetricsEndpoint(String path, ProxyMetrics metrics, Executor scrapes) {
        this.path = path;
        this.metrics = metrics;
        this.scrapes = scrapes;
    }

    /** Whether the request's path (without query) is the metrics path. Allocates nothing. */
    boolean claims(RequestHead request) {
        CharSequence pq = request.pathAndQueryChars();
        int n = pq.length();
        for (int i = 0; i < n; i++) {
            if (pq.charAt(i) == '?') {
                n = i;
                break;
            }
        }
        if (n != path.length()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (pq.charAt(i) != path.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Action requestFilter(Session session) {
        return Action.defer(CompletableFuture.supplyAsync(metrics::scrape, scrapes).thenApplyAsync(text -> {
            session.respond(200, TextFormat.CONTENT_TYPE_004, text.getBytes(StandardCharsets.UTF_8));
            return Action.RESPONDED;
        }, session.executor()));
    }
}
