package io.pingora4j.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RandomSelectionTest {

    @Test
    void sharesFollowWeights() {
        Selector s = new RandomSelection(Fixtures.set(3, 1));
        int draws = 40_000;
        int first = 0;
        for (int i = 0; i < draws; i++) {
            if (s.select(null) == 0) {
                first++;
            }
        }
        double share = first / (double) draws;
        // expected 0.75; the standard deviation over 40k draws is about 0.002
        assertTrue(Math.abs(share - 0.75) < 0.02, "share " + share);
    }

    @Test
    void neverPicksDownBackend() {
        BackendSet set = Fixtures.set(1, 1, 1);
        set.health(0).forceDown();
        Selector s = new RandomSelection(set);
        for (int i = 0; i < 1000; i++) {
            assertNotEquals(0, s.select(null));
        }
    }

    @Test
    void allDownGivesNone() {
        BackendSet set = Fixtures.set(1);
        set.health(0).forceDown();
        assertEquals(Selector.NONE, new RandomSelection(set).select(null));
    }

    @Test
    void powerOfTwoPicksLessLoadedOfTwo() {
        BackendSet set = Fixtures.set(1, 1);
        for (int i = 0; i < 5; i++) {
            set.stats(0).onRequestStart();
        }
        Selector s = new PowerOfTwoChoices(set);
        for (int i = 0; i < 100; i++) {
            assertEquals(1, s.select(null));
        }
    }

    @Test
    void powerOfTwoNeverPicksDownOrTriedBackend() {
        BackendSet set = Fixtures.set(1, 1, 1, 1);
        set.health(0).forceDown();
        Selector s = new PowerOfTwoChoices(set);
        long tried = Selector.markTried(0L, 1);
        for (int i = 0; i < 1000; i++) {
            int p = s.select(null, tried);
            assertTrue(p == 2 || p == 3, "picked " + p);
        }
    }

    @Test
    void powerOfTwoWithOneEligibleBackendPicksIt() {
        BackendSet set = Fixtures.set(1, 1);
        set.health(1).forceDown();
        assertEquals(0, new PowerOfTwoChoices(set).select(null));
    }
}
