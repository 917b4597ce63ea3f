package io.pingora4j.cache.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VaryTest {

    @Test
    void fieldNamesAreLowerCasedDeduplicatedAndSorted() {
        assertArrayEquals(new String[] {"accept-encoding", "accept-language"},
                Vary.fields("Accept-Language, accept-encoding", "ACCEPT-ENCODING"));
    }

    @Test
    void aStarMeansTheResponseNeverMatches() {
        String[] f = Vary.fields("Accept", "*");
        assertArrayEquals(new String[] {"*"}, f);
        assertTrue(Vary.isStar(f));
        assertFalse(Vary.isStar(Vary.fields("Accept")));
    }

    @Test
    void noVaryOrOnlyEmptyListsDoNotVary() {
        assertNull(Vary.fields());
        assertNull(Vary.fields(" , "));
    }
}
