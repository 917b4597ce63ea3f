package io.pingora4j.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WindowArithmeticTest {

    @Test
    void mulDivFloorIsExactWhenTheProductOverflows() {
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 100_000; i++) {
            long c = 1 + random.nextLong(Long.MAX_VALUE);
            long b = random.nextLong(c) + 1;        // b <= c, as weighting uses it: result <= a
            long a = random.nextLong(Long.MAX_VALUE);
            long expected = BigInteger.valueOf(a).multiply(BigInteger.valueOf(b))
                    .divide(BigInteger.valueOf(c)).longValueExact();
            assertEquals(expected, WindowArithmetic.mulDivFloor(a, b, c), a + "*" + b + "/" + c);
        }
    }

    @Test
    void weightedPreviousShrinksLinearlyAcrossTheWindow() {
        assertEquals(10, WindowArithmetic.weighted(10, 1.0, 0, 1000));
        assertEquals(5, WindowArithmetic.weighted(10, 1.0, 500, 1000));
        assertEquals(0, WindowArithmetic.weighted(10, 1.0, 999, 1000));
        assertEquals(2, WindowArithmetic.weighted(10, 0.5, 500, 1000));
        assertEquals(0, WindowArithmetic.weighted(10, 0.0, 0, 1000));
    }

    @Test
    void ceilSecondsRoundsUpPartialSeconds() {
        assertEquals(0, WindowArithmetic.ceilSeconds(0));
        assertEquals(1, WindowArithmetic.ceilSeconds(1));
        assertEquals(1, WindowArithmetic.ceilSeconds(1_000_000_000L));
        assertEquals(2, WindowArithmetic.ceilSeconds(1_000_000_001L));
        assertEquals(Long.MAX_VALUE / 1_000_000_000L + 1, WindowArithmetic.ceilSeconds(Long.MAX_VALUE));
    }
}
