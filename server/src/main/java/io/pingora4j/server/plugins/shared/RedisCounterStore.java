package io.pingora4j.server.plugins.shared;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.List;
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
 * {@code redis-sentinel://host:26379,host2:26379/db#mastername}, and Redis Cluster,
 * {@code redis-cluster://[:password@]host:port,host2:port2} (seed nodes; Lettuce's cluster client
 * routes each key to its slot, and a key's INCRBY and PEXPIRE go to the same node).
 */
public final class RedisCounterStore implements CounterStore {

    private static final String CLUSTER = "redis-cluster://";

    private final RedisURI uri;
    /** The cluster's seed nodes; empty for a single server or Sentinel. */
    private final List<RedisURI> seeds;
    private final RedisClient client;
    private final RedisClusterClient clusterClient;
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile StatefulRedisClusterConnection<String, String> clusterConnection;

    private RedisCounterStore(RedisURI uri, List<RedisURI> seeds, Duration timeout) {
        this.uri = uri;
        this.seeds = seeds;
        SocketOptions socket = SocketOptions.builder().connectTimeout(timeout).build();
        if (seeds.isEmpty()) {
            this.client = RedisClient.create();
            this.clusterClient = null;
            client.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .socketOptions(socket)
                    .timeoutOptions(TimeoutOptions.enabled(timeout))
                    .build());
        } else {
            this.client = null;
            this.clusterClient = RedisClusterClient.create(seeds);
            clusterClient.setOptions(ClusterClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .socketOptions(socket)
                    .timeoutOptions(TimeoutOptions.enabled(timeout))
                    .build());
        }
    }

    /** {@code redis-cluster://[:password@]h1:p1,h2:p2}: one redis:// URI per seed node. */
    private static List<RedisURI> seeds(String url) {
        String rest = url.substring(CLUSTER.length());
        String auth = "";
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            auth = rest.substring(0, at + 1);
            rest = rest.substring(at + 1);
        }
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            rest = rest.substring(0, slash);
        }
        List<RedisURI> out = new ArrayList<>();
        for (String hp : rest.split(",")) {
            out.add(RedisURI.create("redis://" + auth + hp.trim()));
        }
        return out;
    }

    /**
     * Checks a store URL without connecting.
     *
     * @return the reason it is not a Redis URL we take, or null when it is
     */
    public static String problem(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith(CLUSTER)) {
            try {
                for (String hp : url.substring(CLUSTER.length()).replaceFirst("^[^@]*@", "").split("/")[0].split(",")) {
                    if (new java.net.URI("redis://" + hp.trim()).getHost() == null) {
                        return "expected redis-cluster://host:port[,host:port...], got \"" + url + "\"";
                    }
                }
                for (RedisURI seed : seeds(url)) {
                    if (seed.getHost() == null || seed.getHost().isEmpty() || seed.getPort() <= 0) {
                        return "expected redis-cluster://host:port[,host:port...], got \"" + url + "\"";
                    }
                }
                return null;
            } catch (java.net.URISyntaxException | RuntimeException e) {
                return "not a Redis Cluster URL (" + e.getMessage() + "): \"" + url + "\"";
            }
        }
        if (!lower.startsWith("redis://") && !lower.startsWith("rediss://") && !lower.startsWith("redis-sentinel://")) {
            return "expected redis://host:port/db, rediss://..., redis-sentinel://... or redis-cluster://...,"
                    + " got \"" + url + "\"";
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
        if (url.toLowerCase(Locale.ROOT).startsWith(CLUSTER)) {
            List<RedisURI> seeds = seeds(url);
            seeds.forEach(u -> u.setTimeout(timeout));
            return new RedisCounterStore(seeds.get(0), seeds, timeout);
        }
        RedisURI u = RedisURI.create(url);
        u.setTimeout(timeout);
        return new RedisCounterStore(u, List.of(), timeout);
    }

    @Override
    public String describe() {
        StringBuilder b = new StringBuilder();
        if (!seeds.isEmpty()) {
            b.append(CLUSTER);
            for (int i = 0; i < seeds.size(); i++) {
                b.append(i == 0 ? "" : ",").append(seeds.get(i).getHost()).append(':').append(seeds.get(i).getPort());
            }
        } else if (!uri.getSentinels().isEmpty()) {
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
        if (clusterClient != null) {
            if (clusterConnection == null) {
                clusterConnection = clusterClient.connect();
            }
        } else if (connection == null) {
            connection = client.connect(uri);
        }
    }

    /** The commands of the open connection (a cluster's routes each key to its slot), or null. */
    private RedisClusterAsyncCommands<String, String> commands() {
        if (clusterClient != null) {
            StatefulRedisClusterConnection<String, String> c = clusterConnection;
            return c == null ? null : c.async();
        }
        StatefulRedisConnection<String, String> c = connection;
        return c == null ? null : c.async();
    }

    @Override
    public CompletionStage<Long> add(String key, long delta, Duration ttl) {
        RedisClusterAsyncCommands<String, String> cmd = commands();
        if (cmd == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not connected"));
        }
        CompletionStage<Long> total = cmd.incrby(key, delta);
        CompletionStage<Boolean> expiry = cmd.pexpire(key, ttl.toMillis());
        return total.thenCombine(expiry, (t, ignored) -> t);
    }

    @Override
    public CompletionStage<Long> read(String key) {
        RedisClusterAsyncCommands<String, String> cmd = commands();
        if (cmd == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not connected"));
        }
        return cmd.get(key).thenApply(v -> v == null ? 0L : Long.parseLong(v));
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
        }
        if (clusterConnection != null) {
            clusterConnection.close();
        }
        if (client != null) {
            client.shutdown();
        }
        if (clusterClient != null) {
            clusterClient.shutdown();
        }
    }
}
