package io.pingora4j.server.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.server.plugins.FakeSession;
import io.pingora4j.spi.HttpPeer;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class AccessLogFormatTest {

    /** 2024-01-02T03:04:05.006Z */
    private static final long NOW_MILLIS = 1_704_164_645_006L;
    private static final long START_NANOS = 1_000_000_000L;
    /** 1234 ms after the start. */
    private static final long NOW_NANOS = START_NANOS + 1_234_000_000L;

    private static final Map<String, String> ENV = Map.of("HOSTNAME", "edge-7", "DC", "fra1");

    private static FakeSession session() {
        FakeSession s = FakeSession.parse("GET /vicanso/pingap?size=1 HTTP/1.1\n"
                + "Host: github.com:8443\n"
                + "User-Agent: pingap/0.1.1\n"
                + "Referer: https://example.com/from\n"
                + "Cookie: deviceId=abc; theme=\"dark\"\n"
                + "Accept: application/json\n")
                .client("10.1.1.1", 51000)
                .scheme("https")
                .startNanos(START_NANOS)
                .bytes(2048, 1124);
        ResponseHead resp = new ResponseHead();
        resp.setStatus(404);
        resp.headers().add("X-Response-Id", "r-9");
        s.response(resp);
        s.setAttribute("request_id", "nanoid");
        return s;
    }

    private static String render(String template, FakeSession s) {
        AccessLogFormat f = AccessLogFormat.compile(template, ZoneId.of("Asia/Shanghai"), ENV::get);
        StringBuilder out = new StringBuilder();
        f.render(s, NOW_MILLIS, NOW_NANOS, out);
        return out.toString();
    }

    static Stream<Arguments> variables() {
        return Stream.of(
                Arguments.of("{host}", "github.com"),
                Arguments.of("{method}", "GET"),
                Arguments.of("{path}", "/vicanso/pingap"),
                Arguments.of("{proto}", "HTTP/1.1"),
                Arguments.of("{query}", "size=1"),
                Arguments.of("{remote}", "10.1.1.1"),
                Arguments.of("{client_ip}", "10.1.1.1"),
                Arguments.of("{scheme}", "https"),
                Arguments.of("{uri}", "/vicanso/pingap?size=1"),
                Arguments.of("{referer}", "https://example.com/from"),
                Arguments.of("{user_agent}", "pingap/0.1.1"),
                Arguments.of("{when}", "2024-01-02T11:04:05.006+08:00"),
                Arguments.of("{when_utc_iso}", "2024-01-02T03:04:05.006Z"),
                Arguments.of("{when_unix}", "1704164645006"),
                Arguments.of("{size}", "1124"),
                Arguments.of("{size_human}", "1.1KB"),
                Arguments.of("{status}", "404"),
                Arguments.of("{latency}", "1234"),
                Arguments.of("{latency_human}", "1.2s"),
                Arguments.of("{payload_size}", "2048"),
                Arguments.of("{payload_size_human}", "2KB"),
                Arguments.of("{request_id}", "nanoid"),
                Arguments.of("{~deviceId}", "abc"),
                Arguments.of("{~theme}", "dark"),
                Arguments.of("{>accept}", "application/json"),
                Arguments.of("{<X-Response-Id}", "r-9"),
                Arguments.of("{$DC}", "fra1"),
                Arguments.of("{$hostname}", "edge-7"),
                Arguments.of("{:connection_reused}", "false"),
                Arguments.of("{:service_time}", "1234"),
                Arguments.of("{:service_time_human}", "1.2s"),
                Arguments.of("{:request_id}", "nanoid"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("variables")
    void eachVariableRendersItsValue(String template, String expected) {
        assertEquals(expected, render(template, session()));
    }

    @Test
    void upstreamFieldsComeFromThePeer() {
        FakeSession s = session().peer(HttpPeer.of("192.168.1.1", 6188), true);
        assertEquals("192.168.1.1:6188 true", render("{:upstream_addr} {:upstream_reused}", s));
        assertEquals("192.168.1.1:6188 true", render("{upstream_addr} {upstream_reused}", s));
    }

    @Test
    void aGrpcCallShowsItsServiceAndMethod() {
        FakeSession s = session().grpc("helloworld.Greeter", "SayHello");
        assertEquals("helloworld.Greeter SayHello", render("{grpc_service} {grpc_method}", s));
        assertEquals("- -", render("{grpc_service} {grpc_method}", session()), "not a gRPC call");
    }

    @Test
    void contextFieldsPrintNothingWhenMissing() {
        assertEquals("[][][]", render("[{:upstream_addr}][{:upstream_reused}][{processing}]", session()));
    }

    @Test
    void anyOtherContextNameReadsTheSessionAttribute() {
        FakeSession s = session();
        s.setAttribute("processing", 3);
        s.setAttribute("location", "api");
        assertEquals("3 api", render("{processing} {:location}", s));
    }

    /** What the proxy knows of an upstream attempt, as fixed figures. */
    private record Facts(int upstreamStatus, long upstreamResponseNanos, long upstreamConnectNanos,
                         long upstreamProcessingNanos, String error) implements UpstreamFacts {
    }

    private static String render(String template, FakeSession s, UpstreamFacts facts) {
        AccessLogFormat f = AccessLogFormat.compile(template, ZoneId.of("Asia/Shanghai"), ENV::get);
        StringBuilder out = new StringBuilder();
        f.render(s, facts, NOW_MILLIS, NOW_NANOS, out);
        return out.toString();
    }

    @Test
    void upstreamTimesAreMillisecondsToTheMicrosecondAndTheStatusIsTheOrigins() {
        Facts f = new Facts(503, 12_345_678, 1_002_000, 45_000, null);
        assertEquals("503 12.345 1.002 0.045 -",
                render("{upstream_status} {upstream_response_time} {upstream_connect_time} {upstream_processing_time} {error}",
                        session(), f));
        assertEquals("503 12.345", render("{:upstream_status} {:upstream_response_time}", session(), f));
    }

    @Test
    void withoutAnUpstreamTheFieldsPrintADashAndTheErrorIsEscaped() {
        Facts f = new Facts(0, -1, -1, -1, "INVALID_HTTP: bad \"x\"");
        assertEquals("- - - INVALID_HTTP: bad \\\"x\\\"",
                render("{upstream_status} {upstream_response_time} {upstream_connect_time} {error}", session(), f));
        assertEquals("- -", render("{upstream_status} {error}", session()), "no facts at all");
    }

    @Test
    void aKeptAliveRequestShowsTheConnectionReused() {
        assertEquals("true", render("{:connection_reused}", session().requestNumber(2)));
    }

    @Test
    void theProtocolOfAnHttp2StreamIsHttp2() {
        assertEquals("HTTP/2.0", render("{proto}", FakeSession.parse("GET / HTTP/1.1\nHost: a\n").protocol("HTTP/2.0")));
    }

    @Test
    void missingValuesPrintADash() {
        FakeSession s = FakeSession.parse("GET /a HTTP/1.0\n");
        assertEquals("- - - - - - - HTTP/1.0", render("{host} {query} {referer} {user_agent} {status} {~nope} {<x-nope} {proto}", s));
    }

    @Test
    void clientIpPrefersForwardedForThenRealIp() {
        FakeSession xff = FakeSession.parse("GET / HTTP/1.1\nHost: a\nX-Forwarded-For: 203.0.113.7, 10.0.0.1\nX-Real-Ip: 198.51.100.2\n");
        assertEquals("203.0.113.7", render("{client_ip}", xff));
        FakeSession real = FakeSession.parse("GET / HTTP/1.1\nHost: a\nX-Real-Ip: 198.51.100.2\n");
        assertEquals("198.51.100.2", render("{client_ip}", real));
        FakeSession trusted = FakeSession.parse("GET / HTTP/1.1\nHost: a\nX-Forwarded-For: 203.0.113.7\n");
        trusted.setAttribute("client_ip", "192.0.2.1");
        assertEquals("192.0.2.1", render("{client_ip}", trusted), "a filter's decision wins");
    }

    @Test
    void hostDropsThePortAndIpv6Brackets() {
        assertEquals("::1", render("{host}", FakeSession.parse("GET / HTTP/1.1\nHost: [::1]:8080\n")));
        assertEquals("a.test", render("{host}", FakeSession.parse("GET http://a.test:81/x HTTP/1.1\nHost: other\n")));
    }

    @Test
    void tinyPreset() {
        assertEquals("GET /vicanso/pingap?size=1 404 1.1KB - 1234ms", render("tiny", session()));
    }

    @Test
    void shortPreset() {
        assertEquals("10.1.1.1 GET /vicanso/pingap?size=1 HTTP/1.1 404 1.1KB - 1234ms", render("short", session()));
    }

    @Test
    void commonPreset() {
        assertEquals("10.1.1.1 \"GET /vicanso/pingap?size=1 HTTP/1.1\" 404 1.1KB", render("common", session()));
    }

    @Test
    void combinedPreset() {
        assertEquals("10.1.1.1 \"GET /vicanso/pingap?size=1 HTTP/1.1\" 404 1.1KB"
                + " \"https://example.com/from\" \"pingap/0.1.1\"", render("combined", session()));
    }

    @Test
    void presetsExpandToPingapsTemplates() {
        assertEquals(AccessLogFormat.COMBINED, AccessLogFormat.compile("combined").template());
        assertEquals("{method} {uri} {status} {size_human} - {latency}ms", AccessLogFormat.compile("tiny").template());
    }

    @Test
    void aCraftedUserAgentCannotCloseItsQuotedField() {
        FakeSession s = FakeSession.parse("GET /a?b=1 HTTP/1.1\nHost: a\nUser-Agent: evil\" 200 \"-\" \"curl\nReferer: back\\slash\nX-Tab: a\tb\n");
        assertEquals("\"evil\\\" 200 \\\"-\\\" \\\"curl\" \"back\\\\slash\" \"a\\x09b\"",
                render("\"{user_agent}\" \"{referer}\" \"{>x-tab}\"", s));
    }

    @Test
    void bracesThatOpenNoPlaceholderAreText() {
        FakeSession s = session();
        assertEquals("{ 404 }", render("{ {status} }", s));
        assertEquals("{404", render("{{status}", s));
        assertEquals("{status", render("{status", s));
        assertEquals("{a b}github.com", render("{a b}{host}", s));
        assertEquals("{}", render("{}", s));
    }

    @Test
    void anUnknownVariableIsAnErrorAtCompileTime() {
        AccessLogFormatException e = assertThrows(AccessLogFormatException.class,
                () -> AccessLogFormat.compile("{host} {statuss}"));
        assertEquals("statuss", e.variable());
        assertEquals(7, e.position());
        assertTrue(e.getMessage().contains("unknown variable") && e.getMessage().contains("status"), e.getMessage());
    }

    @Test
    void aPrefixWithoutANameIsAnError() {
        AccessLogFormatException e = assertThrows(AccessLogFormatException.class, () -> AccessLogFormat.compile("{>}"));
        assertEquals(">", e.variable());
    }

    @Test
    void renderWithTheClocksProducesALine() {
        AccessLogFormat f = AccessLogFormat.compile("{method} {when_utc_iso}", ZoneOffset.UTC, k -> null);
        String line = f.render(session());
        assertTrue(line.matches("GET \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), line);
    }
}
