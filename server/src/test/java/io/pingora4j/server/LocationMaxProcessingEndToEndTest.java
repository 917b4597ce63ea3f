package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A location's {@code max_processing} (Pingap: requests a location may process at once; 0 = no
 * limit) through the server: with one request held in flight at the origin, a second one over
 * the limit is refused by the proxy and never reaches the origin.
 */
class LocationMaxProcessingEndToEndTest {

    private TestOrigin origin;
    private RunningProxy proxy;

    @BeforeEach
    void start() throws IOException {
        origin = TestOrigin.start("a");
        proxy = RunningProxy.start(port -> """
                [basic]
                threads = 1

                [upstreams.backend]
                addrs = ["%s"]

                [locations.limited]
                path = "/limited"
                upstream = "backend"
                max_processing = 1

                [servers.http]
                addr = "127.0.0.1:%d"
                locations = ["limited"]
                """.formatted(origin.addr(), port));
    }

    @AfterEach
    void stop() {
        try {
            proxy.close();
        } finally {
            origin.close();
        }
    }

    @Test
    void aRequestOverMaxProcessingIsRefusedWithoutReachingTheOrigin() throws Exception {
        CompletableFuture<WireClient.Response> held = CompletableFuture.supplyAsync(() -> get("/limited/slow"));
        Await.until("the first request being held at the origin", () -> origin.slowArrived() == 1);

        WireClient.Response second = get("/limited/fast");

        origin.release();
        assertEquals(200, held.get(10, TimeUnit.SECONDS).status());
        assertTrue(second.status() == 429 || second.status() == 503,
                "max_processing = 1 was not enforced: the second request got " + second.status());
        assertEquals(1, origin.seen().size(), "the origin saw " + origin.seen().size() + " requests");
    }

    @Test
    void requestsOneAfterAnotherStayUnderMaxProcessing() {
        for (int i = 0; i < 3; i++) {
            assertEquals(200, get("/limited/fast").status(), "request " + i);
        }
    }

    private WireClient.Response get(String path) {
        try {
            return WireClient.exchange(proxy.port(), "GET " + path + " HTTP/1.1", "Host: localhost");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
