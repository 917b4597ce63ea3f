package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.pingora4j.engine.Server;
import io.pingora4j.server.config.ConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DNS discovery through the real server with a fake resolver: "origin.test" first answers
 * 127.0.0.1, then 127.0.0.2, where a second origin listens on the same port. A request in flight
 * when the answer changes finishes on the backend it started with; new requests go to the new one.
 */
class DnsDiscoveryEndToEndTest {

    private final AtomicReference<String> answer = new AtomicReference<>("127.0.0.1");
    private SwitchableOrigin first;
    private SwitchableOrigin second;
    private ServerRuntime runtime;
    private Server server;

    @BeforeEach
    void origins() throws IOException {
        first = SwitchableOrigin.start("first");
        second = SwitchableOrigin.start("second", "127.0.0.2", first.port());
    }

    /** The server with "origin.test" re-resolved every {@code updateFrequency}. */
    private void start(String updateFrequency) throws Exception {
        for (int attempt = 0; server == null; attempt++) {
            String toml = """
                    [basic]
                    threads = 1

                    [upstreams.u]
                    addrs = ["origin.test:%d"]
                    update_frequency = "%s"

                    [locations.all]
                    path = "/"
                    upstream = "u"

                    [servers.http]
                    addr = "127.0.0.1:%d"
                    locations = ["all"]
                    """.formatted(first.port(), updateFrequency, FreePort.pick());
            List<String> problems = new ArrayList<>();
            runtime = ServerRuntime.build(ConfigLoader.parse(toml, "test.toml"), null, problems,
                    host -> host.equals("origin.test") ? List.of(answer.get()) : List.of());
            assertNotNull(runtime, problems.toString());
            try {
                server = runtime.start();
            } catch (UncheckedIOException e) {
                runtime.close();
                if (attempt == 2) {
                    throw e;
                }
            }
        }
    }

    @AfterEach
    void stop() {
        try {
            if (server != null) {
                server.shutdown(Duration.ofSeconds(5));
                runtime.close();
            }
        } finally {
            first.close();
            second.close();
        }
    }

    private WireClient.Response get(String path) {
        try {
            return WireClient.exchange(server.port(), "GET " + path + " HTTP/1.1", "Host: localhost");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theNameIsResolvedAgainEveryUpdateFrequencyOffTheLoops() throws Exception {
        start("100ms");
        assertEquals("first", get("/x").body());
        answer.set("127.0.0.2");
        Await.until("requests reaching the new address after a scheduled re-resolution",
                () -> get("/x").body().equals("second"));
    }

    @Test
    void aSwapSendsNewRequestsToTheNewAddress() throws Exception {
        start("1h");
        assertEquals("first", get("/x").body());
        answer.set("127.0.0.2");
        runtime.upstreams.get("u").refresh();
        assertEquals("second", get("/x").body());
    }

    @Test
    void aRequestInFlightDuringASwapFinishesOnItsBackend() throws Exception {
        start("1h");
        UpstreamGroup group = runtime.upstreams.get("u");
        UpstreamGroup.Snapshot old = group.snapshot();
        CompletableFuture<WireClient.Response> held = CompletableFuture.supplyAsync(() -> get("/slow"));
        Await.until("the slow request at the first origin", () -> first.slowArrived() == 1);

        answer.set("127.0.0.2");
        group.refresh();
        assertEquals("second", get("/x").body());

        first.release();
        WireClient.Response r = held.get(10, TimeUnit.SECONDS);
        assertEquals(200, r.status());
        assertEquals("first", r.body());
        Await.until("the old snapshot's request counted as ended", () -> old.set().stats(0).inFlight() == 0);
    }
}
