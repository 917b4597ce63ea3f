package io.pingora4j.server.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The same cases as Pingap's format.rs tests. */
class HumanUnitsTest {

    private static String bytes(long n) {
        StringBuilder sb = new StringBuilder();
        HumanUnits.appendBytes(sb, n);
        return sb.toString();
    }

    private static String millis(long n) {
        StringBuilder sb = new StringBuilder();
        HumanUnits.appendMillis(sb, n);
        return sb.toString();
    }

    @Test
    void byteSizes() {
        assertEquals("0B", bytes(0));
        assertEquals("512B", bytes(512));
        assertEquals("999B", bytes(999));
        assertEquals("1KB", bytes(1000));
        assertEquals("1KB", bytes(1024));
        assertEquals("1.1KB", bytes(1124));
        assertEquals("1.2MB", bytes(1220 * 1000));
        assertEquals("3GB", bytes(3_000_000_000L));
    }

    @Test
    void durations() {
        assertEquals("0ms", millis(0));
        assertEquals("100ms", millis(100));
        assertEquals("999ms", millis(999));
        assertEquals("1s", millis(1000));
        assertEquals("12.4s", millis(12400));
    }
}
