package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.plugins.FakeSession;
import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.ProxyError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The error log's line, and its cap: a flood of failures writes a bounded number of lines. */
class ErrorLogTest {

    private final List<String> lines = new ArrayList<>();
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final ErrorLog log = new ErrorLog(Duration.ofSeconds(1), 10, lines::add, clock::get);

    @Test
    void a502LineNamesTheServerLocationUpstreamBackendCauseAndTime() {
        ProxyError e = ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECT_REFUSED,
                "connect to 10.0.0.7:8080 failed: Connection refused");

        log.log(FakeSession.get("/api/users?id=1").peer(HttpPeer.of("10.0.0.7", 8080), false), "edge", "api", "backend",
                2, 502, ErrorLog.cause(e));

        assertEquals(1, lines.size());
        String line = lines.get(0);
        assertTrue(line.startsWith("502 GET /api/users?id=1 "), line);
        assertTrue(line.contains("server=edge location=api upstream=backend backend=10.0.0.7:8080 attempts=2"), line);
        assertTrue(line.contains("cause=\"CONNECT_REFUSED: connect to 10.0.0.7:8080 failed: Connection refused\""),
                line);
        assertTrue(line.matches(".* time=\\d+ms .*"), line);
    }

    @Test
    void aFloodWritesTheBurstPerIntervalThenSaysHowManyLinesItLeftOut() {
        FakeSession s = FakeSession.get("/");
        for (int i = 0; i < 1000; i++) {
            log.log(s, "edge", null, null, 0, 404, "HTTP_STATUS: no location matches");
        }
        assertEquals(10, lines.size(), "one interval writes the burst and no more");
        assertEquals(990, log.suppressed());

        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        log.log(s, "edge", null, null, 0, 404, "HTTP_STATUS: no location matches");

        assertEquals(11, lines.size());
        assertTrue(lines.get(10).endsWith("(990 similar lines left out by the error log's rate limit)"), lines.get(10));
    }

    @Test
    void aCauseCannotSplitTheLineOrCloseItsQuotes() {
        log.log(FakeSession.get("/a"), "edge", null, null, 0, 400, "INVALID_HTTP: bad \"x\"\r\n");

        String line = lines.get(0);
        assertTrue(line.indexOf('\n') < 0 && line.indexOf('\r') < 0, line);
        assertTrue(line.contains("cause=\"INVALID_HTTP: bad \\\"x\\\"\\x0d\\x0a\""), line);
    }
}
