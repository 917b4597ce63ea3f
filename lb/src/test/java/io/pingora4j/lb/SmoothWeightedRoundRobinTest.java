package io.pingora4j.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmoothWeightedRoundRobinTest {

    private static String picks(Selector s, int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            int p = s.select(null);
            sb.append(p == Selector.NONE ? '-' : (char) ('a' + p));
        }
        return sb.toString();
    }

    @Test
    void smoothWeightedGivesNginxSequenceFor511() {
        Selector s = new SmoothWeightedRoundRobin(Fixtures.set(5, 1, 1));
        assertEquals("aabacaa", picks(s, 7));
    }

    @Test
    void smoothWeightedSequenceRepeats() {
        Selector s = new SmoothWeightedRoundRobin(Fixtures.set(5, 1, 1));
        assertEquals("aabacaa".repeat(4), picks(s, 28));
    }

    @Test
    void equalWeightsAlternate() {
        Selector s = new SmoothWeightedRoundRobin(Fixtures.set(1, 1, 1));
        assertEquals("abcabc", picks(s, 6));
    }

    @Test
    void downBackendIsSkippedAndSharesAreKept() {
        BackendSet set = Fixtures.set(3, 1, 1);
        Selector s = new SmoothWeightedRoundRobin(set);
        set.health(2).forceDown();
        String seq = picks(s, 40);
        assertEquals(30, seq.chars().filter(c -> c == 'a').count());
        assertEquals(10, seq.chars().filter(c -> c == 'b').count());
    }

    @Test
    void allDownGivesNone() {
        BackendSet set = Fixtures.set(1, 1);
        set.health(0).forceDown();
        set.health(1).forceDown();
        assertEquals(Selector.NONE, new SmoothWeightedRoundRobin(set).select(null));
    }

    @Test
    void triedBackendIsSkipped() {
        Selector s = new SmoothWeightedRoundRobin(Fixtures.set(5, 1, 1));
        long tried = Selector.markTried(0L, 0);
        for (int i = 0; i < 10; i++) {
            int p = s.select(null, tried);
            assertEquals(true, p == 1 || p == 2);
        }
    }

    @Test
    void slowStartingBackendGetsGrowingShare() {
        ManualClock clock = new ManualClock();
        BackendSet set = Fixtures.set(new HealthPolicy(1, 1, 0, Duration.ofSeconds(100)), clock, 1, 1);
        Selector s = new SmoothWeightedRoundRobin(set);
        set.health(1).forceDown();
        set.health(1).forceUp();
        // 10% of weight at the start: b gets 1 pick in 11
        assertEquals(1, picks(s, 110).chars().filter(c -> c == 'b').count() / 10);
        clock.advance(Duration.ofSeconds(50));
        String half = picks(s, 300);
        assertEquals(100, half.chars().filter(c -> c == 'b').count());
        clock.advance(Duration.ofSeconds(50));
        String full = picks(s, 200);
        assertEquals(100, full.chars().filter(c -> c == 'b').count());
    }
}
