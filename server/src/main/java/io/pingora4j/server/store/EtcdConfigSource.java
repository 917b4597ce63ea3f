package io.pingora4j.server.store;

import io.pingora4j.server.config.ConfigException;
import io.pingora4j.server.config.ConfigLoader;
import io.pingora4j.server.config.ConfigProblem;
import io.pingora4j.server.config.ConfigSource;
import io.pingora4j.server.config.ProxyConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration in etcd, in Pingap's layout: one TOML item per key under the prefix
 * ({@code /prefix/basic.toml}, {@code /prefix/servers/http.toml}, {@code /prefix/locations/api.toml}...,
 * each holding its own table such as {@code [servers.http]}). {@link #load()} reads every key under
 * the prefix (in key order) as one document, validated by {@link ConfigLoader} as a directory of files
 * is; problems name the key ({@code etcd://host:port/prefix/servers/http.toml: servers.http.addr: ...}).
 *
 * <p>{@link #watch} follows a watch stream on the prefix on a daemon thread of its own. When etcd goes
 * away the stream ends: the thread logs it once, counts it ({@code pingora4j_config_store_failures_total},
 * {@code pingora4j_config_store_up} 0) and reconnects with backoff (200 ms doubling to 5 s), resuming
 * from the last revision seen, so changes made meanwhile are reported (once etcd answers again, as
 * one {@code onChange}). The configuration in use is not touched: the caller keeps serving the last
 * good one.
 *
 * <p>Thread-safe.
 */
public final class EtcdConfigSource implements ConfigSource {

    private static final Logger LOG = LoggerFactory.getLogger(EtcdConfigSource.class);
    private static final List<EtcdConfigSource> WATCHING = new CopyOnWriteArrayList<>();
    static final long MIN_BACKOFF_MILLIS = 200;
    static final long MAX_BACKOFF_MILLIS = 5000;

    private final EtcdUrl url;
    private final EtcdClient client;
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean up = true;
    /** The store's revision when {@link #load()} last read it: a watch follows changes after it. */
    private volatile long loadedRevision;

    public EtcdConfigSource(EtcdUrl url) throws ConfigException {
        this.url = url;
        try {
            this.client = new EtcdClient(url);
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigProblem(url.describe(), "", e.getMessage())));
        }
    }

    /** Every source being watched, for the metrics. */
    public static List<EtcdConfigSource> watching() {
        return List.copyOf(WATCHING);
    }

    public EtcdUrl url() {
        return url;
    }

    @Override
    public String describe() {
        return url.describe();
    }

    /** Whether the watch stream is connected (true before any watch). */
    public boolean up() {
        return up;
    }

    /** Times the watch lost etcd. */
    public long failures() {
        return failures.get();
    }

    @Override
    public ProxyConfig load() throws ConfigException {
        EtcdClient.Range range;
        try {
            range = client.range();
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(List.of(new ConfigProblem(describe(), "", "cannot read from etcd: "
                    + e.getMessage())));
        }
        loadedRevision = range.revision();
        List<ConfigLoader.Document> docs = new ArrayList<>();
        for (EtcdClient.KeyValue kv : range.kvs()) {
            if (kv.key().endsWith(".toml")) {
                docs.add(new ConfigLoader.Document(documentName(kv.key()), kv.value()));
            }
        }
        if (docs.isEmpty()) {
            throw new ConfigException(List.of(new ConfigProblem(describe(), "", "no *.toml key under "
                    + url.prefix() + "/ (copy a configuration in with --sync)")));
        }
        return ConfigLoader.loadDocuments(describe(), docs);
    }

    /** How problems name a key: {@code etcd://host:port/prefix/servers/http.toml}. */
    String documentName(String key) {
        return "etcd://" + String.join(",", url.endpoints()) + key;
    }

    /** The admin API's store: reads and writes items under the prefix through this source's client. */
    public io.pingora4j.server.admin.ConfigStore adminStore() {
        return new EtcdAdminStore(this, client);
    }

    /**
     * Follows changes after the revision {@link #load()} read (so a change made between the load and
     * this call is reported too). Without a load, or when etcd does not answer now, the watch starts
     * anyway: it reports a change once etcd answers, so the caller reloads whatever is there then.
     */
    @Override
    public AutoCloseable watch(Runnable onChange) {
        Watcher w = new Watcher(loadedRevision > 0 ? loadedRevision : UNKNOWN, onChange);
        Thread t = new Thread(w, "etcd-watch " + describe());
        t.setDaemon(true);
        w.thread = t;
        WATCHING.add(this);
        t.start();
        return () -> {
            w.closed = true;
            t.interrupt();
            WATCHING.remove(this);
        };
    }

    /** A watch that has seen no revision yet: its first connection reads one and reports a change. */
    private static final long UNKNOWN = -1;

    /** The watch loop: one stream at a time, resumed after the last revision seen. */
    private final class Watcher implements Runnable {
        private final Runnable onChange;
        private volatile long seen;
        volatile boolean closed;
        Thread thread;

        Watcher(long revision, Runnable onChange) {
            this.seen = revision;
            this.onChange = onChange;
        }

        @Override
        public void run() {
            long backoff = MIN_BACKOFF_MILLIS;
            while (!closed) {
                try {
                    if (seen == UNKNOWN) {
                        seen = client.range().revision();
                        changed(seen); // what it holds now may differ from what the caller serves
                    }
                    client.watch(seen + 1, created -> connected(), this::changed);
                } catch (IOException | RuntimeException e) {
                    if (closed) {
                        return;
                    }
                    failures.incrementAndGet();
                    if (up) {
                        up = false;
                        LOG.warn("configuration store {} unreachable ({}): serving the last good configuration;"
                                + " retrying with backoff", describe(), e.getMessage());
                    }
                }
                try {
                    Thread.sleep(backoff); // backoff before reconnecting, not a synchronisation
                } catch (InterruptedException e) {
                    return;
                }
                backoff = up ? MIN_BACKOFF_MILLIS : Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
        }

        private void connected() {
            if (!up) {
                up = true;
                LOG.info("configuration store {} answers again: following changes from revision {}", describe(),
                        seen + 1);
            }
        }

        private void changed(long revision) {
            if (revision < 0) {
                // compacted past what we saw: read the current revision and report a change
                try {
                    seen = client.range().revision();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            } else {
                seen = Math.max(seen, revision);
            }
            try {
                onChange.run();
            } catch (RuntimeException e) {
                LOG.error("configuration change listener failed", e);
            }
        }
    }
}
