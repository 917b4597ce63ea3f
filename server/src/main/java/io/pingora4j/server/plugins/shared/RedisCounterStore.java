package io.pingora4j.server.plugins.shared;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Shared counts in Redis through Lettuce's async API: {@code INCRBY} then {@code PEXPIRE} (pipelined
 * on one connection) for a count, {@code GET} for a read. Lettuce reconnects by itself; while it is
 * disconnected commands fail at once rather than queue, so a round never waits on a dead server.
 * Only the {@link CountSync} thread calls this class.
 *
 * <p>URLs: {@code redis://host:port/db}, {@code redis://:password@host:port/db},
 * {@code redis://user:password@...}, {@code rediss://} (TLS), and Sentinel,
 * {@code redis-sentinel://host:26379,host2:26379/db#mastername}. Redis Cluster is not supported
 * (Lettuce needs another client for it).
 */
public final class RedisCounterStore implements CounterStore {

    private final RedisURI uri;
    private final RedisClient client;
    private volatile StatefulRedisConnection<String, String> connection;

    private RedisCounterStore(RedisURI uri, Duration timeout) {
        this.uri = uri;
        this.client = RedisClient.create();
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
    }

    /**
     * Checks a store URL without connecting.
     *
     * @return the reason it is not a Redis URL we take, or null when it is
     */
    public static String problem(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("redis://") && !lower.startsWith("rediss://") && !lower.startsWith("redis-sentinel://")) {
            return "expected redis://host:port/db, rediss://... or redis-sentinel://..., got \"" + url + "\"";
        }
        try {
            if (!lower.startsWith("redis-sentinel://")) {
                java.net.URI plain = new java.net.URI(url);
                if (plain.getHost() == null) {
                    return "expected host:port after the scheme, got \"" + url + "\"";
                }
            }
            RedisURI u = RedisURI.create(url);
            if (u.getSentinels().isEmpty() && (u.getHost() == null || u.getHost().isEmpty())) {
                return "no host in \"" + url + "\"";
            }
            return null;
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return "not a Redis URL (" + e.getMessage() + "): \"" + url + "\"";
        }
    }

    /** A store for a URL that {@link #problem} accepted; connects on {@link #open()}. */
    public static RedisCounterStore of(String url, Duration timeout) {
        RedisURI u = RedisURI.create(url);
        u.setTimeout(timeout);
        return new RedisCounterStore(u, timeout);
    }

    @Override
    public String describe() {
        StringBuilder b = new StringBuilder();
        if (!uri.getSentinels().isEmpty()) {
            b.append("redis-sentinel://");
            for (int i = 0; i < uri.getSentinels().size(); i++) {
                RedisURI s = uri.getSentinels().get(i);
                b.append(i == 0 ? "" : ",").append(s.getHost()).append(':').append(s.getPort());
            }
            b.append('/').append(uri.getDatabase()).append('#').append(uri.getSentinelMasterId());
        } else {
            b.append(uri.isSsl() ? "rediss://" : "redis://").append(uri.getHost()).append(':').append(uri.getPort())
                    .append('/').append(uri.getDatabase());
        }
        return b.toString();
    }

    @Override
    public void open() {
        if (connection == null) {
            connection = client.connect(uri);
        }
    }

    @Override
    public CompletionStage<Long> add(String key, long delta, Duration ttl) {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not connected"));
        }
        RedisAsyncCommands<String, String> cmd = c.async();
        CompletionStage<Long> total = cmd.incrby(key, delta);
        CompletionStage<Boolean> expiry = cmd.pexpire(key, ttl.toMillis());
        return total.thenCombine(expiry, (t, ignored) -> t);
    }

    @Override
    public CompletionStage<Long> read(String key) {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not connected"));
        }
        return c.async().get(key).thenApply(v -> v == null ? 0L : Long.parseLong(v));
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown();
    }
}
