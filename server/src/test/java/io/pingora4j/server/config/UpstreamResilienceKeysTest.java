package io.pingora4j.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.lb.CircuitBreaker;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The keys of {@code [upstreams.X]} for passive health, slow start, circuit breaking and DNS
 * discovery: Pingap's {@code circuit_break_*}, {@code enable_backend_stats},
 * {@code backend_stats_interval}, {@code backend_failure_status_code}, {@code discovery},
 * {@code update_frequency}, and our {@code passive_failures} and {@code slow_start}.
 */
class UpstreamResilienceKeysTest {

    private static UpstreamConfig upstream(String keys) throws ConfigException {
        return ConfigLoader.parse(toml(keys), "test.toml").upstreams().get("u");
    }

    private static String toml(String keys) {
        return "[upstreams.u]\naddrs = [\"127.0.0.1:8001\", \"127.0.0.1:8002\"]\n" + keys + "\n";
    }

    private static ConfigProblem onlyProblem(String keys) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(toml(keys), "test.toml"));
        List<ConfigProblem> p = e.problems();
        assertEquals(1, p.size(), p.toString());
        return p.get(0);
    }

    @Test
    void pingapCircuitBreakKeysMakeTheBreakerPolicy() throws Exception {
        UpstreamConfig u = upstream("""
                circuit_break_max_consecutive_failures = 3
                circuit_break_max_failure_percent = 40
                circuit_break_min_requests_threshold = 20
                circuit_break_half_open_consecutive_success_threshold = 2
                circuit_break_open_duration = "15s"
                backend_stats_interval = "30s"
                """);
        assertEquals(new CircuitBreaker.Policy(3, 40, 20, Duration.ofSeconds(30), Duration.ofSeconds(15), 2),
                u.circuitBreaker());
    }

    @Test
    void enableBackendStatsAloneUsesPingapsBreakerDefaults() throws Exception {
        UpstreamConfig u = upstream("enable_backend_stats = true");
        assertEquals(new CircuitBreaker.Policy(5, 50, 10, Duration.ofSeconds(60), Duration.ofSeconds(10), 5),
                u.circuitBreaker());
    }

    @Test
    void noBreakerUnlessAskedFor() throws Exception {
        assertNull(upstream("").circuitBreaker());
    }

    @Test
    void enableBackendStatsFalseTurnsTheBreakerOffEvenWithItsKeys() throws Exception {
        assertNull(upstream("enable_backend_stats = false\ncircuit_break_max_consecutive_failures = 3").circuitBreaker());
    }

    @Test
    void aZeroRuleIsOffAndTheOtherStays() throws Exception {
        CircuitBreaker.Policy p = upstream("circuit_break_max_failure_percent = 0").circuitBreaker();
        assertEquals(0, p.failurePercent());
        assertEquals(5, p.consecutiveFailures());
    }

    @Test
    void aZeroMinimumOfRequestsIsTakenAsOne() throws Exception {
        assertEquals(1, upstream("circuit_break_min_requests_threshold = 0").circuitBreaker().minRequests());
    }

    @Test
    void bothBreakerRulesZeroIsAProblem() {
        ConfigProblem p = onlyProblem("circuit_break_max_consecutive_failures = 0\ncircuit_break_max_failure_percent = 0");
        assertEquals("upstreams.u.circuit_break_max_consecutive_failures", p.key());
        assertTrue(p.reason().contains("never open"), p.reason());
    }

    @Test
    void aFailurePercentOver100IsAProblem() {
        ConfigProblem p = onlyProblem("circuit_break_max_failure_percent = 150");
        assertEquals("upstreams.u.circuit_break_max_failure_percent", p.key());
    }

    @Test
    void aZeroOpenDurationIsAProblem() {
        ConfigProblem p = onlyProblem("circuit_break_open_duration = \"0s\"");
        assertEquals("upstreams.u.circuit_break_open_duration", p.key());
    }

    @Test
    void passiveFailuresAndSlowStartAreRead() throws Exception {
        UpstreamConfig u = upstream("passive_failures = 3\nslow_start = \"30s\"");
        assertEquals(3, u.passiveFailures());
        assertEquals(Duration.ofSeconds(30), u.slowStart());
    }

    @Test
    void passiveChecksAndSlowStartAreOffByDefault() throws Exception {
        UpstreamConfig u = upstream("");
        assertEquals(0, u.passiveFailures());
        assertEquals(Duration.ZERO, u.slowStart());
    }

    @Test
    void aNegativePassiveThresholdIsAProblem() {
        assertEquals("upstreams.u.passive_failures", onlyProblem("passive_failures = -1").key());
    }

    @Test
    void backendFailureStatusCodeNarrowsWhatCountsAsAFailure() throws Exception {
        UpstreamConfig u = upstream("backend_failure_status_code = \"502,503, 504\"");
        assertEquals(Set.of(502, 503, 504), u.failureStatuses());
        assertTrue(u.isFailureStatus(503));
        assertFalse(u.isFailureStatus(500));
    }

    @Test
    void everyServerErrorIsAFailureByDefault() throws Exception {
        UpstreamConfig u = upstream("");
        assertTrue(u.isFailureStatus(500));
        assertTrue(u.isFailureStatus(599));
        assertFalse(u.isFailureStatus(404));
    }

    @Test
    void aFailureStatusThatIsNotAStatusIsAProblem() {
        ConfigProblem p = onlyProblem("backend_failure_status_code = \"500,abc\"");
        assertEquals("upstreams.u.backend_failure_status_code", p.key());
        assertTrue(p.reason().contains("abc"), p.reason());
    }

    @Test
    void anUnknownDiscoveryIsAProblem() {
        ConfigProblem p = onlyProblem("discovery = \"consul\"");
        assertEquals("upstreams.u.discovery", p.key());
    }

    @Test
    void aZeroUpdateFrequencyIsAProblem() {
        assertEquals("upstreams.u.update_frequency", onlyProblem("update_frequency = \"0s\"").key());
    }

    @Test
    void ipLiteralsNeedNoDiscovery() throws Exception {
        assertFalse(upstream("").dnsDiscovery());
    }

    @Test
    void aHostNameInAddrsMeansDnsDiscovery() throws Exception {
        UpstreamConfig u = ConfigLoader.parse("[upstreams.u]\naddrs = [\"api.internal:8080\"]\n", "test.toml")
                .upstreams().get("u");
        assertTrue(u.dnsDiscovery());
    }

    @Test
    void staticDiscoveryKeepsHostNamesUnresolved() throws Exception {
        UpstreamConfig u = ConfigLoader.parse("[upstreams.u]\naddrs = [\"api.internal:8080\"]\ndiscovery = \"static\"\n",
                "test.toml").upstreams().get("u");
        assertFalse(u.dnsDiscovery());
    }

    @Test
    void ipv6AndIpv4LiteralsAreRecognised() {
        assertTrue(UpstreamConfig.isIpLiteral("10.0.0.1"));
        assertTrue(UpstreamConfig.isIpLiteral("::1"));
        assertFalse(UpstreamConfig.isIpLiteral("localhost"));
        assertFalse(UpstreamConfig.isIpLiteral("1.2.3.999"));
    }
}
