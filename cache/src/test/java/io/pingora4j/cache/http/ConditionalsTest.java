package io.pingora4j.cache.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConditionalsTest {

    private static final String[] NONE = {};
    private static final String LM = "Tue, 01 Oct 2024 10:00:00 GMT";

    @Test
    void ifNoneMatchUsesTheWeakComparison() {
        assertTrue(Conditionals.notModified(new String[] {"W/\"a\""}, null, "\"a\"", null, 200));
        assertTrue(Conditionals.notModified(new String[] {"\"x\", \"a\""}, null, "W/\"a\"", null, 200));
        assertFalse(Conditionals.notModified(new String[] {"\"b\""}, null, "\"a\"", null, 200));
    }

    @Test
    void aStarMatchesAStoredResponseWithAnEntityTag() {
        assertTrue(Conditionals.notModified(new String[] {"*"}, null, "\"a\"", null, 200));
        assertFalse(Conditionals.notModified(new String[] {"*"}, null, null, LM, 200));
    }

    @Test
    void ifNoneMatchDecidesAloneWhenPresent() {
        assertFalse(Conditionals.notModified(new String[] {"\"b\""}, LM, "\"a\"", LM, 200));
    }

    @Test
    void ifModifiedSinceComparesWithTheStoredLastModified() {
        assertTrue(Conditionals.notModified(NONE, LM, null, LM, 200));
        assertTrue(Conditionals.notModified(NONE, "Wed, 02 Oct 2024 10:00:00 GMT", null, LM, 203));
        assertFalse(Conditionals.notModified(NONE, "Mon, 30 Sep 2024 10:00:00 GMT", null, LM, 200));
    }

    @Test
    void ifModifiedSinceIsIgnoredForOtherStatusesAndBadDates() {
        assertFalse(Conditionals.notModified(NONE, LM, null, LM, 301));
        assertFalse(Conditionals.notModified(NONE, "yesterday", null, LM, 200));
        assertFalse(Conditionals.notModified(NONE, LM, null, null, 200));
    }
}
