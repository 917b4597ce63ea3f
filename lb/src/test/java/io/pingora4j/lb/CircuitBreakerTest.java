package io.pingora4j.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.lb.CircuitBreaker.State;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    private final ManualClock clock = new ManualClock();

    private CircuitBreaker consecutive(int failures, int probes) {
        return new CircuitBreaker(new CircuitBreaker.Policy(failures, 0, 1, Duration.ofSeconds(10),
                Duration.ofSeconds(30), probes), clock);
    }

    private CircuitBreaker percent(int percent, int minRequests) {
        return new CircuitBreaker(new CircuitBreaker.Policy(0, percent, minRequests, Duration.ofSeconds(10),
                Duration.ofSeconds(30), 1), clock);
    }

    private static void fail(CircuitBreaker b, int times) {
        for (int i = 0; i < times; i++) {
            assertTrue(b.tryAcquire());
            b.onFailure();
        }
    }

    private static void succeed(CircuitBreaker b, int times) {
        for (int i = 0; i < times; i++) {
            assertTrue(b.tryAcquire());
            b.onSuccess();
        }
    }

    @Test
    void opensAfterConsecutiveFailures() {
        CircuitBreaker b = consecutive(3, 1);
        fail(b, 2);
        assertEquals(State.CLOSED, b.state());
        fail(b, 1);
        assertEquals(State.OPEN, b.state());
        assertFalse(b.tryAcquire());
        assertFalse(b.isCallPermitted());
        assertEquals(1, b.timesOpened());
    }

    @Test
    void aSuccessResetsTheConsecutiveRun() {
        CircuitBreaker b = consecutive(3, 1);
        fail(b, 2);
        succeed(b, 1);
        fail(b, 2);
        assertEquals(State.CLOSED, b.state());
    }

    @Test
    void opensOnFailurePercentageOverMinimumRequests() {
        CircuitBreaker b = percent(50, 10);
        succeed(b, 4);
        fail(b, 4); // 4/8 = 50% but under 10 requests
        assertEquals(State.CLOSED, b.state());
        succeed(b, 1);
        fail(b, 1); // 5/10 = 50%
        assertEquals(State.OPEN, b.state());
    }

    @Test
    void percentageWindowStartsAfreshWhenItElapses() {
        CircuitBreaker b = percent(50, 4);
        fail(b, 3);
        clock.advance(Duration.ofSeconds(11));
        succeed(b, 3);
        fail(b, 1); // 1/4 in the new window
        assertEquals(State.CLOSED, b.state());
    }

    @Test
    void staysOpenForOpenDurationThenLetsProbesThrough() {
        CircuitBreaker b = consecutive(1, 2);
        fail(b, 1);
        clock.advance(Duration.ofSeconds(29));
        assertFalse(b.tryAcquire());
        clock.advance(Duration.ofSeconds(1));
        assertTrue(b.isCallPermitted());
        assertTrue(b.tryAcquire());
        assertEquals(State.HALF_OPEN, b.state());
        assertTrue(b.tryAcquire());
        assertFalse(b.tryAcquire(), "only two probes in half-open");
        assertFalse(b.isCallPermitted());
    }

    @Test
    void probeSuccessesCloseIt() {
        CircuitBreaker b = consecutive(1, 2);
        fail(b, 1);
        clock.advance(Duration.ofSeconds(30));
        assertTrue(b.tryAcquire());
        assertTrue(b.tryAcquire());
        b.onSuccess();
        assertEquals(State.HALF_OPEN, b.state());
        b.onSuccess();
        assertEquals(State.CLOSED, b.state());
        assertTrue(b.tryAcquire());
    }

    @Test
    void aProbeFailureReopensIt() {
        CircuitBreaker b = consecutive(1, 2);
        fail(b, 1);
        clock.advance(Duration.ofSeconds(30));
        assertTrue(b.tryAcquire());
        b.onFailure();
        assertEquals(State.OPEN, b.state());
        assertFalse(b.tryAcquire());
        assertEquals(2, b.timesOpened());
        clock.advance(Duration.ofSeconds(30));
        assertTrue(b.tryAcquire());
    }

    @Test
    void probesThatNeverReportAreReplacedAfterAnotherOpenDuration() {
        CircuitBreaker b = consecutive(1, 1);
        fail(b, 1);
        clock.advance(Duration.ofSeconds(30));
        assertTrue(b.tryAcquire()); // lost: no onSuccess/onFailure
        assertFalse(b.tryAcquire());
        clock.advance(Duration.ofSeconds(30));
        assertTrue(b.tryAcquire());
    }

    @Test
    void resultsArrivingWhileOpenAreIgnored() {
        CircuitBreaker b = consecutive(1, 1);
        fail(b, 1);
        b.onSuccess();
        b.onFailure();
        assertEquals(State.OPEN, b.state());
        assertEquals(1, b.timesOpened());
    }

    @Test
    void policyWithoutAnyTriggerIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new CircuitBreaker.Policy(0, 0, 1,
                Duration.ofSeconds(1), Duration.ofSeconds(1), 1));
        assertTrue(e.getMessage().contains("consecutive failures or a failure percent"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new CircuitBreaker.Policy(1, 120, 1,
                Duration.ofSeconds(1), Duration.ofSeconds(1), 1));
        assertTrue(e.getMessage().contains("120"), e.getMessage());
    }
}
