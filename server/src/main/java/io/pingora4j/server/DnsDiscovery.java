package io.pingora4j.server;

import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-resolves the host names of every upstream with DNS discovery, each every
 * {@code update_frequency}, on one daemon thread of its own: resolution blocks, so it never runs on
 * an event loop. {@link UpstreamGroup#refresh()} swaps the new backends in atomically.
 *
 * <p>Thread-safe: started and stopped once. Makes no thread when no upstream needs it.
 */
final class DnsDiscovery implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DnsDiscovery.class);

    private ScheduledExecutorService timer;

    synchronized void start(Collection<UpstreamGroup> groups) {
        for (UpstreamGroup g : groups) {
            if (!g.dnsDiscovery) {
                continue;
            }
            if (timer == null) {
                timer = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "pingora4j-dns");
                    t.setDaemon(true);
                    return t;
                });
            }
            long every = Math.max(100, g.updateFrequency().toMillis());
            timer.scheduleWithFixedDelay(() -> refresh(g), every, every, TimeUnit.MILLISECONDS);
        }
    }

    private static void refresh(UpstreamGroup g) {
        try {
            g.refresh();
        } catch (RuntimeException e) {
            // an exception would cancel the schedule: this upstream would never be resolved again
            LOG.warn("upstream '{}': DNS discovery failed", g.name, e);
        }
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
