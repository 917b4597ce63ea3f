package io.pingora4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HumanDurationTest {

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void durationsParseHumanUnits() {
        assertEquals(Duration.ofSeconds(3), HumanDuration.parse("3s"));
        assertEquals(Duration.ofMillis(500), HumanDuration.parse("500ms"));
        assertEquals(Duration.ofMinutes(1), HumanDuration.parse("1m"));
        assertEquals(Duration.ofSeconds(90), HumanDuration.parse("1m30s"));
        assertEquals(Duration.ofMinutes(90), HumanDuration.parse("1h 30m"));
        assertEquals(Duration.ofNanos(1500), HumanDuration.parse("1us500ns"));
    }

    @Test
    void humantimeWordsAndSpacesParseAsInPingap() {
        assertEquals(Duration.ofSeconds(3), HumanDuration.parse("3 s"));
        assertEquals(Duration.ofSeconds(1200).plusNanos(17), HumanDuration.parse("20 min 17 nsec "));
        assertEquals(Duration.ofSeconds(8100), HumanDuration.parse("2hours 15mins"));
        assertEquals(Duration.ofDays(14), HumanDuration.parse("2w"));
        assertEquals(Duration.ofSeconds(2_630_016), HumanDuration.parse("1M"), "M is a month, m a minute");
        assertEquals(Duration.ofSeconds(31_557_600), HumanDuration.parse("1y"));
    }

    @Test
    void badDurationsNameTheProblem() {
        assertTrue(message(() -> HumanDuration.parse("10")).contains("missing unit"));
        assertTrue(message(() -> HumanDuration.parse("10 parsecs")).contains("\"parsecs\""));
        assertTrue(message(() -> HumanDuration.parse("fast")).contains("\"fast\""));
        assertTrue(message(() -> HumanDuration.parse("")).contains("empty"));
        assertTrue(message(() -> HumanDuration.parse("99999999999999999999d")).contains("too large"));
        assertTrue(message(() -> HumanDuration.parse("99999999999999y")).contains("too large"));
        assertTrue(message(() -> HumanDuration.parse("1.5s")).contains("unexpected \".\""));
    }
}
