package io.pingora4j.codec.h1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class QueryStringTest {

    @Test
    void findsTheFirstParameterOfAName() {
        assertEquals("42", QueryString.get("a=1&uid=42&uid=43", "uid"));
        assertEquals("1", QueryString.get("a=1", "a"));
    }

    @Test
    void aNameIsMatchedWholeNotAsAPrefix() {
        assertNull(QueryString.get("uidx=1", "uid"));
        assertEquals("2", QueryString.get("xuid=1&uid=2", "uid"));
    }

    @Test
    void aParameterWithoutAValueIsEmpty() {
        assertEquals("", QueryString.get("debug&a=1", "debug"));
        assertEquals("", QueryString.get("a=1&debug=", "debug"));
    }

    @Test
    void valuesAreNotDecoded() {
        assertEquals("a%20b", QueryString.get("q=a%20b", "q"));
    }

    @Test
    void anAbsentParameterOrQueryIsNull() {
        assertNull(QueryString.get("a=1", "b"));
        assertNull(QueryString.get("", "b"));
        assertNull(QueryString.get(null, "b"));
        assertEquals("", QueryString.get("&&b", "b"));
    }
}
