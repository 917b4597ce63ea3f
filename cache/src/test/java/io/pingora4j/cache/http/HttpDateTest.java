package io.pingora4j.cache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HttpDateTest {

    private static final long NOV_6_1994 = 784_111_777L; // Sun, 06 Nov 1994 08:49:37 GMT
    private static final long NOW_2026 = 1_790_000_000L;

    @Test
    void imfFixdateIsParsed_rfc9110_5_6_7() {
        assertEquals(NOV_6_1994, HttpDate.parse("Sun, 06 Nov 1994 08:49:37 GMT", NOW_2026));
    }

    @Test
    void obsoleteRfc850DateIsParsed_rfc9110_5_6_7() {
        assertEquals(NOV_6_1994, HttpDate.parse("Sunday, 06-Nov-94 08:49:37 GMT", 800_000_000L));
    }

    @Test
    void rfc850YearMoreThan50YearsAheadIsInThePast_rfc9110_5_6_7() {
        // in 2026, "94" cannot be 2094 (more than 50 years ahead), so it is 1994
        assertEquals(NOV_6_1994, HttpDate.parse("Sunday, 06-Nov-94 08:49:37 GMT", NOW_2026));
    }

    @Test
    void asctimeDateIsParsed_rfc9110_5_6_7() {
        assertEquals(NOV_6_1994, HttpDate.parse("Sun Nov  6 08:49:37 1994", NOW_2026));
    }

    @Test
    void zeroIsInvalid_rfc9111_5_3() {
        assertEquals(HttpDate.INVALID, HttpDate.parse("0", NOW_2026));
    }

    @Test
    void garbageAndOutOfRangeFieldsAreInvalid() {
        assertEquals(HttpDate.INVALID, HttpDate.parse("yesterday", NOW_2026));
        assertEquals(HttpDate.INVALID, HttpDate.parse("Sun, 06 Nov 1994 25:49:37 GMT", NOW_2026));
        assertEquals(HttpDate.INVALID, HttpDate.parse("Sun, 31 Feb 1994 08:49:37 GMT", NOW_2026));
        assertEquals(HttpDate.INVALID, HttpDate.parse("Sun, 06 Nov 1994 08:49:37 PST", NOW_2026));
        assertEquals(HttpDate.INVALID, HttpDate.parse(null, NOW_2026));
    }
}
