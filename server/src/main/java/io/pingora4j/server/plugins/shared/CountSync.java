package io.pingora4j.server.plugins.shared;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the counts of every {@link SharedRateLimiter} on one store and reads back the fleet's
 * totals, every sync interval, on its own daemon thread (the only thread that waits on the store).
 * A round issues all its commands at once (Lettuce pipelines them) and waits for them up to the
 * store timeout; a failed or late round marks the store down: the limiters fall back to local
 * counts (or refuse, without fail_open), a warning is logged once, and
 * {@code pingora4j_limit_store_failures_total} counts it. While down, rounds back off from 100 ms
 * to 1 s; the counts admitted meanwhile are sent when the store answers again.
 *
 * <p>One sync per (store, interval) for the process: a reloaded configuration's limiters join the
 * same thread, and the replaced ones, held weakly, drop out when they are collected.
 */
public final class CountSync {

    private static final Logger LOG = LoggerFactory.getLogger(CountSync.class);
    private static final Map<String, CountSync> ALL = new ConcurrentHashMap<>();
    static final long MIN_BACKOFF_MILLIS = 100;
    private static final String PROBE_KEY = "pingora4j:limit:probe";
    static final long MAX_BACKOFF_MILLIS = 1000;

    private final CounterStore store;
    private final long syncMillis;
    private final Duration timeout;
    private final List<WeakReference<SharedRateLimiter>> limiters = new CopyOnWriteArrayList<>();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong rounds = new AtomicLong();
    private volatile boolean up = true;
    private volatile boolean opened;
    private long backoffMillis = MIN_BACKOFF_MILLIS;
    /** Rounds in a row with nothing to send (sync thread only). */
    private long idleRounds;
    /** With nothing to send, one round in this many probes the store. */
    static final int IDLE_PROBE_EVERY = 20;

    /** A sync driven by the caller ({@link #syncOnce()}): for tests. */
    public CountSync(CounterStore store, Duration syncInterval, Duration timeout) {
        this.store = store;
        this.syncMillis = Math.max(1, syncInterval.toMillis());
        this.timeout = timeout;
    }

    /**
     * The process's sync for a store, started on first use.
     *
     * @param id     what identifies the store and interval (the URL and the interval)
     * @param opener makes the store, once
     */
    public static CountSync shared(String id, Duration syncInterval, Duration timeout,
                                   Function<String, CounterStore> opener) {
        return ALL.computeIfAbsent(id + " every " + syncInterval.toMillis() + "ms", k -> {
            CountSync sync = new CountSync(opener.apply(id), syncInterval, timeout);
            Thread t = new Thread(sync::run, "limit-sync " + sync.store.describe());
            t.setDaemon(true);
            t.start();
            return sync;
        });
    }

    /** Every process-wide sync, for the metrics. */
    public static List<CountSync> all() {
        return List.copyOf(ALL.values());
    }

    public void register(SharedRateLimiter limiter) {
        limiters.add(new WeakReference<>(limiter));
        limiter.storeUp(up);
    }

    public String describe() {
        return store.describe();
    }

    /** Whether the last round reached the store. */
    public boolean up() {
        return up;
    }

    /** Rounds that failed to reach the store. */
    public long failures() {
        return failures.get();
    }

    /** Rounds run, for tests awaiting one. */
    public long rounds() {
        return rounds.get();
    }

    private void run() {
        while (true) {
            try {
                syncOnce();
                Thread.sleep(up ? syncMillis : backoffMillis); // a pace, not a synchronisation
                if (!up) {
                    backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("limit store {}: sync round failed", store.describe(), e);
            }
        }
    }

    /** One round: send every pending count, read every busy key's total, then mark the store up or down. */
    public void syncOnce() throws InterruptedException {
        try {
            if (!opened) {
                store.open();
                opened = true;
            }
            List<CompletableFuture<?>> sent = new ArrayList<>();
            for (WeakReference<SharedRateLimiter> ref : limiters) {
                SharedRateLimiter limiter = ref.get();
                if (limiter == null) {
                    limiters.remove(ref);
                    continue;
                }
                collect(limiter, sent);
            }
            if (sent.isEmpty()) {
                // idle: still learn whether the store answers, but not every few milliseconds
                if (!up || idleRounds++ % IDLE_PROBE_EVERY == 0) {
                    sent.add(store.read(PROBE_KEY).toCompletableFuture());
                }
            } else {
                idleRounds = 0;
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            markUp();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            markDown(e);
        } finally {
            rounds.incrementAndGet();
        }
    }

    private void collect(SharedRateLimiter limiter, List<CompletableFuture<?>> into) {
        long interval = limiter.intervalMillis();
        long number = limiter.nowMillis() / interval;
        Duration ttl = Duration.ofMillis(interval * 2 + 1000);
        for (SharedRateLimiter.KeyCounts k : limiter.keys().values()) {
            SharedRateLimiter.Window c = k.currentWindow();
            if (c.number < number - 1) {
                limiter.keys().remove(k.key, k); // idle for a whole window: nothing left to count
                continue;
            }
            into.add(sync(limiter.storeKey(k.key, c.number), c, ttl));
            SharedRateLimiter.Window p = k.previousWindow();
            if (p != null && p.admitted.get() > p.sent) {
                into.add(sync(limiter.storeKey(k.key, p.number), p, ttl));
            }
        }
    }

    private CompletableFuture<?> sync(String key, SharedRateLimiter.Window w, Duration ttl) {
        long admitted = w.admitted.get();
        long delta = admitted - w.sent;
        if (delta > 0) {
            return store.add(key, delta, ttl).thenAccept(total -> {
                w.fleet = total;
                w.sent = admitted;
            }).toCompletableFuture();
        }
        return store.read(key).thenAccept(total -> w.fleet = total).toCompletableFuture();
    }

    private void markUp() {
        backoffMillis = MIN_BACKOFF_MILLIS;
        if (!up) {
            LOG.info("limit store {} answers again: shared limits resume", store.describe());
        }
        setUp(true);
    }

    private void markDown(Exception e) {
        failures.incrementAndGet();
        if (up) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            LOG.warn("limit store {} unreachable ({}): its limits count locally (fail_open) or refuse until it"
                    + " answers", store.describe(), cause.toString());
        }
        setUp(false); // a store never opened is opened again next round
    }

    private void setUp(boolean value) {
        up = value;
        for (WeakReference<SharedRateLimiter> ref : limiters) {
            SharedRateLimiter l = ref.get();
            if (l != null) {
                l.storeUp(value);
            }
        }
    }
}
