package io.pingora4j.codec.h1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Editing fields, and the guards that keep edits from injecting header lines. */
class HeaderBlockTest {

    @Test
    void namesCompareCaseInsensitively() {
        HeaderBlock h = new HeaderBlock();
        h.add("X-Request-Id", "1");
        assertEquals("1", h.get("x-request-id"));
        assertTrue(h.nameEquals(0, "X-REQUEST-ID"));
    }

    @Test
    void addedKnownNamesAreClassified() {
        HeaderBlock h = new HeaderBlock();
        h.add("content-length", "5");
        assertEquals(KnownHeader.CONTENT_LENGTH, h.kind(0));
    }

    @Test
    void removeAllRemovesEveryOccurrence() {
        HeaderBlock h = new HeaderBlock();
        h.add("A", "1");
        h.add("B", "2");
        h.add("a", "3");
        assertEquals(2, h.removeAll("a"));
        assertEquals(1, h.size());
        assertEquals("B", h.name(0));
    }

    @Test
    void setReplacesEveryOccurrence() {
        HeaderBlock h = new HeaderBlock();
        h.add("A", "1");
        h.add("A", "2");
        h.set("a", "3");
        assertEquals(1, h.size());
        assertEquals("3", h.get("A"));
    }

    @Test
    void valuesWithCrOrLfAreRefusedSoNoLineCanBeInjected() {
        HeaderBlock h = new HeaderBlock();
        assertThrows(IllegalArgumentException.class, () -> h.add("X", "a\r\nInjected: yes"));
        assertThrows(IllegalArgumentException.class, () -> h.add("X", "a\u0000"));
        assertEquals(0, h.size());
    }

    @Test
    void namesThatAreNotTokensAreRefused() {
        HeaderBlock h = new HeaderBlock();
        assertThrows(IllegalArgumentException.class, () -> h.add("Bad Name", "v"));
        assertThrows(IllegalArgumentException.class, () -> h.add("", "v"));
        assertThrows(IllegalArgumentException.class, () -> h.add("X:", "v"));
    }

    @Test
    void addedValuesAreTrimmed() {
        HeaderBlock h = new HeaderBlock();
        h.add("X", "  v  ");
        assertEquals("v", h.value(0));
    }

    @Test
    void hasTokenReadsCommaSeparatedLists() {
        HeaderBlock h = new HeaderBlock();
        h.add("Connection", " keep-alive ,  Upgrade,,x ");
        assertTrue(h.hasToken(0, "upgrade"));
        assertTrue(h.hasToken(0, "KEEP-ALIVE"));
        assertTrue(h.hasToken(0, "x"));
        assertFalse(h.hasToken(0, "close"));
    }

    @Test
    void missingNameGivesNull() {
        assertNull(new HeaderBlock().get("nope"));
    }

    @Test
    void indexOutOfRangeIsRefused() {
        assertThrows(IndexOutOfBoundsException.class, () -> new HeaderBlock().name(0));
    }

    @Test
    void hopByHopFieldsAreKnown() {
        assertTrue(KnownHeader.isHopByHop(KnownHeader.classify("Keep-Alive")));
        assertTrue(KnownHeader.isHopByHop(KnownHeader.classify("transfer-encoding")));
        assertFalse(KnownHeader.isHopByHop(KnownHeader.classify("Host")));
    }

    @Test
    void connectionValueListsTheFieldsItNames() {
        HeaderBlock h = new HeaderBlock();
        h.add("Connection", "keep-alive, X-Secret ,Foo");
        h.add("x-secret", "1");
        h.add("Foo", "2");
        h.add("Bar", "3");
        assertTrue(h.valueListsName(0, 1));
        assertTrue(h.valueListsName(0, 2));
        assertFalse(h.valueListsName(0, 3));
    }

    @Test
    void copyFromCopiesEveryFieldIntoOwnStorage() {
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap("GET http://a.example/p?q HTTP/1.1\r\nHost: a.example\r\nX: 1\r\n\r\n"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        RequestParser p = new RequestParser();
        p.next(in);
        RequestHead copy = new RequestHead();
        copy.copyFrom(p.head());
        in.put(0, (byte) 'X').put(40, (byte) 'Z'); // the copy no longer refers to the input
        assertEquals("GET", copy.methodName());
        assertEquals("http://a.example/p?q", copy.target());
        assertEquals("/p?q", copy.pathAndQuery());
        assertEquals("a.example", copy.authority());
        assertEquals("Host: a.example\r\nX: 1\r\n", copy.headers().toString());
        copy.headers().set("X", "2");
        assertEquals("1", p.head().headers().get("X"));
    }
}
