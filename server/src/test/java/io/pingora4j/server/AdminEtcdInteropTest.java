package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.admin.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API writing to etcd when etcd is the configuration store: a real etcd (Debian's
 * {@code etcd-server}) on free loopback ports, the proxy as a child process started with
 * {@code -c etcd://... --autoreload --admin=127.0.0.1:PORT/admin}.
 */
@Tag("interop")
class AdminEtcdInteropTest {

    @TempDir
    Path dir;
    private EtcdServer etcd;
    private Process proxy;
    private int port;
    private int adminPort;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        etcd = EtcdServer.start(dir);

        port = FreePort.pick();
        adminPort = FreePort.pick();
        Path file = Files.writeString(dir.resolve("app.toml"), config(port));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"-c", file.toString(), "--sync", url()}, new PrintStream(out), new PrintStream(out));
        assertEquals(0, code, "--sync: " + out);

        Path log = dir.resolve("proxy.out");
        proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "-c", url(), "--autoreload", "--admin=127.0.0.1:" + adminPort + "/admin")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Await.until("the proxy serving from etcd with its admin", Duration.ofSeconds(30),
                () -> ServerProcess.read(log).contains("admin at") || !proxy.isAlive());
        assertTrue(proxy.isAlive(), ServerProcess.read(log));
    }

    @AfterEach
    void stop() throws Exception {
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

    private static String config(int port) {
        return """
                [basic]
                threads = 1
                grace_period = "1s"

                [plugins.pong]
                category = "mock"
                status = 200
                data = "from etcd"

                [locations.all]
                path = "/"
                plugins = ["pong"]

                [servers.http]
                addr = "127.0.0.1:%d"
                locations = ["all"]
                """.formatted(port);
    }

    @Test
    void getReadsTheItemFromEtcd() throws Exception {
        HttpResponse<String> r = admin("GET", "plugins/pong", null);

        assertEquals(200, r.statusCode(), r.body());
        assertEquals(Map.of("category", "mock", "status", 200L, "data", "from etcd"), Json.parse(r.body()));
    }

    @Test
    void aChangedPluginIsWrittenToItsKeyAsSyncWritesItAndServed() throws Exception {
        HttpResponse<String> r = admin("PUT", "plugins/pong", "{\"category\":\"mock\",\"status\":200,\"data\":\"changed\"}");

        assertEquals(200, r.statusCode(), r.body());
        assertEquals("[plugins.pong]\ncategory = \"mock\"\nstatus = 200\ndata = \"changed\"\n", key("plugins/pong.toml"));
        Await.until("the proxy serving the changed plugin", () -> body().equals("changed"));
    }

    @Test
    void aChangedLocationIsWrittenToItsKeyAndServed() throws Exception {
        HttpResponse<String> r = admin("PUT", "locations/all", "{\"path\":\"/only\",\"plugins\":[\"pong\"]}");

        assertEquals(200, r.statusCode(), r.body());
        assertEquals("[locations.all]\npath = \"/only\"\nplugins = [\"pong\"]\n", key("locations/all.toml"));
        Await.until("the proxy serving the changed location", () -> status("/") == 404);
        assertEquals("from etcd", WireClient.exchange(port, "GET /only HTTP/1.1", "Host: localhost").body());
    }

    @Test
    void aNewPluginGoesToTheKeySyncWouldGiveIt() throws Exception {
        HttpResponse<String> r = admin("PUT", "plugins/extra", "{\"category\":\"mock\",\"status\":201,\"data\":\"new\"}");

        assertEquals(200, r.statusCode(), r.body());
        assertEquals("[plugins.extra]\ncategory = \"mock\"\nstatus = 201\ndata = \"new\"\n", key("plugins/extra.toml"));
    }

    @Test
    void aWriteThatDoesNotValidateIs400WithTheProblemAndEtcdIsUnchanged() throws Exception {
        String before = key("locations/all.toml");

        HttpResponse<String> r = admin("PUT", "locations/all", "{\"path\":\"/\",\"plugins\":[\"missing\"]}");

        assertEquals(400, r.statusCode(), r.body());
        Map<?, ?> problem = (Map<?, ?>) ((List<?>) ((Map<?, ?>) Json.parse(r.body())).get("problems")).get(0);
        assertEquals("etcd://127.0.0.1:" + etcd.clientPort + "/pingora4j/locations/all.toml", problem.get("file"), r.body());
        assertEquals("locations.all.plugins[0]", problem.get("key"), r.body());
        assertTrue(String.valueOf(problem.get("reason")).startsWith("unknown plugin 'missing'"), r.body());
        assertEquals(before, key("locations/all.toml"));
    }

    @Test
    void deletingAnItemReferencedElsewhereIs400AndTheKeyStays() throws Exception {
        String before = key("plugins/pong.toml");

        HttpResponse<String> r = admin("DELETE", "plugins/pong", null);

        assertEquals(400, r.statusCode(), r.body());
        Map<?, ?> problem = (Map<?, ?>) ((List<?>) ((Map<?, ?>) Json.parse(r.body())).get("problems")).get(0);
        assertEquals("etcd://127.0.0.1:" + etcd.clientPort + "/pingora4j/locations/all.toml", problem.get("file"), r.body());
        assertEquals("locations.all.plugins[0]", problem.get("key"), r.body());
        assertTrue(String.valueOf(problem.get("reason")).startsWith("unknown plugin 'pong'"), r.body());
        assertEquals(before, key("plugins/pong.toml"));
    }

    @Test
    void etcdDownIs503AndTheProxyKeepsServing() throws Exception {
        etcd.stop();

        HttpResponse<String> r = admin("PUT", "plugins/pong", "{\"category\":\"mock\",\"status\":200,\"data\":\"changed\"}");

        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.body().contains("cannot reach the configuration store"), r.body());
        assertEquals("from etcd", body());
    }

    private int status(String path) {
        try {
            return WireClient.exchange(port, "GET " + path + " HTTP/1.1", "Host: localhost").status();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String body() {
        try {
            return WireClient.exchange(port, "GET / HTTP/1.1", "Host: localhost").body();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private HttpResponse<String> admin(String method, String item, String json) throws Exception {
        HttpRequest.BodyPublisher body = json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json);
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/admin/api/config/" + item))
                .timeout(Duration.ofSeconds(30)).method(method, body).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A key's value under the prefix, read through etcd's JSON gateway. */
    private String key(String key) throws Exception {
        String b64 = Base64.getEncoder().encodeToString(("/pingora4j/" + key).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(etcd.gateway() + "/v3/kv/range"))
                .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + b64 + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        List<?> kvs = (List<?>) ((Map<?, ?>) Json.parse(r.body())).get("kvs");
        assertEquals(1, kvs.size(), r.body());
        return new String(Base64.getDecoder().decode((String) ((Map<?, ?>) kvs.get(0)).get("value")), StandardCharsets.UTF_8);
    }
}
