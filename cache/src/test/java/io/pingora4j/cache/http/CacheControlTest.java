package io.pingora4j.cache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CacheControlTest {

    @Test
    void emptyHeaderHasNoDirectives() {
        CacheControl cc = CacheControl.parse("");
        assertTrue(cc.maxAge().isEmpty());
        assertFalse(cc.noStore());
        assertFalse(cc.noCache());
        assertFalse(cc.isPrivate());
    }

    @Test
    void maxAgeIsParsed() {
        assertEquals(OptionalLong.of(60), CacheControl.parse("max-age=60").maxAge());
    }

    @Test
    void sMaxAgeIsParsed() {
        assertEquals(OptionalLong.of(120), CacheControl.parse("s-maxage=120").sMaxAge());
    }

    @Test
    void directiveNamesAreCaseInsensitive_section5_2() {
        CacheControl cc = CacheControl.parse("Max-Age=60, NO-STORE, Private");
        assertEquals(OptionalLong.of(60), cc.maxAge());
        assertTrue(cc.noStore());
        assertTrue(cc.isPrivate());
    }

    @Test
    void quotedArgumentIsAcceptedLikeToken_section5_2() {
        assertEquals(OptionalLong.of(60), CacheControl.parse("max-age=\"60\"").maxAge());
    }

    @Test
    void whitespaceAroundMembersAndEqualsIsTolerated() {
        CacheControl cc = CacheControl.parse("  public ,max-age = 30 ,, ");
        assertTrue(cc.isPublic());
        assertEquals(OptionalLong.of(30), cc.maxAge());
    }

    @Test
    void severalFieldLinesFormOneList() {
        CacheControl cc = CacheControl.parse(List.of("max-age=10", "must-revalidate"));
        assertEquals(OptionalLong.of(10), cc.maxAge());
        assertTrue(cc.mustRevalidate());
    }

    @Test
    void deltaSecondsOverflowIsCappedAt2To31_section1_2_2() {
        assertEquals(OptionalLong.of(2_147_483_648L), CacheControl.parse("max-age=99999999999999999999").maxAge());
    }

    @Test
    void invalidMaxAgeMakesResponseStale_section4_2_1() {
        assertEquals(OptionalLong.of(0), CacheControl.parse("max-age=abc").maxAge());
        assertEquals(OptionalLong.of(0), CacheControl.parse("max-age=-5").maxAge());
        assertEquals(OptionalLong.of(0), CacheControl.parse("max-age").maxAge());
        assertEquals(OptionalLong.of(0), CacheControl.parse("max-age=60 junk").maxAge());
    }

    @Test
    void conflictingDuplicateMaxAgeMakesResponseStale_section4_2_1() {
        assertEquals(OptionalLong.of(0), CacheControl.parse("max-age=60, max-age=3600").maxAge());
    }

    @Test
    void identicalDuplicateMaxAgeIsKept() {
        assertEquals(OptionalLong.of(60), CacheControl.parse("max-age=60", "max-age=60").maxAge());
    }

    @Test
    void conflictingDuplicateSMaxAgeMakesResponseStale() {
        assertEquals(OptionalLong.of(0), CacheControl.parse("s-maxage=60, s-maxage=10").sMaxAge());
    }

    @Test
    void noCacheWithoutFieldsIsUnqualified_section5_2_2_4() {
        CacheControl cc = CacheControl.parse("no-cache");
        assertTrue(cc.noCache());
        assertEquals(Set.of(), cc.noCacheFields());
    }

    @Test
    void noCacheWithFieldListNamesOnlyThoseFields_section5_2_2_4() {
        CacheControl cc = CacheControl.parse("no-cache=\"Set-Cookie, X-Token\", max-age=60");
        assertFalse(cc.noCache());
        assertEquals(Set.of("set-cookie", "x-token"), cc.noCacheFields());
        assertEquals(OptionalLong.of(60), cc.maxAge(), "the comma inside quotes must not split the list");
    }

    @Test
    void noCacheFieldListInTokenFormIsAccepted() {
        assertEquals(Set.of("set-cookie"), CacheControl.parse("no-cache=Set-Cookie").noCacheFields());
    }

    @Test
    void unqualifiedNoCacheWinsOverQualified() {
        CacheControl cc = CacheControl.parse("no-cache=\"Set-Cookie\", no-cache");
        assertTrue(cc.noCache());
        assertEquals(Set.of(), cc.noCacheFields());
    }

    @Test
    void emptyNoCacheFieldListIsUnqualified() {
        assertTrue(CacheControl.parse("no-cache=\"\"").noCache());
    }

    @Test
    void privateWithoutFieldsIsUnqualified_section5_2_2_7() {
        assertTrue(CacheControl.parse("private").isPrivate());
    }

    @Test
    void privateWithFieldListNamesFieldsNotToStore_section5_2_2_7() {
        CacheControl cc = CacheControl.parse("private=\"Set-Cookie\"");
        assertFalse(cc.isPrivate());
        assertEquals(Set.of("set-cookie"), cc.privateFields());
    }

    @Test
    void booleanDirectivesAreRecognised() {
        CacheControl cc = CacheControl.parse(
                "public, must-revalidate, proxy-revalidate, immutable, no-store, no-transform, must-understand");
        assertTrue(cc.isPublic());
        assertTrue(cc.mustRevalidate());
        assertTrue(cc.proxyRevalidate());
        assertTrue(cc.immutable());
        assertTrue(cc.noStore());
        assertTrue(cc.noTransform());
        assertTrue(cc.mustUnderstand());
    }

    @Test
    void staleWhileRevalidateIsParsed_rfc5861() {
        assertEquals(OptionalLong.of(30), CacheControl.parse("max-age=1, stale-while-revalidate=30").staleWhileRevalidate());
    }

    @Test
    void staleIfErrorIsParsed_rfc5861() {
        assertEquals(OptionalLong.of(600), CacheControl.parse("stale-if-error=600").staleIfError());
    }

    @Test
    void invalidStaleWhileRevalidateIsIgnored() {
        assertTrue(CacheControl.parse("stale-while-revalidate=soon").staleWhileRevalidate().isEmpty());
    }

    @Test
    void duplicateStaleIfErrorKeepsTheSmallest() {
        assertEquals(OptionalLong.of(10), CacheControl.parse("stale-if-error=600, stale-if-error=10").staleIfError());
    }

    @Test
    void maxStaleWithoutValueAcceptsAnyStaleness_section5_2_1_2() {
        assertEquals(OptionalLong.of(Long.MAX_VALUE), CacheControl.parse("max-stale").maxStale());
        assertEquals(OptionalLong.of(5), CacheControl.parse("max-stale=5").maxStale());
    }

    @Test
    void unknownExtensionsAreIgnored_section5_2_3() {
        CacheControl cc = CacheControl.parse("community=\"UCI\", max-age=5, x-ext=\"a,b\"");
        assertEquals(OptionalLong.of(5), cc.maxAge());
    }

    @Test
    void memberThatIsNotATokenIsSkipped() {
        CacheControl cc = CacheControl.parse("=oops, \"quoted, junk\", no-store");
        assertTrue(cc.noStore());
    }

    @Test
    void unterminatedQuotedMaxAgeIsInvalid() {
        assertEquals(OptionalLong.of(0), CacheControl.parse("max-age=\"60").maxAge());
    }

    @Test
    void aRequestWithoutCacheControlTakesPragmaNoCache() {
        String[] none = {};
        assertTrue(CacheControl.forRequest(none, new String[] {"no-cache"}).noCache());
        assertTrue(CacheControl.forRequest(none, new String[] {"x, No-Cache"}).noCache());
        assertFalse(CacheControl.forRequest(none, none).noCache());
        assertFalse(CacheControl.forRequest(new String[] {"max-age=5"}, new String[] {"no-cache"}).noCache(),
                "Cache-Control wins over Pragma (RFC 9111 \u00a75.4)");
    }
}
