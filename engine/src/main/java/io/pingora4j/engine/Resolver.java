package io.pingora4j.engine;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * Turns a peer's host into an address without blocking a loop: IP literals at once, names on a
 * small pool of daemon threads with a short cache (DNS lookups block in the JDK).
 *
 * <p>Thread-safe: shared by all loops.
 */
final class Resolver {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final long TTL_NANOS = 30_000_000_000L;

    private record Entry(InetAddress address, long expires) {
    }

    private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();
    private final ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "pingora4j-dns");
        t.setDaemon(true);
        return t;
    });

    /** The address now if it is known without a lookup, else null (use {@link #resolve}). */
    InetSocketAddress now(String host, int port, long nowNanos) {
        if (IPV4.matcher(host).matches() || host.indexOf(':') >= 0) {
            try {
                return new InetSocketAddress(InetAddress.getByName(host), port); // a literal: no lookup
            } catch (UnknownHostException e) {
                return InetSocketAddress.createUnresolved(host, port);
            }
        }
        Entry e = cache.get(host);
        if (e != null && nowNanos - e.expires < 0) {
            return new InetSocketAddress(e.address, port);
        }
        return null;
    }

    /** Looks the name up off the loop. */
    CompletableFuture<InetSocketAddress> resolve(String host, int port) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                InetAddress a = InetAddress.getByName(host);
                cache.put(host, new Entry(a, System.nanoTime() + TTL_NANOS));
                return new InetSocketAddress(a, port);
            } catch (UnknownHostException e) {
                return InetSocketAddress.createUnresolved(host, port);
            }
        }, pool);
    }

    void close() {
        pool.shutdownNow();
    }
}
