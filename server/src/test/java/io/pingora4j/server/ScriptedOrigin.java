package io.pingora4j.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * An origin whose answers a test writes: every request is recorded and handed to a script that
 * returns the status, fields and body (or the script may block, to hold a request in flight).
 * The JDK HTTP server on 127.0.0.1 and an ephemeral port.
 */
final class ScriptedOrigin implements AutoCloseable {

    /** A request as the origin saw it. */
    record Request(String method, String uri, com.sun.net.httpserver.Headers headers) {
        String header(String name) {
            return headers.getFirst(name);
        }
    }

    /** An answer: status, fields (name, value, name, value...), body; {@code chunked} (see {@link #streamed}) streams it without a length. */
    record Reply(int status, List<String> fields, String body, boolean chunked) {
        static Reply of(int status, String body, String... fields) {
            return new Reply(status, List.of(fields), body, false);
        }

        Reply streamed() {
            return new Reply(status, fields, body, true);
        }
    }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(8);
    private final ConcurrentLinkedQueue<Request> seen = new ConcurrentLinkedQueue<>();
    private volatile Function<Request, Reply> script;

    private ScriptedOrigin(Function<Request, Reply> script) throws IOException {
        this.script = script;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    static ScriptedOrigin start(Function<Request, Reply> script) throws IOException {
        return new ScriptedOrigin(script);
    }

    /** Answers the following requests with another script. */
    void script(Function<Request, Reply> next) {
        this.script = next;
    }

    String addr() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    List<Request> seen() {
        return new ArrayList<>(seen);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            ex.getRequestBody().readAllBytes();
            Request r = new Request(ex.getRequestMethod(), ex.getRequestURI().toString(), ex.getRequestHeaders());
            seen.add(r);
            Reply reply = script.apply(r);
            for (int i = 0; i + 1 < reply.fields().size(); i += 2) {
                ex.getResponseHeaders().add(reply.fields().get(i), reply.fields().get(i + 1));
            }
            byte[] body = reply.body() == null ? new byte[0] : reply.body().getBytes(StandardCharsets.UTF_8);
            boolean bodiless = reply.status() == 304 || reply.status() == 204 || "HEAD".equals(r.method());
            ex.sendResponseHeaders(reply.status(), bodiless ? -1 : reply.chunked() ? 0 : body.length);
            if (!bodiless) {
                try (OutputStream out = ex.getResponseBody()) {
                    if (reply.chunked()) {
                        int half = body.length / 2;
                        out.write(body, 0, half);
                        out.flush();
                        out.write(body, half, body.length - half);
                    } else {
                        out.write(body);
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
