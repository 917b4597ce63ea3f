package io.pingora4j.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An origin that says who it is: the JDK's HTTP server on 127.0.0.1 and an ephemeral port. Every
 * request is recorded ({@link #seen()}) and answered 200 with its name as the body and in
 * {@code X-Origin}, plus {@code Server} and {@code X-Powered-By} headers a location may remove.
 * Paths containing {@code /echo} answer with the request body; paths containing {@code /slow} wait for
 * {@link #release()} first (at most 30 s), so a test can hold a request in flight; {@code /health}
 * answers 200 until {@link #failHealthChecks()} and is counted apart from other requests.
 */
final class TestOrigin implements AutoCloseable {

    /** One request as the origin received it; header names are case-insensitive. */
    record Seen(String method, String uri, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            List<String> v = headers.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    final String name;
    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(16);
    private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger slowArrived = new AtomicInteger();
    private final AtomicInteger healthChecks = new AtomicInteger();
    private volatile int healthStatus = 200;

    private TestOrigin(String name) throws IOException {
        this.name = name;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    static TestOrigin start(String name) throws IOException {
        return new TestOrigin(name);
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** "127.0.0.1:PORT", as an upstream's addrs entry. */
    String addr() {
        return "127.0.0.1:" + port();
    }

    /** Requests seen, health checks ({@code /health}) left out: those are counted in {@link #healthChecks()}. */
    List<Seen> seen() {
        return new ArrayList<>(seen);
    }

    Seen last() {
        List<Seen> all = seen();
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    int healthChecks() {
        return healthChecks.get();
    }

    int slowArrived() {
        return slowArrived.get();
    }

    /** From now on {@code /health} answers 503 (other paths are unchanged). */
    void failHealthChecks() {
        healthStatus = 503;
    }

    /** Lets every held {@code /slow} request answer. */
    void release() {
        release.countDown();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k, List.copyOf(v)));
            String uri = ex.getRequestURI().getRawPath()
                    + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
            String path = ex.getRequestURI().getRawPath();
            if (path.equals("/health")) {
                healthChecks.incrementAndGet();
            } else {
                seen.add(new Seen(ex.getRequestMethod(), uri, headers, body));
            }
            if (path.contains("/slow")) {
                slowArrived.incrementAndGet();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            int status = path.equals("/health") ? healthStatus : 200;
            byte[] answer = path.contains("/echo") ? body : name.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/plain");
            ex.getResponseHeaders().add("X-Origin", name);
            ex.getResponseHeaders().add("Server", "test-origin");
            ex.getResponseHeaders().add("X-Powered-By", "test-stack");
            ex.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                ex.getResponseBody().write(answer);
            }
        }
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        pool.shutdownNow();
    }
}
