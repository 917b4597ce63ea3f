package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
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
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover under load through the binary as a process: an upstream of three origins, round robin,
 * {@code max_retries = 2} and an active health check every second; four keep-alive clients send GETs
 * while one origin is stopped (listener and connections closed). No client request may fail: the
 * retries cover the window before the health check marks the origin down. Run by
 * {@code mvn verify -Pinterop}; the process is launched as in {@link InteropSmokeTest}.
 */
@Tag("interop")
class FailoverInteropTest {

    private static final int CLIENTS = 4;
    /** The kill comes after this many successful requests (about 2 s of load), not after a sleep. */
    private static final long KILL_AFTER_SUCCESSES = 2_000;
    /** Load goes on this long after the kill: several health-check rounds. */
    private static final Duration LOAD_AFTER_KILL = Duration.ofSeconds(4);
    /** The bound on the whole load phase, should the kill trigger never be reached. */
    private static final Duration LOAD_LIMIT = Duration.ofSeconds(30);
    private static final String KILLED = "b";

    static {
        // The JDK server flushes a response's head and body as two writes; without TCP_NODELAY the body
        // waits for the peer's delayed ACK, about 40 ms a response (23 rps on one connection, measured).
        // Read once, when the first HttpServer is made: should another test in this JVM have made one
        // first, the origins are slow but the test holds (the kill then comes later, within LOAD_LIMIT).
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    @TempDir
    Path tmp;

    private final Map<String, NamedOrigin> origins = new TreeMap<>();
    private Process server;
    private int port;

    @BeforeEach
    void start() throws IOException {
        for (String name : List.of("a", "b", "c")) {
            origins.put(name, new NamedOrigin(name));
        }
        launch();
    }

    @AfterEach
    void stop() throws InterruptedException {
        try {
            if (server != null && server.isAlive()) {
                server.destroyForcibly();
                server.waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            origins.values().forEach(NamedOrigin::close);
        }
    }

    /** One client request as the test saw it; times are nanoTime. */
    private record Outcome(long startNanos, long endNanos, String servedBy, String failure) {
    }

    @Test
    void stoppingOneOfThreeOriginsUnderLoadFailsNoClientRequest() throws Exception {
        Await.until("a health check reaching every origin (is the active checker running?)", Duration.ofSeconds(10),
                () -> origins.values().stream().allMatch(o -> o.healthChecks.sum() > 0));

        NamedOrigin victim = origins.get(KILLED);
        LongAdder successes = new LongAdder();
        AtomicBoolean killing = new AtomicBoolean();
        AtomicLong killStart = new AtomicLong();
        AtomicLong killDone = new AtomicLong();
        AtomicLong victimCountAtKill = new AtomicLong(-1);
        ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        long loadStart = System.nanoTime();

        Runnable client = () -> {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/load"))
                    .timeout(Duration.ofSeconds(10)).GET().build();
            while (true) {
                long now = System.nanoTime();
                long done = killDone.get();
                if (done != 0 ? now - done > LOAD_AFTER_KILL.toNanos() : now - loadStart > LOAD_LIMIT.toNanos()) {
                    return;
                }
                String servedBy = null;
                String failure = null;
                try {
                    HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
                    servedBy = r.body();
                    if (r.statusCode() != 200 || servedBy.isEmpty()) {
                        failure = "status " + r.statusCode() + ", body '" + servedBy + "'";
                    }
                } catch (IOException e) {
                    failure = e.toString();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                outcomes.add(new Outcome(now, System.nanoTime(), servedBy, failure));
                if (failure == null) {
                    successes.increment();
                    if (successes.sum() >= KILL_AFTER_SUCCESSES && killing.compareAndSet(false, true)) {
                        killStart.set(System.nanoTime());
                        victim.close();
                        victimCountAtKill.set(victim.requests.sum());
                        killDone.set(System.nanoTime());
                    }
                }
            }
        };
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            Thread t = new Thread(client, "failover-client-" + i);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join(LOAD_LIMIT.toMillis() + 30_000);
            assertTrue(!t.isAlive(), t.getName() + " still running after the load limit");
        }
        long end = System.nanoTime();

        assertTrue(killDone.get() != 0, "the kill trigger (" + KILL_AFTER_SUCCESSES + " successes) was not reached in "
                + LOAD_LIMIT.toSeconds() + " s: " + successes.sum() + " successes, " + outcomes.size() + " requests");
        long kill = killStart.get();
        long killed = killDone.get();

        Map<String, Long> servedBefore = new TreeMap<>();
        Map<String, Long> servedAfter = new TreeMap<>(); // requests started once the origin was down
        List<String> failures = new ArrayList<>();
        for (Outcome o : outcomes) {
            if (o.failure != null) {
                failures.add(String.format("%s (sent %+d ms, answered %+d ms relative to the kill start)",
                        o.failure, ms(o.startNanos - kill), ms(o.endNanos - kill)));
            } else if (o.startNanos > killed) {
                servedAfter.merge(o.servedBy, 1L, Long::sum);
            } else {
                servedBefore.merge(o.servedBy, 1L, Long::sum);
            }
        }
        Map<String, Long> originCounts = new TreeMap<>();
        Map<String, Long> healthCounts = new TreeMap<>();
        origins.forEach((n, o) -> {
            originCounts.put(n, o.requests.sum());
            healthCounts.put(n, o.healthChecks.sum());
        });
        System.out.printf("failover: %d requests in %d ms (%d failed); kill of '%s' at +%d ms took %d ms;"
                        + " served before/at the kill %s, after %s; origins counted %s (health checks %s);"
                        + " '%s' had %d at the kill%n",
                outcomes.size(), ms(end - loadStart), failures.size(), KILLED, ms(kill - loadStart), ms(killed - kill),
                servedBefore, servedAfter, originCounts, healthCounts, KILLED, victimCountAtKill.get());

        assertTrue(failures.isEmpty(), failures.size() + " of " + outcomes.size() + " client requests failed; first: "
                + failures.subList(0, Math.min(10, failures.size())) + "\nstderr of the binary:\n"
                + tail(read(tmp.resolve("server.err"))));
        assertTrue(servedBefore.getOrDefault(KILLED, 0L) > 0, "'" + KILLED + "' was never in the rotation: " + servedBefore);
        assertEquals(victimCountAtKill.get(), victim.requests.sum(), "'" + KILLED + "' got requests after it was stopped");
        assertEquals(0L, servedAfter.getOrDefault(KILLED, 0L), "responses from the stopped origin: " + servedAfter);
        assertTrue(servedAfter.getOrDefault("a", 0L) > 0 && servedAfter.getOrDefault("c", 0L) > 0,
                "after the kill both remaining origins should serve: " + servedAfter);
        assertEquals(servedAfter.values().stream().mapToLong(Long::longValue).sum(),
                servedAfter.getOrDefault("a", 0L) + servedAfter.getOrDefault("c", 0L), servedAfter.toString());
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /** Starts the binary on a free port; a lost bind race (exit before "serving") is retried, 3 tries. */
    private void launch() throws IOException {
        ServerProcess sp = ServerProcess.launch(tmp, p -> """
                    [basic]
                    threads = 2
                    grace_period = "1s"

                    [upstreams.three]
                    addrs = ["%s", "%s", "%s"]
                    algorithm = "round_robin"
                    max_retries = 2
                    health_check = "http://three/health?check_frequency=1s&failure=1&success=1"

                    [locations.all]
                    path = "/"
                    upstream = "three"

                    [servers.http]
                    addr = "127.0.0.1:%d"
                    locations = ["all"]
                    """.formatted(origins.get("a").addr(), origins.get("b").addr(), origins.get("c").addr(), p));
        server = sp.process();
        port = sp.port();
    }

    private static String read(Path file) {
        return ServerProcess.read(file);
    }

    private static String tail(String s) {
        return s.length() <= 4_000 ? s : "..." + s.substring(s.length() - 4_000);
    }

    /**
     * An origin that answers every request at once, 200 with its name as the body, and counts what it
     * serves: {@code /health} apart from the rest. Lighter than {@link TestOrigin}, which records every
     * request: here there are tens of thousands.
     */
    private static final class NamedOrigin implements AutoCloseable {

        final LongAdder requests = new LongAdder();
        final LongAdder healthChecks = new LongAdder();
        private final byte[] body;
        private final HttpServer server;
        private final ExecutorService pool = Executors.newFixedThreadPool(8);
        private final AtomicBoolean closed = new AtomicBoolean();

        NamedOrigin(String name) throws IOException {
            body = name.getBytes(StandardCharsets.UTF_8);
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
            server.setExecutor(pool);
            server.createContext("/", this::handle);
            server.start();
        }

        String addr() {
            return "127.0.0.1:" + server.getAddress().getPort();
        }

        private void handle(HttpExchange ex) throws IOException {
            try (ex; InputStream in = ex.getRequestBody()) {
                in.readAllBytes();
                (ex.getRequestURI().getRawPath().equals("/health") ? healthChecks : requests).increment();
                ex.getResponseHeaders().add("Content-Type", "text/plain");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
        }

        /**
         * Closes the listener and every connection, then stops the handler threads: once this returns
         * the origin serves nothing more. Idempotent.
         */
        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            server.stop(0);
            pool.shutdownNow();
            try {
                pool.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
