package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.config.SeedExamples;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every TOML example of the seed document, run by the real server on real sockets, with two
 * in-process origins ({@code a} and {@code b}) that say who answered. Addresses in the examples
 * are replaced by the origins' and a free loopback port; nothing else of an example is changed,
 * only tables are added where the example is a fragment (a server, the "backend" upstream, a
 * marker header per location so the test can see which location answered).
 */
class SeedExamplesEndToEndTest {

    private TestOrigin a;
    private TestOrigin b;
    private RunningProxy proxy;

    @BeforeEach
    void origins() throws IOException {
        a = TestOrigin.start("a");
        b = TestOrigin.start("b");
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        a.close();
        b.close();
    }

    // ------------------------------------------------------------------ basic

    private void startBasic() {
        proxy = RunningProxy.start(port -> SeedExamples.BASIC
                .replace("127.0.0.1:8001", a.addr())
                .replace("127.0.0.1:8002", b.addr())
                .replace("0.0.0.0:80", "127.0.0.1:" + port));
    }

    @Test
    void basicExampleStripsTheApiPrefixBeforeTheOrigin() throws IOException {
        startBasic();

        WireClient.Response r = get("/api/users?page=2");

        assertEquals(200, r.status());
        List<TestOrigin.Seen> seen = new ArrayList<>(a.seen());
        seen.addAll(b.seen());
        assertEquals(1, seen.size());
        assertEquals("/users?page=2", seen.get(0).uri());
    }

    @Test
    void basicExampleAlternatesItsTwoBackends() throws IOException {
        startBasic();

        List<String> who = origins("/api/x", 6);

        assertAlternates(who);
    }

    @Test
    void basicExampleAnswers404OutsideItsApiLocation() throws IOException {
        startBasic();

        assertEquals(404, get("/other").status());
        assertTrue(a.seen().isEmpty() && b.seen().isEmpty());
    }

    // ------------------------------------------------------------------ load balancing

    private void startLoadBalancing() {
        proxy = RunningProxy.start(port -> SeedExamples.LOAD_BALANCING
                .replace("server1:8080", a.addr())
                .replace("server2:8080", b.addr())
                + location("rr", "/rr") + location("wrr", "/wrr") + location("lc", "/lc") + location("iphash", "/iphash")
                + "\n[servers.http]\naddr = \"127.0.0.1:" + port + "\"\nlocations = [\"rr\", \"wrr\", \"lc\", \"iphash\"]\n");
    }

    private static String location(String upstream, String path) {
        return "\n[locations." + upstream + "]\nupstream = \"" + upstream + "\"\npath = \"" + path
                + "\"\npath_type = \"prefix\"\n";
    }

    @Test
    void roundRobinAlternatesBetweenTheTwoBackends() throws IOException {
        startLoadBalancing();

        List<String> who = origins("/rr/x", 10);

        assertAlternates(who);
        assertEquals(5, count(who, "a"));
    }

    @Test
    void weightedRoundRobinWithWeights3And1SendsExactly30Of40ToTheFirst() throws IOException {
        startLoadBalancing();

        List<String> who = origins("/wrr/x", 40);

        assertEquals(30, count(who, "a"), who.toString());
        assertEquals(10, count(who, "b"), who.toString());
    }

    @Test
    void weightedRoundRobinInterleavesRatherThanBursting() throws IOException {
        startLoadBalancing();

        List<String> who = origins("/wrr/x", 8);

        // smooth WRR (nginx): in every 4 picks the light backend appears once, never 3 heavy ones first then 1
        for (int i = 0; i + 4 <= who.size(); i += 4) {
            assertEquals(1, count(who.subList(i, i + 4), "b"), who.toString());
        }
    }

    @Test
    void leastConnAvoidsTheBackendHoldingARequestInFlight() throws Exception {
        startLoadBalancing();
        CompletableFuture<WireClient.Response> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return get("/lc/slow");
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Await.until("the slow request reaching an origin", () -> a.slowArrived() + b.slowArrived() == 1);
        String busy = a.slowArrived() == 1 ? "a" : "b";

        List<String> who = origins("/lc/fast", 6);

        a.release();
        b.release();
        assertEquals(200, slow.get(10, TimeUnit.SECONDS).status());
        assertEquals(0, count(who, busy), "busy backend " + busy + " got " + who);
    }

    @Test
    void ipHashSendsEveryRequestOfOneClientToOneBackend() throws IOException {
        startLoadBalancing();

        List<String> who = origins("/iphash/x", 12);

        assertTrue(count(who, "a") == 12 || count(who, "b") == 12, who.toString());
    }

    // ------------------------------------------------------------------ routing rules

    private void startRouting() {
        StringBuilder toml = new StringBuilder(SeedExamples.ROUTING_RULES)
                .append(SeedExamples.BACKEND_UPSTREAM.replace("127.0.0.1:9000", a.addr()));
        for (String l : List.of("exact", "prefix", "regex", "host_routing")) {
            toml.append("\n[locations.").append(l).append(".headers_set]\nX-Location = \"").append(l).append("\"\n");
        }
        proxy = RunningProxy.start(port -> toml + "\n[servers.http]\naddr = \"127.0.0.1:" + port
                + "\"\nlocations = [\"exact\", \"prefix\", \"regex\", \"host_routing\"]\n");
    }

    private String locationFor(String host, String path) throws IOException {
        WireClient.Response r = WireClient.exchange(proxy.port(), "GET " + path + " HTTP/1.1", "Host: " + host);
        return r.status() == 200 ? r.header("X-Location") : Integer.toString(r.status());
    }

    @Test
    void anExactPathGoesToTheExactLocationAheadOfTheLowerPriorityRegex() throws IOException {
        startRouting();

        assertEquals("exact", locationFor("www.test", "/api/v1/users"));
    }

    @Test
    void aLongerPathUnderTheExactOneGoesToTheRegexLocation() throws IOException {
        startRouting();

        assertAll(
                () -> assertEquals("regex", locationFor("www.test", "/api/v1/users/7")),
                () -> assertEquals("regex", locationFor("www.test", "/api/v22/orders")));
    }

    @Test
    void aPathUnderStaticGoesToThePrefixLocation() throws IOException {
        startRouting();

        assertAll(
                () -> assertEquals("prefix", locationFor("www.test", "/static")),
                () -> assertEquals("prefix", locationFor("www.test", "/static/app.js")));
    }

    @Test
    void theApiHostGoesToTheHostLocationForAnyOtherPath() throws IOException {
        startRouting();

        assertAll(
                () -> assertEquals("host_routing", locationFor("api.example.com", "/anything")),
                () -> assertEquals("host_routing", locationFor("API.example.com:8080", "/")));
    }

    @Test
    void theHostLocationsComputedWeight128OutranksPriority100() throws IOException {
        startRouting();

        // Pingap's weight for host + "/" is 128 (no explicit priority), above exact's priority = 100
        assertEquals("host_routing", locationFor("api.example.com", "/api/v1/users"));
    }

    @Test
    void aRequestNoRoutingRuleMatchesIs404() throws IOException {
        startRouting();

        assertEquals("404", locationFor("www.test", "/nothing/here"));
        assertTrue(a.seen().isEmpty());
    }

    // ------------------------------------------------------------------ header manipulation

    private void startHeaders() {
        proxy = RunningProxy.start(port -> SeedExamples.HEADER_MANIPULATION
                + SeedExamples.BACKEND_UPSTREAM.replace("127.0.0.1:9000", a.addr())
                + "\n[servers.http]\naddr = \"127.0.0.1:" + port + "\"\nlocations = [\"api\"]\n");
    }

    @Test
    void headersAddAndSetReachTheClient() throws IOException {
        startHeaders();

        WireClient.Response r = get("/api/x");

        assertEquals(200, r.status());
        assertAll(
                () -> assertEquals("https", r.header("X-Forwarded-Proto")),
                () -> assertEquals("value", r.header("X-Custom-Header")),
                () -> assertEquals("DENY", r.header("X-Frame-Options")),
                () -> assertEquals("nosniff", r.header("X-Content-Type-Options")),
                () -> assertEquals("a", r.header("X-Origin")));
    }

    @Test
    void headersRemoveDropsTheOriginsServerAndPoweredBy() throws IOException {
        startHeaders();

        WireClient.Response r = get("/api/x");

        assertEquals(200, r.status());
        assertNull(r.header("X-Powered-By"));
        assertNotEquals("test-origin", r.header("Server"));
    }

    @Test
    void proxySetHeadersReachTheOriginWithTheClientAddress() throws IOException {
        startHeaders();

        assertEquals(200, get("/api/x").status());

        TestOrigin.Seen seen = a.last();
        assertEquals("internal.backend.local", seen.header("Host"));
        assertEquals("127.0.0.1", seen.header("X-Real-IP"));
    }

    // ------------------------------------------------------------------ helpers

    private WireClient.Response get(String path) throws IOException {
        return WireClient.exchange(proxy.port(), "GET " + path + " HTTP/1.1", "Host: localhost");
    }

    /** Who answered each of {@code n} sequential GETs, each on a new connection. */
    private List<String> origins(String path, int n) throws IOException {
        List<String> who = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            WireClient.Response r = get(path);
            assertEquals(200, r.status(), "request " + i + " to " + path);
            who.add(r.body());
        }
        return who;
    }

    private static int count(List<String> who, String name) {
        return (int) who.stream().filter(name::equals).count();
    }

    private static void assertAlternates(List<String> who) {
        for (int i = 1; i < who.size(); i++) {
            assertNotEquals(who.get(i - 1), who.get(i), "not alternating: " + who);
        }
    }
}
