package io.pingora4j.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeastConnectionsTest {

    private static void load(BackendSet set, int index, int requests) {
        for (int i = 0; i < requests; i++) {
            set.stats(index).onRequestStart();
        }
    }

    @Test
    void picksFewestInFlight() {
        BackendSet set = Fixtures.set(1, 1, 1);
        load(set, 0, 3);
        load(set, 1, 1);
        load(set, 2, 2);
        assertEquals(1, new LeastConnections(set).select(null));
    }

    @Test
    void tiesAreBrokenRoundRobin() {
        BackendSet set = Fixtures.set(1, 1, 1);
        Selector s = new LeastConnections(set);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            seen.add(s.select(null));
        }
        assertEquals(Set.of(0, 1, 2), seen);
    }

    @Test
    void weightsScaleTheComparisonLikeNginx() {
        BackendSet set = Fixtures.set(4, 1);
        load(set, 0, 3); // 3/4 < 1/1
        load(set, 1, 1);
        assertEquals(0, new LeastConnections(set).select(null));
        load(set, 0, 2); // 5/4 > 1/1
        assertEquals(1, new LeastConnections(set).select(null));
    }

    @Test
    void downBackendIsSkippedEvenWhenIdle() {
        BackendSet set = Fixtures.set(1, 1);
        load(set, 1, 10);
        set.health(0).forceDown();
        assertEquals(1, new LeastConnections(set).select(null));
    }

    @Test
    void finishedRequestsLowerTheCount() {
        BackendSet set = Fixtures.set(1, 1);
        Selector s = new LeastConnections(set);
        load(set, 0, 2);
        load(set, 1, 1);
        assertEquals(1, s.select(null));
        set.stats(0).onRequestEnd(false);
        set.stats(0).onRequestEnd(false);
        assertEquals(0, s.select(null));
    }
}
