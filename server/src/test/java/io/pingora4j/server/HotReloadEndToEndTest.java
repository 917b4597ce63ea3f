package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.config.ConfigProblem;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running proxy given a new configuration (what SIGHUP and {@code --autoreload} trigger): changes
 * apply within a second, requests never fail across them, a broken configuration is refused while
 * the old one keeps serving, and nothing the old configuration held leaks.
 */
class HotReloadEndToEndTest {

    /** "Visible within 1 s": from the file's write (then the reload, as SIGHUP starts it) to the first request that shows it. */
    private static final Duration WITHIN = Duration.ofSeconds(1);
    private long changed;

    @TempDir
    Path tmp;
    private TestOrigin a;
    private TestOrigin b;
    private ReloadingProxy proxy;
    private Path file;
    private final int port = FreePort.pick();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        a = TestOrigin.start("a");
        b = TestOrigin.start("b");
        file = tmp.resolve("pingora4j.toml");
        ReloadingProxy.write(file, config(Change.none()));
        proxy = ReloadingProxy.start(file);
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        a.close();
        b.close();
    }

    /** What a test changes in the base configuration. */
    record Change(String origin, String pluginHeader, String locationHeader, Integer secondPort, String extra) {
        static Change none() {
            return new Change("a", "v1", "v1", null, "");
        }

        Change origin(String o) {
            return new Change(o, pluginHeader, locationHeader, secondPort, extra);
        }

        Change plugin(String v) {
            return new Change(origin, v, locationHeader, secondPort, extra);
        }

        Change location(String v) {
            return new Change(origin, pluginHeader, v, secondPort, extra);
        }

        Change secondServer(int p) {
            return new Change(origin, pluginHeader, locationHeader, p, extra);
        }

        Change extra(String toml) {
            return new Change(origin, pluginHeader, locationHeader, secondPort, toml);
        }
    }

    private String config(Change c) {
        String addr = c.origin().equals("a") ? a.addr() : b.addr();
        String second = c.secondPort() == null ? "" : """
                [servers.second]
                addr = "127.0.0.1:%d"
                locations = ["all"]
                """.formatted(c.secondPort());
        return """
                [basic]
                threads = 2
                grace_period = "5s"

                [upstreams.up]
                addrs = ["%s"]

                [plugins.stamp]
                category = "response_headers"
                add_headers = ["X-Plugin: %s"]

                [locations.all]
                path = "/"
                upstream = "up"
                proxy_set_headers = ["X-Loc: %s"]
                plugins = ["stamp"]

                [servers.main]
                addr = "127.0.0.1:%d"
                locations = ["all"]
                prometheus_metrics = "/metrics"

                %s
                %s
                """.formatted(addr, c.pluginHeader(), c.locationHeader(), port, second, c.extra());
    }

    private HttpResponse<String> get(int p, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private boolean answers(int p, String path, java.util.function.Predicate<HttpResponse<String>> what) {
        try {
            return what.test(get(p, path));
        } catch (Exception e) {
            return false;
        }
    }

    private void applied(Change c) {
        changed = System.nanoTime();
        ReloadingProxy.write(file, config(c));
        ConfigReloader.Outcome o = proxy.reload();
        assertTrue(o.ok(), () -> "refused: " + o.problems());
    }

    /** Waits for a change to show, at most {@link #WITHIN} after its file was written (the reload's time included). */
    private void visible(String what, java.util.function.BooleanSupplier shows) {
        Duration left = WITHIN.minusNanos(System.nanoTime() - changed);
        Await.until(what + " (within 1 s of the write)", left.isNegative() ? Duration.ZERO : left, shows);
        System.out.printf("hot reload: %s after %d ms%n", what, (System.nanoTime() - changed) / 1_000_000);
    }

    /** 20 connections sending GETs back to back until stopped; every answer that is not a 200 is a failure. */
    private final class Load implements AutoCloseable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong ok = new AtomicLong();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final List<Thread> threads = new ArrayList<>();

        Load(int connections) {
            for (int i = 0; i < connections; i++) {
                Thread t = new Thread(() -> {
                    // one client per thread: its own keep-alive connection
                    HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                    while (running.get()) {
                        try {
                            HttpResponse<String> r = own.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + port + "/load")).timeout(Duration.ofSeconds(10))
                                    .build(), HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                                ok.incrementAndGet();
                            } else {
                                failures.add(r.statusCode() + " " + r.body());
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                }, "load-" + i);
                t.start();
                threads.add(t);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(15_000);
            }
        }
    }

    @Test
    void changesUnderLoadApplyWithinASecondAndNoRequestFails() throws Exception {
        int secondPort = FreePort.pick();
        long started = System.nanoTime();
        Load load = new Load(20);
        try (load) {
            Await.until("the load running", () -> load.ok.get() > 100 || !load.failures.isEmpty());

            Change c = Change.none().origin("b");
            applied(c);
            visible("the new upstream answering", () -> answers(port, "/", r -> r.body().equals("b")));

            c = c.plugin("v2");
            applied(c);
            visible("the changed plugin's header",
                    () -> answers(port, "/", r -> r.headers().firstValue("X-Plugin").orElse("").equals("v2")));

            c = c.location("v2");
            applied(c);
            visible("the changed location's header at the origin",
                    () -> answers(port, "/probe-location", r -> "v2".equals(b.last().header("X-Loc"))));

            c = c.secondServer(secondPort);
            applied(c);
            visible("the added server answering", () -> answers(secondPort, "/", r -> r.statusCode() == 200));

            // keep the load on a while after the last change: what was in flight across it must finish
            long after = load.ok.get();
            Await.until("more requests after the changes", () -> load.ok.get() > after + 200 || !load.failures.isEmpty());
            Await.until("5 s of load", Duration.ofSeconds(15), () -> System.nanoTime() - started > 5_000_000_000L);
        }
        System.out.printf("hot reload: %d requests over 20 connections in %d ms across 4 reloads, %d failed%n",
                load.ok.get(), (System.nanoTime() - started) / 1_000_000, load.failures.size());
        assertEquals(List.of(), List.copyOf(load.failures));
        assertTrue(load.ok.get() > 1000, "requests under load: " + load.ok.get());
        assertEquals(4, proxy.reloader.reloadsOk());
    }

    @Test
    void aBrokenConfigurationIsRefusedWithFileKeyReasonAndTheOldOneKeepsServing() throws Exception {
        ReloadingProxy.write(file, config(Change.none()).replace("upstream = \"up\"", "upstream = \"nowhere\""));
        ConfigReloader.Outcome o = proxy.reload();
        assertFalse(o.ok());
        assertEquals(List.of(new ConfigProblem(file.toString(), "locations.all.upstream",
                "unknown upstream 'nowhere' (defined: up)")), o.problems());
        HttpResponse<String> r = get(port, "/");
        assertEquals(200, r.statusCode());
        assertEquals("a", r.body());
        assertEquals("v1", r.headers().firstValue("X-Plugin").orElse(null));
    }

    @Test
    void aPluginTheRuntimeRefusesIsRefusedLikeTheLoader() throws Exception {
        ReloadingProxy.write(file, config(Change.none()).replace("add_headers = [\"X-Plugin: v1\"]",
                "add_headers = [\"no colon here\"]"));
        ConfigReloader.Outcome o = proxy.reload();
        assertFalse(o.ok());
        assertEquals(1, o.problems().size(), () -> o.problems().toString());
        assertTrue(o.problems().get(0).key().startsWith("plugins.stamp"), () -> o.problems().toString());
        assertEquals("v1", get(port, "/").headers().firstValue("X-Plugin").orElse(null));
    }

    @Test
    void reloadsAreCountedInTheMetricsByResult() throws Exception {
        ReloadingProxy.write(file, config(Change.none()).replace("[upstreams.up]", "[upstreams.up]\nnonsense = 1"));
        assertFalse(proxy.reload().ok());
        applied(Change.none().plugin("v2"));
        String metrics = get(port, "/metrics").body();
        assertTrue(metrics.contains("pingora4j_config_reloads_total{result=\"ok\",} 1.0"), metrics);
        assertTrue(metrics.contains("pingora4j_config_reloads_total{result=\"refused\",} 1.0"), metrics);
    }

    @Test
    void countersGoOnAcrossAReloadThatKeepsTheSameNames() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertEquals(200, get(port, "/").statusCode());
        }
        applied(Change.none().plugin("v2")); // same locations, upstreams and plugins: the metrics are kept
        visible("the new plugin table", () -> answers(port, "/", r -> "v2".equals(r.headers().firstValue("X-Plugin").orElse(null))));
        assertEquals(200, get(port, "/").statusCode());

        String metrics = get(port, "/metrics").body();
        // 3 before the reload, at least the one that showed the change and the one after it
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("pingora4j_http_requests_total\\{location=\"all\",\\} ([0-9.]+)").matcher(metrics);
        assertTrue(m.find(), metrics);
        assertTrue(Double.parseDouble(m.group(1)) >= 5, "counted across the reload: " + m.group(1));
        assertTrue(metrics.contains("pingora4j_config_reloads_total{result=\"ok\",} 1.0"), metrics);
    }

    @Test
    void theFileWatchReloadsWithinASecondOfTheWrite() throws Exception {
        proxy.reloader.watch();
        ReloadingProxy.write(file, config(Change.none().origin("b")));
        Await.until("the watched change serving", WITHIN, () -> answers(port, "/", r -> r.body().equals("b")));
    }

    @Test
    void aRemovedServerStopsAccepting() throws Exception {
        int secondPort = FreePort.pick();
        applied(Change.none().secondServer(secondPort));
        assertEquals(200, get(secondPort, "/").statusCode());
        applied(Change.none());
        visible("the removed port refusing connections", () -> {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", secondPort)) {
                return false;
            } catch (java.io.IOException e) {
                return true;
            }
        });
        assertEquals(200, get(port, "/").statusCode());
    }

    @Test
    void anUnchangedUpstreamKeepsItsGroupAndAnUnchangedPluginItsFilter() {
        ServerRuntime before = proxy.reloader.current();
        applied(Change.none().location("v2"));
        ServerRuntime after = proxy.reloader.current();
        assertTrue(before != after);
        assertTrue(before.upstreams.get("up") == after.upstreams.get("up"), "the upstream group was made again");
        assertTrue(before.pluginInstances.get("stamp").filter() == after.pluginInstances.get("stamp").filter(),
                "the plugin was made again");
        applied(Change.none().location("v2").plugin("v2"));
        assertTrue(after.pluginInstances.get("stamp").filter() != proxy.reloader.current().pluginInstances.get("stamp").filter());
    }

    @Test
    void aRequestInFlightFinishesOnTheConfigurationItStartedWith() throws Exception {
        CompletableFuture<HttpResponse<String>> slow = client.sendAsync(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/slow")).build(), HttpResponse.BodyHandlers.ofString());
        Await.until("the slow request at the origin", () -> a.slowArrived() == 1);
        applied(Change.none().origin("b").plugin("v2"));
        visible("the new configuration serving", () -> answers(port, "/", r -> r.body().equals("b")));
        a.release();
        HttpResponse<String> r = slow.get();
        assertEquals(200, r.statusCode());
        assertEquals("v1", r.headers().firstValue("X-Plugin").orElse(null));
        Await.until("the old runtime closed once its request finished", () -> proxy.reloader.runtimesRetired() == 1);
    }

    @Test
    void aReloadWhileThePoolIsBusyLeaksNoUpstreamConnection() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            held.add(own.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow/" + i)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        Await.until("5 requests held at the origin", () -> a.slowArrived() == 5);
        assertEquals(5, connections(a).open());
        applied(Change.none().origin("b"));
        for (int i = 0; i < 20; i++) {
            assertEquals("b", get(port, "/").body());
        }
        a.release();
        for (var f : held) {
            assertEquals(200, f.get().statusCode());
        }
        Await.until("the old upstream's connections all idle in the pool, none in use", () -> {
            var c = connections(a);
            return c.open() == c.idle();
        });
        assertTrue(connections(a).open() <= 5, () -> "connections to the old upstream: " + connections(a));
        assertTrue(connections(b).open() <= 1, () -> "connections to the new upstream: " + connections(b));
        Await.until("the old runtime closed", () -> proxy.reloader.runtimesRetired() == 1);
    }

    private io.pingora4j.engine.Server.UpstreamConnections connections(TestOrigin o) {
        var all = proxy.server.upstreamConnections(Duration.ofSeconds(5));
        long open = 0;
        long idle = 0;
        for (var e : all.entrySet()) {
            if (e.getKey().contains(":" + o.port())) {
                open += e.getValue().open();
                idle += e.getValue().idle();
            }
        }
        return new io.pingora4j.engine.Server.UpstreamConnections(open, idle);
    }
}
