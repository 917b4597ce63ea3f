package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.config.ConfigException;
import io.pingora4j.server.store.ConfigSync;
import io.pingora4j.server.store.EtcdConfigSource;
import io.pingora4j.server.store.EtcdUrl;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd as the configuration store, against a real etcd (Debian's {@code etcd-server}; the test fails
 * when it is missing) on free loopback ports in a temporary data folder.
 */
@Tag("interop")
class EtcdConfigStoreInteropTest {

    @TempDir
    Path dir;
    private EtcdServer etcd;
    private Process proxy;
    private AutoCloseable watch;

    @BeforeEach
    void startEtcd() throws IOException {
        etcd = EtcdServer.start(dir);
    }

    @AfterEach
    void stop() throws Exception {
        if (watch != null) {
            watch.close();
        }
        if (proxy != null) {
            proxy.destroyForcibly();
            proxy.waitFor(10, TimeUnit.SECONDS);
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    private String url() {
        return etcd.url();
    }

    private static String config(int port, String pong) {
        return """
                [basic]
                threads = 1
                grace_period = "1s"

                [plugins.pong]
                category = "mock"
                status = 200
                data = "%s"

                [locations.all]
                path = "/"
                plugins = ["pong"]

                [servers.http]
                addr = "127.0.0.1:%d"
                locations = ["all"]
                """.formatted(pong, port);
    }

    private int sync(String toml) throws IOException {
        Path file = Files.writeString(dir.resolve("app.toml"), toml);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"-c", file.toString(), "--sync", url()}, new PrintStream(out),
                new PrintStream(err));
        assertEquals(0, code, "--sync: " + out + err);
        return code;
    }

    @Test
    void syncThenStartFromEtcdServesTheConfiguration() throws Exception {
        int port = FreePort.pick();
        sync(config(port, "from etcd"));

        startProxyFromEtcd();

        WireClient.Response r = WireClient.exchange(port, "GET / HTTP/1.1", "Host: localhost");
        assertEquals(200, r.status());
        assertEquals("from etcd", r.body());
    }

    @Test
    void aChangedKeyFiresTheWatchWithinOneSecond() throws Exception {
        int port = FreePort.pick();
        sync(config(port, "one"));
        EtcdConfigSource source = new EtcdConfigSource(EtcdUrl.parse(url()));
        source.load(); // as the server does: the watch follows what came after this read
        AtomicInteger changes = new AtomicInteger();
        watch = source.watch(changes::incrementAndGet);

        ConfigSync.copy(config(port, "two"), EtcdUrl.parse(url()));

        Await.until("the watch reporting the change", Duration.ofSeconds(1), () -> changes.get() > 0);
        assertEquals("two", mockData(source));
    }

    @Test
    void etcdStoppedAndRestartedTheWatchResumesAndReportsChangesMadeMeanwhile() throws Exception {
        int port = FreePort.pick();
        sync(config(port, "before"));
        EtcdConfigSource source = new EtcdConfigSource(EtcdUrl.parse(url()));
        source.load(); // as the server does: the watch follows what came after this read
        AtomicInteger changes = new AtomicInteger();
        watch = source.watch(changes::incrementAndGet);

        etcd.stop();
        Await.until("the watch noticing etcd gone", Duration.ofSeconds(20), () -> !source.up());
        assertTrue(source.failures() > 0);
        int before = changes.get();

        etcd.startAgain();
        ConfigSync.copy(config(port, "after"), EtcdUrl.parse(url()));

        Await.until("the watch reporting the change made while it was away", Duration.ofSeconds(20),
                () -> changes.get() > before);
        Await.until("the watch connected again", Duration.ofSeconds(20), source::up);
        assertEquals("after", mockData(source));
    }

    @Test
    void theProxyKeepsServingWhileEtcdIsDown() throws Exception {
        int port = FreePort.pick();
        sync(config(port, "still here"));
        startProxyFromEtcd();

        etcd.stop();

        WireClient.Response r = WireClient.exchange(port, "GET / HTTP/1.1", "Host: localhost");
        assertEquals(200, r.status());
        assertEquals("still here", r.body());
    }

    @Test
    void aWatchStartedWhileEtcdIsDownReportsWhatItHoldsOnceItAnswers() throws Exception {
        int port = FreePort.pick();
        sync(config(port, "first"));
        EtcdConfigSource source = new EtcdConfigSource(EtcdUrl.parse(url()));
        source.load();
        etcd.stop();
        AtomicInteger changes = new AtomicInteger();
        watch = source.watch(changes::incrementAndGet);

        etcd.startAgain();
        ConfigSync.copy(config(port, "second"), EtcdUrl.parse(url()));

        Await.until("the watch reporting the change", Duration.ofSeconds(20), () -> changes.get() > 0);
        assertEquals("second", mockData(source));
    }

    private Path startProxyFromEtcd(String... flags) throws Exception {
        Path out = dir.resolve("proxy.out");
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "-c", url()));
        cmd.addAll(java.util.List.of(flags));
        proxy = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        Await.until("the binary serving from etcd", Duration.ofSeconds(30),
                () -> ServerProcess.read(out).contains("serving") || !proxy.isAlive());
        assertTrue(proxy.isAlive(), ServerProcess.read(out));
        return out;
    }

    private static String body(int port) {
        try {
            return WireClient.exchange(port, "GET / HTTP/1.1", "Host: localhost").body();
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    @Test
    void withAutoreloadAChangedKeyIsServedWithinOneSecondBySameProcess() throws Exception {
        int port = FreePort.pick();
        sync(config(port, "one"));
        Path out = startProxyFromEtcd("--autoreload");
        long pid = proxy.pid();
        assertEquals("one", body(port));

        ConfigSync.copy(config(port, "two"), EtcdUrl.parse(url()));

        Await.until("the proxy serving the changed key", Duration.ofSeconds(1), () -> "two".equals(body(port)));
        assertTrue(proxy.isAlive(), ServerProcess.read(out));
        assertEquals(pid, proxy.pid());
    }

    @Test
    void withAutoreloadTheProxyServesThroughAnEtcdRestartAndAppliesAChangeMadeBeforeItsWatchReconnects() throws Exception {
        int port = FreePort.pick();
        sync(config(port, "before"));
        Path out = startProxyFromEtcd("--autoreload");

        etcd.stop();
        assertEquals("before", body(port), "serving the last good configuration while etcd is down");
        etcd.startAgain();
        ConfigSync.copy(config(port, "after"), EtcdUrl.parse(url()));

        try {
            Await.until("the proxy serving the change made after etcd came back", Duration.ofSeconds(20),
                    () -> "after".equals(body(port)));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; serving '" + body(port) + "'; the proxy said:\n"
                    + ServerProcess.read(out), e);
        }
        assertTrue(proxy.isAlive(), ServerProcess.read(out));
    }

    @Test
    void withUserAndPasswordItSyncsAndLoadsFromAnEtcdWithAuthenticationOn() throws Exception {
        gateway("/v3/auth/user/add", "{\"name\":\"root\",\"password\":\"pw\"}");
        gateway("/v3/auth/user/grant", "{\"user\":\"root\",\"role\":\"root\"}");
        gateway("/v3/auth/enable", "{}");
        String withAuth = "etcd://root:pw@127.0.0.1:" + etcd.clientPort + "/pingora4j";
        ConfigSync.copy(config(FreePort.pick(), "authenticated"), EtcdUrl.parse(withAuth));

        EtcdConfigSource source = new EtcdConfigSource(EtcdUrl.parse(withAuth));

        assertEquals("authenticated", mockData(source));
    }

    private void gateway(String path, String json) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(etcd.gateway() + path)).timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
    }

    private static String mockData(EtcdConfigSource source) throws ConfigException {
        return String.valueOf(source.load().plugins().get("pong").values().get("data"));
    }
}
