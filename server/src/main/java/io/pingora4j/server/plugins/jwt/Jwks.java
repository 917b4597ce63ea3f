package io.pingora4j.server.plugins.jwt;

import com.nimbusds.jose.jwk.JWKSet;
import io.pingora4j.server.plugins.SubRequests;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote JWK set, fetched off the event loops and kept for {@code ttl}. One fetch at a time
 * (single flight); after a fetch, the next one waits at least {@code min(ttl, 10s)} (cooldown);
 * a set past its ttl keeps being used while a new one is fetched, and when a fetch fails.
 *
 * <p>Thread-safe: the current set and the fetch in flight are atomic references.
 */
final class Jwks {

    private static final Logger LOG = LoggerFactory.getLogger(Jwks.class);
    private static final long COOLDOWN_MAX_NANOS = Duration.ofSeconds(10).toNanos();

    /** A fetched set and when it was fetched. */
    private record Fetched(JWKSet keys, long atNanos) {
    }

    private final URI uri;
    private final long ttlNanos;
    private final AtomicReference<Fetched> current = new AtomicReference<>();
    private final AtomicReference<CompletableFuture<JWKSet>> inflight = new AtomicReference<>();
    private volatile boolean attempted;
    private volatile long lastAttemptNanos;

    Jwks(URI uri, long ttlNanos) {
        this.uri = uri;
        this.ttlNanos = ttlNanos;
    }

    /**
     * The keys: at once (a completed stage) when a set is held, fresh or stale (a stale one also
     * starts a refresh); otherwise the fetch in flight. Fails when no set was ever fetched.
     */
    CompletableFuture<JWKSet> keys() {
        JWKSet held = held();
        if (held != null) {
            return CompletableFuture.completedFuture(held);
        }
        long now = System.nanoTime();
        CompletableFuture<JWKSet> running = inflight.get();
        if (running != null) {
            return running;
        }
        if (coolingDown(now)) {
            return CompletableFuture.failedFuture(new IllegalStateException("the key set could not be fetched"));
        }
        return fetch();
    }

    /**
     * The set held now, fresh or stale (a stale one also starts a refresh), or null when none was
     * fetched yet. Allocates nothing: the fast path of a token already verified under this set.
     */
    JWKSet held() {
        Fetched f = current.get();
        if (f == null) {
            return null;
        }
        long now = System.nanoTime();
        if (now - f.atNanos() > ttlNanos && !coolingDown(now)) {
            fetch();
        }
        return f.keys();
    }

    private boolean coolingDown(long now) {
        return attempted && now - lastAttemptNanos < Math.min(ttlNanos, COOLDOWN_MAX_NANOS);
    }

    private CompletableFuture<JWKSet> fetch() {
        CompletableFuture<JWKSet> mine = new CompletableFuture<>();
        if (!inflight.compareAndSet(null, mine)) {
            CompletableFuture<JWKSet> other = inflight.get();
            return other != null ? other : keys();
        }
        lastAttemptNanos = System.nanoTime();
        attempted = true;
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("Accept", "application/json").GET().build();
        SubRequests.client().sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((resp, err) -> {
            try {
                if (err != null) {
                    throw new IllegalStateException(err.toString(), err);
                }
                if (resp.statusCode() != 200) {
                    throw new IllegalStateException("status " + resp.statusCode());
                }
                JWKSet set = JWKSet.parse(resp.body());
                current.set(new Fetched(set, System.nanoTime()));
                inflight.set(null);
                mine.complete(set);
            } catch (Exception e) {
                LOG.warn("jwt: fetching the key set {} failed: {}", uri, e.getMessage());
                inflight.set(null);
                Fetched stale = current.get();
                if (stale != null) {
                    mine.complete(stale.keys());
                } else {
                    mine.completeExceptionally(e);
                }
            }
        });
        return mine;
    }
}
