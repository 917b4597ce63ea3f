package io.pingora4j.server.plugins.shared;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Where a fleet of proxies keeps its shared counts (Redis in production, a map in tests). Called
 * only from a {@link CountSync}'s own thread, never from an event loop; the stages may complete
 * on any thread.
 */
public interface CounterStore extends AutoCloseable {

    /** The store for logs and the metric label; never a password. */
    String describe();

    /**
     * Makes sure a connection is open, waiting for it if need be (the sync thread may wait; it is
     * nobody's event loop). Throws when the store cannot be reached.
     */
    void open() throws Exception;

    /** Adds {@code delta} to the count under {@code key}, which lives {@code ttl}; completes with the new total. */
    CompletionStage<Long> add(String key, long delta, Duration ttl);

    /** The count under {@code key} (0 when there is none). */
    CompletionStage<Long> read(String key);

    @Override
    void close();
}
