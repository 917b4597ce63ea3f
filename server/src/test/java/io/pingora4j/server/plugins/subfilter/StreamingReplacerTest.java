package io.pingora4j.server.plugins.subfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Substitution over a body cut into chunks of every size gives what it gives on the whole body. */
class StreamingReplacerTest {

    private static final String BODY = "<html><head><title>Intro</title></head><body>"
            + "see http://old.example.com/a and HTTP://OLD.example.com/b, http://old.example.com</body></html>";

    private static String whole(String rule, String body) {
        return new StreamingReplacer(SubFilterRule.parse(rule), SubFilterFactory.WINDOW).feed(body, true);
    }

    private static String chunked(String rule, String body, int size) {
        StreamingReplacer r = new StreamingReplacer(SubFilterRule.parse(rule), SubFilterFactory.WINDOW);
        StringBuilder out = new StringBuilder();
        for (int at = 0; at < body.length(); at += size) {
            out.append(r.feed(body.substring(at, Math.min(body.length(), at + size)), false));
        }
        return out.append(r.feed("", true)).toString();
    }

    private static void assertSameAtEveryChunkSize(String rule, String expected) {
        assertEquals(expected, whole(rule, BODY), "whole body");
        for (int size = 1; size <= BODY.length(); size++) {
            assertEquals(expected, chunked(rule, BODY, size), "chunks of " + size);
        }
    }

    @Test
    void aGlobalLiteralIsReplacedEverywhereEvenAcrossBoundaries() {
        assertSameAtEveryChunkSize("sub_filter 'http://old.example.com' 'https://new.example.com' g",
                BODY.replace("http://old.example.com", "https://new.example.com"));
    }

    @Test
    void aLiteralWithoutGIsReplacedOnce() {
        assertSameAtEveryChunkSize("sub_filter 'http://old.example.com' 'X'",
                BODY.replaceFirst("http://old\\.example\\.com", "X"));
    }

    @Test
    void aCaseInsensitiveRegexWithAGroupReferenceIsReplacedAcrossBoundaries() {
        assertSameAtEveryChunkSize("subs_filter 'http://old\\.(example)\\.com' 'https://$1.org' gi",
                BODY.replaceAll("(?i)http://old\\.(example)\\.com", "https://$1.org"));
    }

    @Test
    void aLazyRegexMatchIsNotCutShortByAChunkEnd() {
        assertSameAtEveryChunkSize("subs_filter '<title>(.*?)</title>' '<title>$1 - Docs</title>'",
                BODY.replace("<title>Intro</title>", "<title>Intro - Docs</title>"));
    }

    @Test
    void nonAsciiLiteralsMatchTheirUtf8Bytes() {
        String body = new String("café crème".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        String out = chunked("sub_filter 'crème' 'brûlée' g", body, 3);

        assertEquals("café brûlée", new String(out.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                java.nio.charset.StandardCharsets.UTF_8));
    }
}
