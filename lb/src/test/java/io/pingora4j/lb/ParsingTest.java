package io.pingora4j.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.lb.Algorithm.Kind;
import io.pingora4j.lb.HashKey.Source;
import io.pingora4j.lb.HealthCheckSpec.Scheme;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Configuration spellings: algorithms, hash keys, durations, health-check URLs. */
class ParsingTest {

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void seedAlgorithmSpellingsParse() {
        assertEquals(Kind.ROUND_ROBIN, Algorithm.parse("round_robin").kind());
        assertEquals(Kind.WEIGHTED_ROUND_ROBIN, Algorithm.parse("weighted_round_robin").kind());
        assertEquals(Kind.LEAST_CONN, Algorithm.parse("least_conn").kind());
        assertEquals(Kind.IP_HASH, Algorithm.parse("ip_hash").kind());
        assertEquals(Kind.RANDOM, Algorithm.parse("random").kind());
        assertEquals(Kind.POWER_OF_TWO, Algorithm.parse("p2c").kind());
        assertEquals(Kind.POWER_OF_TWO, Algorithm.parse("power_of_two").kind());
    }

    @Test
    void pingapHashAlgorithmsCarryTheirKey() {
        assertEquals(new HashKey(Source.IP, null), Algorithm.parse("hash:ip").key());
        assertEquals(new HashKey(Source.HEADER, "X-User"), Algorithm.parse("hash:header:X-User").key());
        assertEquals(new HashKey(Source.COOKIE, "sid"), Algorithm.parse("hash:cookie:sid").key());
        assertEquals(new HashKey(Source.QUERY, "uid"), Algorithm.parse("hash:query:uid").key());
        assertEquals(new HashKey(Source.URL, null), Algorithm.parse("hash:url").key());
        assertEquals(new HashKey(Source.PATH, null), Algorithm.parse("consistent_hash:path").key());
        assertEquals(Kind.CONSISTENT_HASH, Algorithm.parse("hash:path").kind());
    }

    @Test
    void algorithmSpecRoundTrips() {
        for (String s : new String[] {"round_robin", "weighted_round_robin", "least_conn", "ip_hash", "random", "p2c",
                "hash:header:X-User", "hash:ip"}) {
            assertEquals(s, Algorithm.parse(s).spec());
        }
    }

    @Test
    void unknownAlgorithmNamesTheValueAndListsAccepted() {
        String m = message(() -> Algorithm.parse("fastest"));
        assertTrue(m.contains("\"fastest\""), m);
        assertTrue(m.contains("round_robin") && m.contains("least_conn") && m.contains("hash:KEY"), m);
    }

    @Test
    void hashWithoutKeyIsRefused() {
        String m = message(() -> Algorithm.parse("hash"));
        assertTrue(m.contains("needs a key"), m);
    }

    @Test
    void badHashKeyInAlgorithmNamesBoth() {
        String m = message(() -> Algorithm.parse("hash:body"));
        assertTrue(m.contains("hash:body") && m.contains("\"body\""), m);
    }

    @Test
    void algorithmBuildsItsSelector() {
        BackendSet set = Fixtures.set(1, 1);
        assertInstanceOf(SmoothWeightedRoundRobin.class, Algorithm.parse("weighted_round_robin").newSelector(set));
        assertInstanceOf(ConsistentHash.class, Algorithm.parse("hash:url").newSelector(set));
        assertInstanceOf(PowerOfTwoChoices.class, Algorithm.parse("p2c").newSelector(set));
    }

    @Test
    void hashKeyNeedsANameForHeaderCookieQuery() {
        String m = message(() -> HashKey.parse("header"));
        assertTrue(m.contains("\"header\"") && m.contains("needs a name"), m);
        m = message(() -> HashKey.parse("cookie:"));
        assertTrue(m.contains("needs a name"), m);
    }

    @Test
    void hashKeyRefusesNameOnIpUrlPath() {
        String m = message(() -> HashKey.parse("path:x"));
        assertTrue(m.contains("takes no name"), m);
    }

    @Test
    void hashKeyRefusesInvalidHeaderName() {
        String m = message(() -> HashKey.parse("header:X User"));
        assertTrue(m.contains("\"X User\"") && m.contains("' '"), m);
    }

    @Test
    void hashKeyExtractsFromTheView() {
        RequestKeyView v = Fixtures.header("X-User", "alice");
        assertEquals("alice", HashKey.parse("header:x-user").extract(v));
        assertNull(HashKey.parse("cookie:sid").extract(v));
    }

    @Test
    void pingapHealthCheckUrlParses() {
        HealthCheckSpec s = HealthCheckSpec.parse(
                "http://upstream/ping?connection_timeout=3s&read_timeout=1s&success=2&failure=1&check_frequency=10s");
        assertEquals(Scheme.HTTP, s.scheme());
        assertEquals("upstream", s.host());
        assertEquals(0, s.port());
        assertEquals("/ping", s.path());
        assertEquals(Duration.ofSeconds(3), s.connectionTimeout());
        assertEquals(Duration.ofSeconds(1), s.readTimeout());
        assertEquals(Duration.ofSeconds(10), s.checkFrequency());
        assertEquals(2, s.successThreshold());
        assertEquals(1, s.failureThreshold());
        assertFalse(s.reuseConnection());
    }

    @Test
    void seedHealthCheckUrlParsesWithDefaults() {
        HealthCheckSpec s = HealthCheckSpec.parse("http://127.0.0.1:8001/health");
        assertEquals("127.0.0.1", s.host());
        assertEquals(8001, s.port());
        assertEquals("/health", s.path());
        assertEquals(HealthCheckSpec.DEFAULT_CONNECTION_TIMEOUT, s.connectionTimeout());
        assertEquals(HealthCheckSpec.DEFAULT_CHECK_FREQUENCY, s.checkFrequency());
        assertEquals(1, s.successThreshold());
        assertEquals(2, s.failureThreshold());
        assertTrue(s.isExpectedStatus(204));
        assertFalse(s.isExpectedStatus(301));
    }

    @Test
    void unknownParametersStayInThePathAsInPingap() {
        HealthCheckSpec s = HealthCheckSpec.parse("https://upstreamname/ping?from=nginx&reuse&tls&service=grpc");
        assertEquals(Scheme.HTTPS, s.scheme());
        assertEquals("/ping?from=nginx", s.path());
        assertTrue(s.reuseConnection());
        assertTrue(s.tls());
        assertEquals("grpc", s.service());
    }

    @Test
    void tcpCheckHasNoPath() {
        HealthCheckSpec s = HealthCheckSpec.parse("tcp://upstreamname?connection_timeout=1s");
        assertEquals(Scheme.TCP, s.scheme());
        assertEquals("", s.path());
        assertEquals(Duration.ofSeconds(1), s.connectionTimeout());
    }

    @Test
    void ipv6HealthCheckHost() {
        HealthCheckSpec s = HealthCheckSpec.parse("http://[::1]:8080/");
        assertEquals("::1", s.host());
        assertEquals(8080, s.port());
    }

    @Test
    void expectedStatusAcceptsClassRangeOrCode() {
        HealthCheckSpec s = HealthCheckSpec.parse("http://u/?expected_status=200-399");
        assertTrue(s.isExpectedStatus(302));
        s = HealthCheckSpec.parse("http://u/?expected_status=204");
        assertFalse(s.isExpectedStatus(200));
        s = HealthCheckSpec.parse("http://u/?expected_status=3xx");
        assertTrue(s.isExpectedStatus(399));
    }

    @Test
    void badHealthCheckNamesTheBadPart() {
        assertTrue(message(() -> HealthCheckSpec.parse("ftp://u/")).contains("\"ftp\""));
        assertTrue(message(() -> HealthCheckSpec.parse("upstream/ping")).contains("scheme://"));
        assertTrue(message(() -> HealthCheckSpec.parse("http:///ping")).contains("missing host"));
        assertTrue(message(() -> HealthCheckSpec.parse("http://u:70000/")).contains("port 70000"));
        assertTrue(message(() -> HealthCheckSpec.parse("http://u/?success=0")).contains("success 0"));
        assertTrue(message(() -> HealthCheckSpec.parse("http://u/?failure=many")).contains("failure \"many\""));
        assertTrue(message(() -> HealthCheckSpec.parse("http://u/?read_timeout=soon")).contains("read_timeout=soon"));
        assertTrue(message(() -> HealthCheckSpec.parse("http://u/?check_frequency=0s")).contains("greater than zero"));
        assertTrue(message(() -> HealthCheckSpec.parse("http://u/?reuse=maybe")).contains("reuse=maybe"));
        assertTrue(message(() -> HealthCheckSpec.parse("http://u/?expected_status=9xx")).contains("expected_status"));
    }

    @Test
    void healthPolicyTakesThresholdsFromTheSpec() {
        HealthCheckSpec s = HealthCheckSpec.parse("http://u/?success=3&failure=4");
        HealthPolicy p = HealthPolicy.of(s, 5, Duration.ofSeconds(30));
        assertEquals(new HealthPolicy(3, 4, 5, Duration.ofSeconds(30)), p);
    }
}
