package io.pingora4j.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RoundRobinTest {

    @Test
    void rotatesThroughBackendsIgnoringWeights() {
        Selector s = new RoundRobin(Fixtures.set(5, 1, 1));
        int[] picks = new int[6];
        for (int i = 0; i < 6; i++) {
            picks[i] = s.select(null);
        }
        assertEquals("[0, 1, 2, 0, 1, 2]", java.util.Arrays.toString(picks));
    }

    @Test
    void downBackendIsSkipped() {
        BackendSet set = Fixtures.set(1, 1, 1);
        set.health(1).forceDown();
        Selector s = new RoundRobin(set);
        for (int i = 0; i < 9; i++) {
            assertEquals(true, s.select(null) != 1);
        }
    }

    @Test
    void allDownGivesNone() {
        BackendSet set = Fixtures.set(1);
        set.health(0).forceDown();
        assertEquals(Selector.NONE, new RoundRobin(set).select(null));
    }

    @Test
    void openCircuitBreakerMakesBackendUnavailable() {
        ManualClock clock = new ManualClock();
        var policy = new CircuitBreaker.Policy(1, 0, 1, java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(5), 1);
        BackendSet set = new BackendSet(Fixtures.backends(1, 1), HealthPolicy.DEFAULT, policy, clock);
        set.breaker(0).onFailure();
        Selector s = new RoundRobin(set);
        for (int i = 0; i < 4; i++) {
            assertEquals(1, s.select(null));
        }
    }

    @Test
    void aDownBackendsShareSpreadsEvenlyOverTheOthers() {
        BackendSet set = Fixtures.set(1, 1, 1);
        set.health(1).forceDown();
        Selector s = new RoundRobin(set);
        int[] count = new int[3];
        for (int k = 0; k < 600; k++) {
            count[s.select(null)]++;
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {300, 0, 300}, count);
    }
}
