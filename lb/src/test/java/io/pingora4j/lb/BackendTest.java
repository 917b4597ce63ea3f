package io.pingora4j.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BackendTest {

    @Test
    void parsesAddressWithoutWeightAsWeightOne() {
        Backend b = Backend.parse("10.0.0.1:8080");
        assertEquals(new Backend("10.0.0.1", 8080, 1, "10.0.0.1:8080"), b);
    }

    @Test
    void parsesPingapAddressAndWeight() {
        Backend b = Backend.parse("  10.0.0.1:8080   5 ");
        assertEquals("10.0.0.1", b.host());
        assertEquals(8080, b.port());
        assertEquals(5, b.weight());
        assertEquals("10.0.0.1:8080", b.address());
    }

    @Test
    void parsesBracketedIpv6() {
        Backend b = Backend.parse("[2001:db8::1]:443 2");
        assertEquals("2001:db8::1", b.host());
        assertEquals(443, b.port());
        assertEquals("[2001:db8::1]:443", b.address());
    }

    @Test
    void defaultPortKeepsWrittenAddress() {
        Backend b = Backend.parse("backend.internal", 80);
        assertEquals(80, b.port());
        assertEquals("backend.internal", b.address());
    }

    @Test
    void missingPortIsRefusedWithoutDefault() {
        var e = assertThrows(IllegalArgumentException.class, () -> Backend.parse("backend.internal"));
        assertTrue(e.getMessage().contains("backend.internal") && e.getMessage().contains("missing port"), e.getMessage());
    }

    @Test
    void badWeightNamesTheWeight() {
        var e = assertThrows(IllegalArgumentException.class, () -> Backend.parse("10.0.0.1:80 heavy"));
        assertTrue(e.getMessage().contains("\"heavy\""), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Backend.parse("10.0.0.1:80 0"));
        assertTrue(e.getMessage().contains("weight 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Backend.parse("10.0.0.1:80 -3"));
        assertTrue(e.getMessage().contains("weight -3"), e.getMessage());
    }

    @Test
    void badPortNamesThePort() {
        var e = assertThrows(IllegalArgumentException.class, () -> Backend.parse("10.0.0.1:99999"));
        assertTrue(e.getMessage().contains("99999"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Backend.parse("10.0.0.1:http"));
        assertTrue(e.getMessage().contains("\"http\""), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Backend.parse("10.0.0.1:0"));
        assertTrue(e.getMessage().contains("port"), e.getMessage());
    }

    @Test
    void extraPartsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Backend.parse("10.0.0.1:80 2 3"));
    }

    @Test
    void unbracketedIpv6IsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> Backend.parse("2001:db8::1:80"));
        assertTrue(e.getMessage().contains("[addr]:port"), e.getMessage());
    }

    @Test
    void statsTrackInFlightRequestsAndFailures() {
        BackendStats s = new BackendStats();
        s.onRequestStart();
        s.onRequestStart();
        s.onRequestEnd(true);
        assertEquals(2, s.requests());
        assertEquals(1, s.inFlight());
        assertEquals(1, s.failures());
    }
}
