package io.pingora4j.cache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FreshnessTest {

    /** Sun, 06 Nov 1994 08:49:37 GMT: the request is sent and answered at this instant unless a test says otherwise. */
    private static final long T = 784_111_777L;
    private static final String DATE_T = "Sun, 06 Nov 1994 08:49:37 GMT";
    private static final String DATE_T_PLUS_100 = "Sun, 06 Nov 1994 08:51:17 GMT";
    private static final String DATE_T_MINUS_1000 = "Sun, 06 Nov 1994 08:32:57 GMT";

    private static Freshness.Builder response(String cacheControl) {
        return Freshness.forResponse(200, CacheControl.parse(cacheControl))
                .date(DATE_T).requestTime(T).responseTime(T);
    }

    private static Freshness fresh(String cacheControl) {
        return response(cacheControl).build(FreshnessPolicy.NO_HEURISTIC);
    }

    @Test
    void capLifetimeLowersALongerLifetimeAndKeepsAShorterOne() {
        assertEquals(60, fresh("max-age=3600, stale-if-error=30").capLifetime(60).lifetime());
        assertEquals(10, fresh("max-age=10").capLifetime(60).lifetime());
        Freshness capped = fresh("max-age=3600, stale-if-error=30").capLifetime(60);
        assertTrue(capped.mayServeStaleIfError(T + 80), "stale allowances are kept");
        assertFalse(capped.mayServeStaleIfError(T + 100));
    }

    @Test
    void sMaxAgeTakesPrecedenceForSharedCache_section4_2_1() {
        assertEquals(100, fresh("max-age=10, s-maxage=100").lifetime());
    }

    @Test
    void maxAgeTakesPrecedenceOverExpires_section4_2_1() {
        Freshness f = response("max-age=10").expires(DATE_T_PLUS_100).build(FreshnessPolicy.NO_HEURISTIC);
        assertEquals(10, f.lifetime());
    }

    @Test
    void expiresMinusDateIsTheLifetimeWithoutMaxAge_section4_2_1() {
        Freshness f = response("").expires(DATE_T_PLUS_100).build(FreshnessPolicy.NO_HEURISTIC);
        assertEquals(100, f.lifetime());
    }

    @Test
    void expiresWithoutDateUsesResponseTime_section4_2_1() {
        Freshness f = Freshness.forResponse(200, CacheControl.EMPTY)
                .expires(DATE_T_PLUS_100).requestTime(T).responseTime(T).build(FreshnessPolicy.NO_HEURISTIC);
        assertEquals(100, f.lifetime());
    }

    @Test
    void invalidExpiresMeansAlreadyExpired_section5_3() {
        Freshness f = response("").expires("0").build(FreshnessPolicy.NO_HEURISTIC);
        assertEquals(0, f.lifetime());
        assertFalse(f.isFresh(T));
    }

    @Test
    void conflictingExpiresLinesMeanStale_section4_2_1() {
        Freshness f = response("").expires(DATE_T_PLUS_100, DATE_T).build(FreshnessPolicy.NO_HEURISTIC);
        assertEquals(0, f.lifetime());
    }

    @Test
    void noExplicitExpirationAndNoHeuristicMeansZeroLifetime_section4_2_2() {
        Freshness f = response("").lastModified(DATE_T_MINUS_1000).build(FreshnessPolicy.NO_HEURISTIC);
        assertEquals(0, f.lifetime());
    }

    @Test
    void configuredHeuristicIsAFractionOfTimeSinceLastModified_section4_2_2() {
        Freshness f = response("").lastModified(DATE_T_MINUS_1000).build(new FreshnessPolicy(0.1, 3600));
        assertEquals(100, f.lifetime());
    }

    @Test
    void heuristicIsCapped() {
        Freshness f = response("").lastModified(DATE_T_MINUS_1000).build(new FreshnessPolicy(0.1, 30));
        assertEquals(30, f.lifetime());
    }

    @Test
    void heuristicDoesNotApplyToStatusesNotCacheableByDefault_section4_2_2() {
        Freshness f = Freshness.forResponse(302, CacheControl.EMPTY).date(DATE_T).lastModified(DATE_T_MINUS_1000)
                .requestTime(T).responseTime(T).build(new FreshnessPolicy(0.1, 3600));
        assertEquals(0, f.lifetime());
    }

    @Test
    void heuristicAppliesToAnyStatusMarkedPublic_section4_2_2() {
        Freshness f = Freshness.forResponse(302, CacheControl.parse("public")).date(DATE_T)
                .lastModified(DATE_T_MINUS_1000).requestTime(T).responseTime(T).build(new FreshnessPolicy(0.1, 3600));
        assertEquals(100, f.lifetime());
    }

    @Test
    void ageHeaderAddsToCurrentAge_section4_2_3() {
        Freshness f = response("max-age=100").age("30").build(FreshnessPolicy.NO_HEURISTIC);
        assertEquals(30, f.currentAge(T));
        assertEquals(40, f.currentAge(T + 10));
    }

    @Test
    void responseDelayIsAddedToAgeValue_section4_2_3() {
        // request sent at T-5, response received at T: corrected_age_value = age + 5
        Freshness f = Freshness.forResponse(200, CacheControl.parse("max-age=100")).date(DATE_T).age("30")
                .requestTime(T - 5).responseTime(T).build(FreshnessPolicy.NO_HEURISTIC);
        assertEquals(35, f.currentAge(T));
    }

    @Test
    void apparentAgeFromDateCountsWhenLarger_section4_2_3() {
        // Date says the origin produced it 1000 s before we received it, with no Age header
        Freshness f = Freshness.forResponse(200, CacheControl.parse("max-age=3600")).date(DATE_T_MINUS_1000)
                .requestTime(T).responseTime(T).build(FreshnessPolicy.NO_HEURISTIC);
        assertEquals(1000, f.currentAge(T));
    }

    @Test
    void dateInTheFutureDoesNotMakeAgeNegative_section4_2_3() {
        Freshness f = Freshness.forResponse(200, CacheControl.parse("max-age=60")).date(DATE_T_PLUS_100)
                .requestTime(T).responseTime(T).build(FreshnessPolicy.NO_HEURISTIC);
        assertEquals(0, f.currentAge(T));
    }

    @Test
    void invalidAgeCountsAsNotAvailable_section4_2_3() {
        Freshness f = response("max-age=60").age("soon").build(FreshnessPolicy.NO_HEURISTIC);
        assertEquals(0, f.currentAge(T));
    }

    @Test
    void residentTimeIsAddedToAge_section4_2_3() {
        assertEquals(25, fresh("max-age=60").currentAge(T + 25));
    }

    @Test
    void freshWhileLifetimeExceedsAge_section4_2() {
        Freshness f = fresh("max-age=60");
        assertTrue(f.isFresh(T + 59));
        assertFalse(f.isFresh(T + 60));
        assertEquals(0, f.staleness(T + 59));
        assertEquals(5, f.staleness(T + 65));
    }

    @Test
    void noCacheRequiresValidationEvenWhenFresh_section5_2_2_4() {
        Freshness f = fresh("max-age=60, no-cache");
        assertTrue(f.isFresh(T));
        assertFalse(f.usableWithoutValidation(T));
    }

    @Test
    void staleWhileRevalidateAllowsStaleWithinWindow_rfc5861_3() {
        Freshness f = fresh("max-age=60, stale-while-revalidate=30");
        assertFalse(f.mayServeStaleWhileRevalidate(T + 10), "fresh responses need no stale allowance");
        assertTrue(f.mayServeStaleWhileRevalidate(T + 90));
        assertFalse(f.mayServeStaleWhileRevalidate(T + 91));
    }

    @Test
    void staleIfErrorAllowsStaleWithinWindow_rfc5861_4() {
        Freshness f = fresh("max-age=60, stale-if-error=600");
        assertTrue(f.mayServeStaleIfError(T + 600));
        assertFalse(f.mayServeStaleIfError(T + 661));
        assertFalse(f.mayServeStaleWhileRevalidate(T + 61));
    }

    @Test
    void mustRevalidateForbidsServingStale_section4_2_4() {
        Freshness f = fresh("max-age=60, must-revalidate, stale-while-revalidate=30, stale-if-error=30");
        assertFalse(f.mayServeStaleWhileRevalidate(T + 70));
        assertFalse(f.mayServeStaleIfError(T + 70));
    }

    @Test
    void proxyRevalidateForbidsServingStaleFromSharedCache_section5_2_2_8() {
        assertFalse(fresh("max-age=60, proxy-revalidate, stale-if-error=30").mayServeStaleIfError(T + 70));
    }

    @Test
    void sMaxAgeForbidsServingStaleFromSharedCache_section5_2_2_10() {
        assertFalse(fresh("s-maxage=60, stale-if-error=30").mayServeStaleIfError(T + 70));
    }

    @Test
    void requestMaxAgeRejectsOlderResponse_section5_2_1_1() {
        Freshness f = fresh("max-age=600");
        assertTrue(f.satisfies(CacheControl.parse("max-age=100"), T + 100));
        assertFalse(f.satisfies(CacheControl.parse("max-age=100"), T + 101));
    }

    @Test
    void requestMinFreshNeedsRemainingLifetime_section5_2_1_3() {
        Freshness f = fresh("max-age=600");
        assertTrue(f.satisfies(CacheControl.parse("min-fresh=100"), T + 500));
        assertFalse(f.satisfies(CacheControl.parse("min-fresh=100"), T + 501));
    }

    @Test
    void requestMaxStaleAcceptsStaleResponse_section5_2_1_2() {
        Freshness f = fresh("max-age=60");
        assertTrue(f.satisfies(CacheControl.parse("max-stale=10"), T + 70));
        assertFalse(f.satisfies(CacheControl.parse("max-stale=10"), T + 71));
        assertFalse(f.satisfies(CacheControl.EMPTY, T + 61));
    }

    @Test
    void requestMaxStaleCannotOverrideMustRevalidate_section5_2_2_2() {
        assertFalse(fresh("max-age=60, must-revalidate").satisfies(CacheControl.parse("max-stale"), T + 70));
    }

    @Test
    void requestNoCacheForcesValidation_section5_2_1_4() {
        assertFalse(fresh("max-age=60").satisfies(CacheControl.parse("no-cache"), T));
    }

    @Test
    void missingTimesAreRefused() {
        assertThrows(IllegalStateException.class,
                () -> Freshness.forResponse(200, CacheControl.EMPTY).build(FreshnessPolicy.NO_HEURISTIC));
    }

    @Test
    void aRestoredStateAnswersEveryQuestionAsTheOriginal() {
        Freshness f = Freshness.forResponse(200, CacheControl.parse("max-age=100, stale-while-revalidate=30, stale-if-error=60"))
                .age("10").requestTime(1_000).responseTime(1_002).build(FreshnessPolicy.NO_HEURISTIC);
        Freshness r = Freshness.restore(f.state());

        for (long now : new long[] {1_002, 1_080, 1_095, 1_120, 1_150, 1_200}) {
            assertEquals(f.currentAge(now), r.currentAge(now));
            assertEquals(f.isFresh(now), r.isFresh(now));
            assertEquals(f.mayServeStaleWhileRevalidate(now), r.mayServeStaleWhileRevalidate(now));
            assertEquals(f.mayServeStaleIfError(now), r.mayServeStaleIfError(now));
        }
        Freshness noCache = Freshness.restore(Freshness.forResponse(200, CacheControl.parse("no-cache, max-age=100"))
                .requestTime(0).responseTime(0).build(FreshnessPolicy.NO_HEURISTIC).state());
        assertFalse(noCache.usableWithoutValidation(1));
    }

    @Test
    void aStateThatIsNotOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Freshness.restore(new long[] {1, 2, 3}));
        assertThrows(IllegalArgumentException.class, () -> Freshness.restore(new long[] {-1, 0, 0, 0, -1, -1}));
        assertThrows(IllegalArgumentException.class, () -> Freshness.restore(new long[] {1, 0, 0, 8, -1, -1}));
    }
}
