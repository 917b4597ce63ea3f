package io.pingora4j.server.admin;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The admin API on an HTTP listener of its own (the JDK's server: the admin is rare, small and
 * may block, so it stays off the proxy's event loops): at {@code --admin}'s address, or on a
 * loopback port the admin plugin sends its location's requests to.
 */
public final class AdminServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads;

    private AdminServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    public static AdminServer start(InetSocketAddress address, AdminApi api) throws IOException {
        HttpServer s = HttpServer.create(address, 64);
        AtomicInteger ids = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "pingora4j-admin-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        s.setExecutor(threads);
        s.createContext("/", api);
        s.start();
        return new AdminServer(s, threads);
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
