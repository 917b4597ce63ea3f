package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.admin.Json;
import io.pingora4j.server.config.ConfigException;
import io.pingora4j.server.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin plugin's REST API through the proxy, on a configuration directory. */
class AdminApiEndToEndTest {

    static final String USER = "admin:s3cret";
    static final String AUTH = "Basic " + Base64.getEncoder().encodeToString(USER.getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;
    private TestOrigin a;
    private TestOrigin b;
    private ReloadingProxy proxy;
    private final int port = FreePort.pick();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static String baseConfig(int port, TestOrigin origin) {
        return """
                [upstreams.up]
                addrs = ["%s"]

                [plugins.admin]
                category = "admin"
                path = "/admin"
                authorizations = ["%s"]
                ip_fail_limit = 3

                [locations.admin]
                path = "/admin"
                plugins = ["admin"]

                [locations.all]
                path = "/"
                upstream = "up"

                [servers.main]
                addr = "127.0.0.1:%d"
                locations = ["admin", "all"]
                """.formatted(origin.addr(), Base64.getEncoder().encodeToString(USER.getBytes(StandardCharsets.UTF_8)), port);
    }

    @BeforeEach
    void start() throws Exception {
        a = TestOrigin.start("a");
        b = TestOrigin.start("b");
        ReloadingProxy.write(dir.resolve("base.toml"), baseConfig(port, a));
        proxy = ReloadingProxy.start(dir);
    }

    @AfterEach
    void stop() {
        proxy.close();
        a.close();
        b.close();
    }

    private HttpResponse<String> call(String method, String path, String body, String auth) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            r.header("Authorization", auth);
        }
        return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> admin(String method, String path, String body) throws Exception {
        return call(method, "/admin/api/" + path, body, AUTH);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(HttpResponse<String> r) {
        return (Map<String, Object>) Json.parse(r.body());
    }

    @Test
    void withoutCredentialsTheApiAnswers401WithAChallenge() throws Exception {
        HttpResponse<String> r = call("GET", "/admin/api/config", null, null);
        assertEquals(401, r.statusCode());
        assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic "), r.headers().toString());
    }

    @Test
    void anAddressIsBlockedAfterIpFailLimitWrongPasswordsEvenWithTheRightOneAfter() throws Exception {
        String wrong = "Basic " + Base64.getEncoder().encodeToString("admin:nope".getBytes(StandardCharsets.UTF_8));
        assertEquals(401, call("GET", "/admin/api/config", null, wrong).statusCode());
        assertEquals(401, call("GET", "/admin/api/config", null, wrong).statusCode());
        assertEquals(403, call("GET", "/admin/api/config", null, wrong).statusCode());
        assertEquals(403, call("GET", "/admin/api/config", null, AUTH).statusCode());
        assertEquals("a", call("GET", "/", null, null).body(), "the proxy itself is not blocked");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theWholeConfigurationAndOneItemAreReadable() throws Exception {
        Map<String, Object> all = json(admin("GET", "config", null));
        assertEquals(List.of(a.addr()), ((Map<String, Object>) ((Map<String, Object>) all.get("upstreams")).get("up")).get("addrs"));
        assertEquals(Map.of("addrs", List.of(a.addr())), json(admin("GET", "config/upstreams/up", null)));
        assertEquals(404, admin("GET", "config/upstreams/none", null).statusCode());
    }

    @Test
    @SuppressWarnings("unchecked")
    void crudRoundTripAppliesEachWriteAndRefusesAnInvalidOneWithFileKeyReason() throws Exception {
        HttpResponse<String> put = admin("PUT", "config/upstreams/other", "{\"addrs\":[\"" + b.addr() + "\"]}");
        assertEquals(200, put.statusCode(), put.body());
        assertTrue(Files.readString(dir.resolve("upstreams.toml")).contains("[upstreams.other]"));
        put = admin("PUT", "config/locations/to-b", "{\"path\":\"/to-b\",\"upstream\":\"other\"}");
        assertEquals(200, put.statusCode(), put.body());
        put = admin("PUT", "config/servers/main", Json.write(Map.of("addr", "127.0.0.1:" + port,
                "locations", List.of("admin", "to-b", "all"))));
        assertEquals(200, put.statusCode(), put.body());
        assertEquals("b", call("GET", "/to-b", null, null).body(), "the written location serves at once");

        String before = Files.readString(dir.resolve("locations.toml"));
        HttpResponse<String> bad = admin("PUT", "config/locations/broken", "{\"path\":\"/x\",\"upstream\":\"nowhere\"}");
        assertEquals(400, bad.statusCode(), bad.body());
        List<Object> problems = (List<Object>) json(bad).get("problems");
        assertEquals(List.of(Map.of("file", dir.resolve("locations.toml").toString(), "key", "locations.broken.upstream",
                "reason", "unknown upstream 'nowhere' (defined: up, other)")), problems);
        assertEquals(before, Files.readString(dir.resolve("locations.toml")), "a refused write leaves the file alone");

        put = admin("PUT", "config/servers/main", Json.write(Map.of("addr", "127.0.0.1:" + port,
                "locations", List.of("admin", "all"))));
        assertEquals(200, put.statusCode(), put.body());
        assertEquals(200, admin("DELETE", "config/locations/to-b", null).statusCode());
        assertEquals(200, admin("DELETE", "config/upstreams/other", null).statusCode());
        assertEquals(404, admin("GET", "config/upstreams/other", null).statusCode());
        assertFalse(Files.exists(dir.resolve("upstreams.toml")), "an emptied item file is removed");
        assertEquals("a", call("GET", "/to-b", null, null).body(), "the deleted location no longer routes");
    }

    @Test
    void concurrentWritesAreSerialisedOrRefusedWith409AndNeverCorruptTheFiles() throws Exception {
        int n = 8;
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = "u" + i;
            answers.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                    return admin("PUT", "config/upstreams/" + name, "{\"addrs\":[\"" + b.addr() + "\"]}");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, java.util.concurrent.Executors.newSingleThreadExecutor()));
        }
        go.countDown();
        List<String> written = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = answers.get(i).get();
            assertTrue(r.statusCode() == 200 || r.statusCode() == 409, r.statusCode() + " " + r.body());
            if (r.statusCode() == 200) {
                written.add("u" + i);
            }
        }
        assertFalse(written.isEmpty());
        var loaded = ConfigLoader.load(dir);
        for (String w : written) {
            assertTrue(loaded.upstreams().containsKey(w), w + " answered 200 but is not in the files");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void healthListsEachUpstreamsBackendsWithTheirHealth() throws Exception {
        Map<String, Object> h = json(admin("GET", "health", null));
        List<Object> backends = (List<Object>) h.get("up");
        assertEquals(1, backends.size());
        Map<String, Object> one = (Map<String, Object>) backends.get(0);
        assertEquals(a.addr(), one.get("address"));
        assertEquals(true, one.get("healthy"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void reloadsShowTheLastRefusalAndStatsCountRequests() throws Exception {
        ReloadingProxy.write(dir.resolve("zz.toml"), "[upstreams.up]\naddrs = [\"" + b.addr() + "\"]\n");
        assertFalse(proxy.reload().ok());
        Map<String, Object> r = json(admin("GET", "reloads", null));
        assertEquals(1L, r.get("refused_total"));
        Map<String, Object> last = (Map<String, Object>) r.get("last");
        assertEquals(false, last.get("ok"));
        assertTrue(last.get("problems").toString().contains("upstreams.up"), last.toString());
        call("GET", "/", null, null);
        Map<String, Object> stats = json(admin("GET", "stats", null));
        assertTrue(((Number) stats.get("requests")).longValue() >= 1, stats.toString());
        assertTrue(stats.containsKey("requests_per_second"), stats.toString());
    }

    @Test
    void theLoaderRefusesAnAdminWithoutAuthorizationsOnANonLoopbackAddress() {
        String open = baseConfig(port, a).replaceAll("authorizations = \\[.*\\]", "")
                .replace("addr = \"127.0.0.1:" + port + "\"", "addr = \"0.0.0.0:" + port + "\"");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(open, "t.toml"));
        assertEquals("plugins.admin.authorizations", e.problems().get(0).key(), e.getMessage());
    }

    @Test
    void anAdminWithoutAuthorizationsOnLoopbackIsOpen() throws Exception {
        ReloadingProxy.write(dir.resolve("base.toml"), baseConfig(port, a).replaceAll("authorizations = \\[.*\\]", ""));
        assertTrue(proxy.reload().ok());
        Await.until("the open admin answering", () -> {
            try {
                return call("GET", "/admin/api/config/upstreams/up", null, null).statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void aReloadThatChangesTheAdminTableClosesTheOldInstanceThroughItsFactory() throws Exception {
        var old = (io.pingora4j.server.admin.AdminFilterFactory.AdminFilter)
                proxy.reloader.current().pluginInstances.get("admin").filter();
        java.net.InetSocketAddress api = old.apiAddress();
        assertTrue(api != null, "the admin's API server runs");
        ReloadingProxy.write(dir.resolve("base.toml"), baseConfig(port, a).replace("ip_fail_limit = 3", "ip_fail_limit = 4"));
        assertTrue(proxy.reload().ok());
        Await.until("the replaced admin closed once its requests were done", () -> old.apiAddress() == null);
        assertThrows(java.net.ConnectException.class, () -> new java.net.Socket(api.getAddress(), api.getPort()).close());
        assertEquals(200, admin("GET", "config", null).statusCode(), "the new instance serves");
    }

    @Test
    void theAdminFlagParsesCredentialsAddressAndPrefixAndRefusesAnOpenNonLoopbackAdmin() {
        Main.AdminFlag f = Main.AdminFlag.parse("me:pw@127.0.0.1:9000/ops/");
        assertEquals(9000, f.address().getPort());
        assertEquals("/ops", f.prefix());
        assertEquals(List.of(Base64.getEncoder().encodeToString("me:pw".getBytes(StandardCharsets.UTF_8))), f.authorizations());
        assertEquals(List.of(), Main.AdminFlag.parse("127.0.0.1:9000").authorizations());
        assertThrows(IllegalArgumentException.class, () -> Main.AdminFlag.parse("0.0.0.0:9000"));
    }
}
