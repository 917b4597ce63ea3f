package io.pingora4j.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An origin whose health can be switched both ways, for tests of backends leaving and rejoining
 * the rotation. {@code /health} answers 200 or 503 ({@link #healthy}); every other path answers
 * its name with 200, or 500 while {@link #failing}; {@code /slow} waits for {@link #release()}
 * (at most 30 s) so a request can be held in flight. Binds any loopback address (127.0.0.2 too,
 * for DNS tests where two origins share a port).
 */
final class SwitchableOrigin implements AutoCloseable {

    final String name;
    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(8);
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger slowArrived = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean healthy = true;
    private volatile boolean failing;

    private SwitchableOrigin(String name, String ip, int port) throws IOException {
        this.name = name;
        server = HttpServer.create(new InetSocketAddress(ip, port), 64);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    static SwitchableOrigin start(String name) throws IOException {
        return new SwitchableOrigin(name, "127.0.0.1", 0);
    }

    static SwitchableOrigin start(String name, String ip, int port) throws IOException {
        return new SwitchableOrigin(name, ip, port);
    }

    int port() {
        return server.getAddress().getPort();
    }

    String addr() {
        return "127.0.0.1:" + port();
    }

    /** Requests other than {@code /health}. */
    int requests() {
        return requests.get();
    }

    int slowArrived() {
        return slowArrived.get();
    }

    void healthy(boolean value) {
        healthy = value;
    }

    /** While true, every path but {@code /health} answers 500. */
    void failing(boolean value) {
        failing = value;
    }

    void release() {
        release.countDown();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            try (InputStream in = ex.getRequestBody()) {
                in.readAllBytes();
            }
            String path = ex.getRequestURI().getRawPath();
            int status;
            if (path.equals("/health")) {
                status = healthy ? 200 : 503;
            } else {
                requests.incrementAndGet();
                if (path.contains("/slow")) {
                    slowArrived.incrementAndGet();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                status = failing ? 500 : 200;
            }
            byte[] body = name.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/plain");
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        pool.shutdownNow();
    }
}
