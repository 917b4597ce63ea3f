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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An origin for plugin tests in other packages: the JDK HTTP server on 127.0.0.1 that records
 * every request and answers 200 {@code text/plain} "origin", or what the test scripted for a path
 * prefix with {@link #answer}.
 */
public final class RecordingOrigin implements AutoCloseable {

    /** One request as the origin received it; header names are case-insensitive. */
    public record Seen(String method, String uri, Map<String, List<String>> headers, byte[] body) {
        public String header(String name) {
            List<String> v = headers.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    /** A scripted answer: status, header lines, body. {@code body} null sends no body at all. */
    public record Answer(int status, Map<String, String> headers, byte[] body) {
    }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(8);
    private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();

    private RecordingOrigin() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    public static RecordingOrigin start() throws IOException {
        return new RecordingOrigin();
    }

    /** "127.0.0.1:PORT", as an upstream's addrs entry. */
    public String addr() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Requests whose path starts with {@code prefix} get this answer (the longest prefix wins). */
    public void answer(String prefix, int status, Map<String, String> headers, byte[] body) {
        answers.put(prefix, new Answer(status, Map.copyOf(headers), body));
    }

    public List<Seen> seen() {
        return new ArrayList<>(seen);
    }

    public Seen last() {
        List<Seen> all = seen();
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k, List.copyOf(v)));
            String path = ex.getRequestURI().getRawPath();
            String uri = path + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
            seen.add(new Seen(ex.getRequestMethod(), uri, headers, body));
            Answer a = null;
            int best = -1;
            for (Map.Entry<String, Answer> e : answers.entrySet()) {
                if (path.startsWith(e.getKey()) && e.getKey().length() > best) {
                    a = e.getValue();
                    best = e.getKey().length();
                }
            }
            if (a == null) {
                a = new Answer(200, Map.of("Content-Type", "text/plain"), "origin".getBytes(StandardCharsets.UTF_8));
            }
            a.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            boolean noBody = a.body() == null || ex.getRequestMethod().equals("HEAD");
            ex.sendResponseHeaders(a.status(), noBody || a.body().length == 0 ? -1 : a.body().length);
            if (!noBody && a.body().length > 0) {
                ex.getResponseBody().write(a.body());
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
