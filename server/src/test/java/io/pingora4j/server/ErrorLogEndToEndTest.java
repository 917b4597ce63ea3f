package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 502 is never silent: as a new user would see it, the binary with its upstream down answers 502
 * and its log says why, naming the location, upstream, backend and cause; and the access log can
 * carry the upstream's address, status and time and the error.
 */
class ErrorLogEndToEndTest {

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newHttpClient();

    private int get(int port, String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void theBinaryLogsA502WithItsUpstreamBackendAndCause() throws Exception {
        int dead = FreePort.pick();
        ServerProcess p = ServerProcess.launch(dir, port -> """
                [upstreams.api]
                addrs = ["127.0.0.1:%1$d"]

                [locations.api]
                path = "/api"
                upstream = "api"

                [servers.http]
                addr = "127.0.0.1:%2$d"
                locations = ["api"]
                """.formatted(dead, port));
        try {
            assertEquals(502, get(p.port(), "/api/orders"));

            Path err = dir.resolve("server.err");
            Await.until("the error log line on stderr", () -> ServerProcess.read(err).contains("502 GET /api/orders"));
            String line = ServerProcess.read(err).lines().filter(l -> l.contains("502 GET /api/orders")).findFirst()
                    .orElseThrow();
            assertTrue(line.contains("WARN"), line);
            assertTrue(line.contains("location=api upstream=api backend=127.0.0.1:" + dead), line);
            assertTrue(line.contains("cause=\"CONNECT_REFUSED: connect to 127.0.0.1:" + dead + " failed"), line);
        } finally {
            p.process().destroy();
            p.process().waitFor();
        }
    }

    @Test
    void theAccessLogCarriesTheUpstreamAddressStatusTimeAndTheError() throws Exception {
        int dead = FreePort.pick();
        Path log = dir.resolve("access.log");
        try (TestOrigin origin = TestOrigin.start("a");
             RunningProxy proxy = RunningProxy.start(port -> """
                     [upstreams.up]
                     addrs = ["%1$s"]

                     [upstreams.down]
                     addrs = ["127.0.0.1:%2$d"]

                     [locations.good]
                     path = "/good"
                     upstream = "up"

                     [locations.bad]
                     path = "/bad"
                     upstream = "down"

                     [servers.http]
                     addr = "127.0.0.1:%3$d"
                     locations = ["good", "bad"]
                     access_log = "%4$s {path} {status} [{upstream_addr}] {upstream_status} {upstream_response_time} {error}"
                     """.formatted(origin.addr(), dead, port, log))) {
            assertEquals(200, get(proxy.port(), "/good"));
            assertEquals(502, get(proxy.port(), "/bad"));

            Await.until("two access log lines", () -> lines(log).size() >= 2);
            List<String> lines = lines(log);
            assertTrue(lines.get(0).matches("/good 200 \\[" + origin.addr() + "\\] 200 \\d+\\.\\d{3} -"), lines.get(0));
            assertTrue(lines.get(1).startsWith("/bad 502 [127.0.0.1:" + dead + "] - - CONNECT_REFUSED: connect to 127.0.0.1:"
                    + dead + " failed"), lines.get(1));
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
