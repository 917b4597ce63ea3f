package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.lb.BackendHealth;
import io.pingora4j.lb.BackendSet;
import io.pingora4j.server.config.ConfigException;
import io.pingora4j.server.config.ConfigLoader;
import io.pingora4j.server.config.UpstreamConfig;
import io.pingora4j.spi.HttpPeer;
import java.io.IOException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * An upstream at run time, with an injected clock (slow start) and an injected resolver (DNS
 * discovery): no real DNS, no waiting.
 */
class UpstreamGroupTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final AtomicReference<List<String>> answer = new AtomicReference<>(List.of("10.0.0.1"));

    private static UpstreamConfig config(String keys) throws ConfigException {
        return ConfigLoader.parse("[upstreams.u]\n" + keys + "\n", "test.toml").upstreams().get("u");
    }

    private UpstreamGroup group(String keys) throws ConfigException {
        return new UpstreamGroup(config(keys), host -> {
            List<String> a = answer.get();
            if (a == null) {
                throw new UnknownHostException(host);
            }
            return a;
        }, now::get);
    }

    // ------------------------------------------------------------------ alpn

    @Test
    void alpnChoosesTheHttpVersionOfThePeers() throws ConfigException {
        assertEquals(HttpPeer.Alpn.H1, group("addrs = [\"127.0.0.1:8001\"]").snapshot().peers()[0].alpn());
        assertEquals(HttpPeer.Alpn.H2, group("addrs = [\"127.0.0.1:8001\"]\nalpn = \"h2\"").snapshot().peers()[0].alpn(),
                "h2c on a plain upstream");
        assertEquals(HttpPeer.Alpn.H2H1, group("addrs = [\"127.0.0.1:8001\"]\nalpn = \"h2h1\"\ntls = true")
                .snapshot().peers()[0].alpn());
        assertEquals(HttpPeer.Alpn.H1, group("addrs = [\"127.0.0.1:8001\"]\nalpn = \"h2h1\"").snapshot().peers()[0].alpn(),
                "nothing to negotiate on a plain upstream");
    }

    // ------------------------------------------------------------------ slow start

    @Test
    void aRecoveredBackendRampsUpOverSlowStart() throws ConfigException {
        UpstreamGroup g = group("addrs = [\"127.0.0.1:8001\"]\nslow_start = \"10s\"");
        BackendSet set = g.snapshot().set();
        int full = BackendHealth.WEIGHT_SCALE;
        set.health(0).forceDown();
        set.health(0).forceUp();

        assertEquals(full / 10, set.effectiveWeight(0), "starts at the 10% floor");
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertEquals(full / 2, set.effectiveWeight(0), "half way through: half the weight");
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertEquals(full, set.effectiveWeight(0), "full weight once slow start is over");
    }

    @Test
    void withoutSlowStartARecoveredBackendGetsItsFullWeightAtOnce() throws ConfigException {
        UpstreamGroup g = group("addrs = [\"127.0.0.1:8001\"]");
        BackendSet set = g.snapshot().set();
        set.health(0).forceDown();
        set.health(0).forceUp();
        assertEquals(BackendHealth.WEIGHT_SCALE, set.effectiveWeight(0));
    }

    @Test
    void slowStartAppliesToARecoveryByActiveChecks() throws ConfigException {
        UpstreamGroup g = group("addrs = [\"127.0.0.1:8001 4\"]\nslow_start = \"10s\"\n"
                + "health_check = \"tcp://u?failure=1&success=1\"");
        BackendSet set = g.snapshot().set();
        set.health(0).onActiveCheck(false);
        set.health(0).onActiveCheck(true);
        assertTrue(set.health(0).isRamping());
        assertEquals(4 * BackendHealth.WEIGHT_SCALE / 10, set.effectiveWeight(0));
    }

    @Test
    void theBreakerPolicyIsWiredIntoTheBackendSet() throws ConfigException {
        UpstreamGroup g = group("addrs = [\"127.0.0.1:8001\"]\ncircuit_break_max_consecutive_failures = 2");
        assertNotNull(g.snapshot().set().breaker(0));
        assertNull(group("addrs = [\"127.0.0.1:8001\"]").snapshot().set().breaker(0));
    }

    // ------------------------------------------------------------------ DNS discovery

    @Test
    void aHostNameIsResolvedToOneBackendPerAddress() throws ConfigException {
        answer.set(List.of("10.0.0.1", "10.0.0.2"));
        BackendSet set = group("addrs = [\"api.test:8080\"]").snapshot().set();
        assertEquals(2, set.size());
        assertEquals("10.0.0.1:8080", set.backend(0).address());
        assertEquals("10.0.0.2:8080", set.backend(1).address());
    }

    @Test
    void aRefreshWithANewAnswerSwapsTheSnapshot() throws ConfigException {
        UpstreamGroup g = group("addrs = [\"api.test:8080\"]");
        UpstreamGroup.Snapshot before = g.snapshot();

        answer.set(List.of("10.0.0.9"));
        assertTrue(g.refresh());
        assertEquals("10.0.0.9", g.snapshot().peers()[0].host());
        assertEquals("10.0.0.1", before.peers()[0].host(), "the old snapshot is untouched for requests holding it");
    }

    @Test
    void aRefreshWithTheSameAnswerKeepsTheSnapshot() throws ConfigException {
        UpstreamGroup g = group("addrs = [\"api.test:8080\"]");
        UpstreamGroup.Snapshot before = g.snapshot();
        assertFalse(g.refresh());
        assertSame(before, g.snapshot());
    }

    @Test
    void aNameThatStopsResolvingKeepsTheBackendsItHad() throws ConfigException {
        UpstreamGroup g = group("addrs = [\"api.test:8080\"]");
        UpstreamGroup.Snapshot before = g.snapshot();
        answer.set(null);
        assertFalse(g.refresh());
        assertSame(before, g.snapshot());
    }

    @Test
    void aBackendDownBeforeASwapStaysDownAfterIt() throws ConfigException {
        answer.set(List.of("10.0.0.1", "10.0.0.2"));
        UpstreamGroup g = group("addrs = [\"api.test:8080\"]");
        g.snapshot().set().health(0).forceDown();

        answer.set(List.of("10.0.0.1", "10.0.0.3"));
        assertTrue(g.refresh());
        assertFalse(g.snapshot().set().health(0).isUp());
        assertTrue(g.snapshot().set().health(1).isUp());
    }

    @Test
    void ipv4OnlyLeavesIpv6AnswersOut() throws ConfigException {
        answer.set(List.of("fd00::1", "10.0.0.1"));
        BackendSet set = group("addrs = [\"api.test:8080\"]\nipv4_only = true").snapshot().set();
        assertEquals(1, set.size());
        assertEquals("10.0.0.1:8080", set.backend(0).address());
    }

    @Test
    void anIpv6AnswerIsWrittenInBrackets() throws ConfigException {
        answer.set(List.of("fd00::1"));
        assertEquals("[fd00::1]:8080", group("addrs = [\"api.test:8080\"]").snapshot().set().backend(0).address());
    }

    @Test
    void ipLiteralsAreNeverResolved() throws ConfigException {
        answer.set(null); // any resolution would fail
        UpstreamGroup g = group("addrs = [\"127.0.0.1:8001\"]");
        assertFalse(g.dnsDiscovery);
        assertEquals("127.0.0.1", g.snapshot().peers()[0].host());
    }

    @Test
    void aNameThatDoesNotResolveAtStartIsKeptAsWritten() throws ConfigException {
        answer.set(null);
        UpstreamGroup g = group("addrs = [\"api.test:8080\"]");
        assertEquals("api.test", g.snapshot().peers()[0].host());

        answer.set(List.of("10.0.0.4"));
        assertTrue(g.refresh());
        assertEquals("10.0.0.4", g.snapshot().peers()[0].host());
    }

    @Test
    void aTlsBackendFoundByDnsKeepsItsHostNameAsSni() throws ConfigException {
        UpstreamGroup g = group("addrs = [\"api.test:443\"]\ntls = true");
        assertEquals("10.0.0.1", g.snapshot().peers()[0].host());
        assertEquals("api.test", g.snapshot().peers()[0].sni());
    }

    @Test
    void updateFrequencyDefaultsTo30Seconds() throws ConfigException, IOException {
        assertEquals(Duration.ofSeconds(30), group("addrs = [\"api.test:8080\"]").updateFrequency());
        assertEquals(Duration.ofSeconds(5), group("addrs = [\"api.test:8080\"]\nupdate_frequency = \"5s\"").updateFrequency());
    }
}
