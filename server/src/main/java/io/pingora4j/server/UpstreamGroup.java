package io.pingora4j.server;

import io.pingora4j.lb.Backend;
import io.pingora4j.lb.BackendSet;
import io.pingora4j.lb.HealthPolicy;
import io.pingora4j.lb.Selector;
import io.pingora4j.server.config.UpstreamConfig;
import io.pingora4j.spi.HttpPeer;
import java.time.Duration;

/**
 * One {@code [upstreams.NAME]} at run time: its backends (with their counters and health), the
 * selector its algorithm makes, and one {@link HttpPeer} per backend, made once so choosing a
 * backend allocates nothing.
 *
 * <p>Thread-safe: shared by every event loop (the selector and the backend state are).
 */
final class UpstreamGroup {

    final String name;
    final UpstreamConfig config;
    final BackendSet set;
    final Selector selector;
    final HttpPeer[] peers;
    /** Tries for one request, the first included. */
    final int attempts;

    UpstreamGroup(UpstreamConfig config) {
        this.name = config.name();
        this.config = config;
        this.set = config.healthCheck() == null ? new BackendSet(config.backends())
                : new BackendSet(config.backends(), HealthPolicy.of(config.healthCheck(), 0, Duration.ZERO), null, System::nanoTime);
        this.selector = config.algorithm().newSelector(set);
        this.peers = new HttpPeer[set.size()];
        for (int i = 0; i < peers.length; i++) {
            Backend b = set.backend(i);
            HttpPeer.Builder p = HttpPeer.builder(b.host(), b.port()).tag(i);
            Duration connect = config.connectionTimeout() != null ? config.connectionTimeout() : config.totalConnectionTimeout();
            if (connect != null && !connect.isZero()) {
                p.connectTimeout(connect);
            }
            if (config.readTimeout() != null && !config.readTimeout().isZero()) {
                p.readTimeout(config.readTimeout());
            }
            if (config.writeTimeout() != null && !config.writeTimeout().isZero()) {
                p.writeTimeout(config.writeTimeout());
            }
            if (config.idleTimeout() != null && !config.idleTimeout().isZero()) {
                p.idleTimeout(config.idleTimeout());
            }
            if (config.tls()) {
                p.tls(true).verifyCert(config.verifyCert());
                if (config.sni() != null && !config.sni().isEmpty()) {
                    p.sni(config.sni());
                }
            }
            peers[i] = p.build();
        }
        int retries = config.maxRetries() == null ? Math.min(2, peers.length - 1) : config.maxRetries();
        this.attempts = Math.max(1, retries + 1);
    }
}
