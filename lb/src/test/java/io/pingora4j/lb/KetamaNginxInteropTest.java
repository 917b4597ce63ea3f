package io.pingora4j.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KetamaRing} against a live nginx: three in-process origins behind
 * {@code upstream { hash $arg_k consistent; server 127.0.0.1:PORT; ... }}, 300 keys sent through
 * nginx, and every key must land on the origin our ring picks from the same three written
 * addresses and weights. {@link NginxObservedTest} pins picks recorded once on fixed ports; this
 * test re-derives them on fresh ports each run, so it covers ring points nobody recorded.
 *
 * <p>Interop profile only ({@code mvn -Pinterop}); a missing nginx fails the test, never skips it.
 * nginx runs in the foreground ({@code daemon off}) with one worker, and everything it writes
 * (pid, error log, temp paths) goes under a temp directory. It is stopped in {@code finally}:
 * SIGTERM, then SIGKILL for it and the workers it had if it has not exited in 10 s.
 */
@Tag("interop")
class KetamaNginxInteropTest {

    private static final int KEYS = 300;
    private static final Duration STARTUP = Duration.ofSeconds(15);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final List<String> NGINX_LOCATIONS = List.of("/usr/sbin/nginx", "/usr/local/sbin/nginx",
            "/usr/local/nginx/sbin/nginx", "/opt/homebrew/bin/nginx", "/usr/local/bin/nginx");

    @TempDir
    Path tmp;

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(REQUEST_TIMEOUT)
            .proxy(HttpClient.Builder.NO_PROXY)
            .build();

    @Test
    void consistentHashPicksTheSameBackendAsNginxForEveryKey() throws Exception {
        String nginx = findNginx();
        List<HttpServer> origins = new ArrayList<>();
        Process process = null;
        List<ProcessHandle> workers = List.of();
        try {
            List<String> addresses = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                HttpServer origin = startOrigin();
                origins.add(origin);
                addresses.add("127.0.0.1:" + origin.getAddress().getPort());
            }
            int port = -1;
            for (int attempt = 0; attempt < 3 && port < 0; attempt++) {
                int candidate = freeLoopbackPort();
                process = startNginx(nginx, addresses, candidate);
                if (awaitAnswer(process, candidate)) {
                    port = candidate;
                    workers = process.descendants().toList();
                } else if (errorLog().contains("Address already in use")) {
                    stop(process, List.of()); // lost the race for the port: try another
                } else {
                    fail("nginx did not start (exit " + exitValue(process) + "); error log:\n" + errorLog());
                }
            }
            assertTrue(port > 0, "nginx could not bind a free loopback port in 3 tries; error log:\n" + errorLog());

            KetamaRing ring = new KetamaRing(addresses.stream().map(Backend::of).toList());
            List<String> mismatches = new ArrayList<>();
            int[] perBackend = new int[addresses.size()];
            for (int i = 0; i < KEYS; i++) {
                String key = "key" + i;
                String servedBy = get(port, "/?k=" + key);
                int nginxPick = addresses.indexOf(servedBy);
                assertTrue(nginxPick >= 0, "key " + key + ": unexpected answer \"" + servedBy + "\"");
                perBackend[nginxPick]++;
                int ours = ring.ownerOfKey(key);
                if (ours != nginxPick) {
                    mismatches.add(key + ": nginx " + addresses.get(nginxPick) + ", ours " + addresses.get(ours));
                }
            }
            assertTrue(mismatches.isEmpty(), mismatches.size() + " of " + KEYS + " keys map to a different backend"
                    + " than nginx's (upstream " + addresses + "), first ones: "
                    + mismatches.subList(0, Math.min(10, mismatches.size())));
            for (int b = 0; b < perBackend.length; b++) {
                assertTrue(perBackend[b] > 0, "no key went to " + addresses.get(b)
                        + ": the comparison would not cover every backend");
            }
        } finally {
            try {
                if (process != null) {
                    stop(process, workers);
                }
            } finally {
                for (HttpServer origin : origins) {
                    origin.stop(0);
                }
            }
        }
    }

    /** The nginx binary on PATH or in a usual place; fails (not skips) when there is none. */
    private static String findNginx() {
        List<Path> candidates = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir, "nginx"));
                }
            }
        }
        NGINX_LOCATIONS.forEach(location -> candidates.add(Path.of(location)));
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return fail("nginx is not installed (not on PATH, nor in " + NGINX_LOCATIONS + "); this interop test needs it: "
                + "apt-get install nginx (.ci/run installs it)");
    }

    /** An origin on 127.0.0.1:0 answering every request with its own "127.0.0.1:PORT". */
    private static HttpServer startOrigin() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String name = "127.0.0.1:" + server.getAddress().getPort();
        byte[] body = name.getBytes(StandardCharsets.US_ASCII);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    private Process startNginx(String nginx, List<String> addresses, int port) throws IOException {
        Path dir = tmp.toAbsolutePath();
        StringBuilder servers = new StringBuilder();
        for (String address : addresses) {
            servers.append("        server ").append(address).append(";\n");
        }
        Files.deleteIfExists(dir.resolve("error.log"));
        Path conf = Files.writeString(dir.resolve("nginx.conf"), """
                worker_processes 1;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log info;
                events {
                    worker_connections 64;
                }
                http {
                    access_log off;
                    client_body_temp_path %1$s/client_body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    upstream origins {
                        hash $arg_k consistent;
                %2$s    }
                    server {
                        listen 127.0.0.1:%3$d;
                        location / {
                            proxy_pass http://origins;
                        }
                    }
                }
                """.formatted(dir, servers, port));
        // -e: the error log before the configuration is read, else nginx tries its compiled-in path
        return new ProcessBuilder(nginx, "-c", conf.toString(), "-p", dir.toString(), "-e", dir + "/error.log")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx.out").toFile())
                .start();
    }

    /** Polls nginx until it answers or exits, bounded by {@link #STARTUP}; true when it answered. */
    private boolean awaitAnswer(Process process, int port) {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (process.isAlive()) {
            try {
                get(port, "/?k=probe");
                return true;
            } catch (IOException e) {
                if (System.nanoTime() - deadline > 0) {
                    fail("nginx did not answer on 127.0.0.1:" + port + " within " + STARTUP.toSeconds() + " s ("
                            + e + "); error log:\n" + errorLog());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
        return false;
    }

    /** The body of a 200 answer to GET {@code target}; a non-200 status fails the test. */
    private String get(int port, String target) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + target))
                .timeout(REQUEST_TIMEOUT)
                .GET()
                .build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.US_ASCII));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        assertEquals(200, response.statusCode(), "GET " + target + " through nginx: " + response.body()
                + "\nerror log:\n" + errorLog());
        return response.body().strip();
    }

    /** SIGTERM (nginx's fast shutdown); after 10 s, SIGKILL for it and the workers it had. */
    private static void stop(Process process, List<ProcessHandle> workers) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        for (ProcessHandle worker : workers) {
            if (worker.isAlive()) {
                worker.destroyForcibly();
            }
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String exitValue(Process process) {
        return process.isAlive() ? "still running" : Integer.toString(process.exitValue());
    }

    private String errorLog() {
        StringBuilder log = new StringBuilder();
        for (String name : List.of("error.log", "nginx.out")) {
            Path file = tmp.resolve(name);
            try {
                if (Files.exists(file)) {
                    log.append(Files.readString(file, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return log.toString();
    }
}
