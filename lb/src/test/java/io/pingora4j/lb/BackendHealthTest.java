package io.pingora4j.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.lb.BackendHealth.PassiveOutcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackendHealthTest {

    private final ManualClock clock = new ManualClock();

    private BackendHealth health(int success, int failure, int passive, Duration slowStart) {
        return new BackendHealth(new HealthPolicy(success, failure, passive, slowStart), clock);
    }

    @Test
    void startsUpAtFullWeight() {
        BackendHealth h = health(2, 1, 0, Duration.ofSeconds(30));
        assertTrue(h.isUp());
        assertEquals(5 * BackendHealth.WEIGHT_SCALE, h.effectiveWeight(5));
    }

    @Test
    void goesDownAfterFailureThresholdConsecutiveFailedChecks() {
        BackendHealth h = health(1, 3, 0, Duration.ZERO);
        assertFalse(h.onActiveCheck(false));
        assertFalse(h.onActiveCheck(false));
        assertTrue(h.onActiveCheck(false));
        assertFalse(h.isUp());
        assertEquals(0, h.effectiveWeight(5));
    }

    @Test
    void aPassingCheckResetsTheFailureRun() {
        BackendHealth h = health(1, 2, 0, Duration.ZERO);
        h.onActiveCheck(false);
        h.onActiveCheck(true);
        h.onActiveCheck(false);
        assertTrue(h.isUp());
    }

    @Test
    void comesBackAfterSuccessThresholdConsecutivePassingChecks() {
        BackendHealth h = health(2, 1, 0, Duration.ZERO);
        h.onActiveCheck(false);
        assertFalse(h.onActiveCheck(true));
        assertFalse(h.isUp());
        assertTrue(h.onActiveCheck(true));
        assertTrue(h.isUp());
    }

    @Test
    void aFailedCheckResetsTheSuccessRun() {
        BackendHealth h = health(2, 1, 0, Duration.ZERO);
        h.onActiveCheck(false);
        h.onActiveCheck(true);
        h.onActiveCheck(false);
        h.onActiveCheck(true);
        assertFalse(h.isUp());
    }

    @Test
    void consecutivePassiveFailuresTakeItDown() {
        BackendHealth h = health(1, 1, 3, Duration.ZERO);
        assertFalse(h.onPassiveResult(PassiveOutcome.CONNECT_ERROR));
        assertFalse(h.onPassiveResult(PassiveOutcome.TIMEOUT));
        assertTrue(h.onPassiveResult(PassiveOutcome.SERVER_ERROR));
        assertFalse(h.isUp());
    }

    @Test
    void aPassiveSuccessResetsThePassiveRun() {
        BackendHealth h = health(1, 1, 2, Duration.ZERO);
        h.onPassiveResult(PassiveOutcome.TIMEOUT);
        h.onPassiveResult(PassiveOutcome.SUCCESS);
        h.onPassiveResult(PassiveOutcome.TIMEOUT);
        assertTrue(h.isUp());
    }

    @Test
    void passiveSuccessesDoNotBringItBackOnlyActiveChecksDo() {
        BackendHealth h = health(1, 1, 1, Duration.ZERO);
        h.onPassiveResult(PassiveOutcome.CONNECT_ERROR);
        for (int i = 0; i < 10; i++) {
            h.onPassiveResult(PassiveOutcome.SUCCESS);
        }
        assertFalse(h.isUp());
        h.onActiveCheck(true);
        assertTrue(h.isUp());
    }

    @Test
    void passiveChecksAreOffWithThresholdZero() {
        BackendHealth h = health(1, 1, 0, Duration.ZERO);
        for (int i = 0; i < 100; i++) {
            h.onPassiveResult(PassiveOutcome.SERVER_ERROR);
        }
        assertTrue(h.isUp());
    }

    @Test
    void slowStartRampsLinearlyFromTenPercentToFullWeight() {
        BackendHealth h = health(1, 1, 0, Duration.ofSeconds(100));
        h.onActiveCheck(false);
        h.onActiveCheck(true);
        int full = 4 * BackendHealth.WEIGHT_SCALE;
        assertTrue(h.isRamping());
        assertEquals(full / 10, h.effectiveWeight(4));
        clock.advance(Duration.ofSeconds(25));
        assertEquals(full / 4, h.effectiveWeight(4));
        clock.advance(Duration.ofSeconds(50));
        assertEquals(full * 3 / 4, h.effectiveWeight(4));
        clock.advance(Duration.ofSeconds(25));
        assertEquals(full, h.effectiveWeight(4));
        assertFalse(h.isRamping());
    }

    @Test
    void slowStartGivesAWeightOneBackendAFractionOfItsShare() {
        BackendHealth h = health(1, 1, 0, Duration.ofSeconds(10));
        h.forceDown();
        h.forceUp();
        clock.advance(Duration.ofSeconds(5));
        assertEquals(BackendHealth.WEIGHT_SCALE / 2, h.effectiveWeight(1));
    }

    @Test
    void withoutSlowStartRecoveryIsAtFullWeight() {
        BackendHealth h = health(1, 1, 0, Duration.ZERO);
        h.forceDown();
        h.forceUp();
        assertEquals(3 * BackendHealth.WEIGHT_SCALE, h.effectiveWeight(3));
    }

    @Test
    void badThresholdsAreRefused() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new HealthPolicy(0, 1, 0, Duration.ZERO));
        assertTrue(e.getMessage().contains("success threshold 0"), e.getMessage());
    }
}
