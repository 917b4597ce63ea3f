package io.pingora4j.codec.h1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class CookiesTest {

    private static HeaderBlock fields(String... cookieFields) {
        HeaderBlock h = new HeaderBlock();
        h.add("Host", "a");
        for (String c : cookieFields) {
            h.add("Cookie", c);
        }
        return h;
    }

    @Test
    void findsACookieAmongSeveral() {
        assertEquals("abc", Cookies.get(fields("a=1; sid=abc; b=2"), "sid"));
        assertEquals("1", Cookies.get(fields("a=1; sid=abc"), "a"));
    }

    @Test
    void aNameIsMatchedWholeNotAsASuffixOrPrefix() {
        assertEquals("def", Cookies.get(fields("xsid=abc; sid=def"), "sid"));
        assertNull(Cookies.get(fields("sidx=abc"), "sid"));
    }

    @Test
    void surroundingSpacesAndQuotesAreNotPartOfTheValue() {
        assertEquals("dark", Cookies.get(fields("deviceId=abc; theme=\"dark\""), "theme"));
        assertEquals("v", Cookies.get(fields("  k =  v  ;x=1"), "k"));
    }

    @Test
    void everyCookieFieldIsSearchedInOrder() {
        assertEquals("2", Cookies.get(fields("a=1", "b=2", "b=3"), "b"));
    }

    @Test
    void anEmptyValueIsEmptyAndAnAbsentCookieIsNull() {
        assertEquals("", Cookies.get(fields("sid=; a=1"), "sid"));
        assertNull(Cookies.get(fields("a=1"), "sid"));
        assertNull(Cookies.get(new HeaderBlock(), "sid"));
    }

    @Test
    void aPairWithoutEqualsIsSkipped() {
        assertNull(Cookies.get(fields("sid; a=1"), "sid"));
        assertEquals("1", Cookies.get(fields("junk; a=1"), "a"));
    }
}
