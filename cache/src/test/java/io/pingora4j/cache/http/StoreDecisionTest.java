package io.pingora4j.cache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StoreDecisionTest {

    private static StoreDecision decide(String method, String requestCc, boolean authorization,
                                        int status, String responseCc, boolean hasExpires) {
        return StoreDecision.forSharedCache(method, CacheControl.parse(requestCc), authorization,
                status, CacheControl.parse(responseCc), hasExpires);
    }

    @Test
    void getWithMaxAgeIsStorable_section3() {
        assertEquals(StoreDecision.STORE, decide("GET", "", false, 200, "max-age=60", false));
    }

    @Test
    void headIsStorable_section3() {
        assertEquals(StoreDecision.STORE, decide("HEAD", "", false, 200, "max-age=60", false));
    }

    @Test
    void postIsNotStored_section3() {
        assertEquals(StoreDecision.METHOD_NOT_CACHEABLE, decide("POST", "", false, 200, "max-age=60", false));
    }

    @Test
    void methodIsCaseSensitive_rfc9110_9_1() {
        assertEquals(StoreDecision.METHOD_NOT_CACHEABLE, decide("get", "", false, 200, "max-age=60", false));
    }

    @Test
    void interimAndUnknownStatusesAreNotStored_section3() {
        assertEquals(StoreDecision.STATUS_NOT_UNDERSTOOD, decide("GET", "", false, 100, "max-age=60", false));
        assertEquals(StoreDecision.STATUS_NOT_UNDERSTOOD, decide("GET", "", false, 299, "max-age=60", false));
    }

    @Test
    void partialContentIsNotStoredByThisCache_section3_3() {
        assertEquals(StoreDecision.STATUS_NOT_UNDERSTOOD, decide("GET", "", false, 206, "max-age=60", false));
    }

    @Test
    void requestNoStoreForbidsStoring_section5_2_1_5() {
        assertEquals(StoreDecision.NO_STORE_REQUEST, decide("GET", "no-store", false, 200, "max-age=60", false));
    }

    @Test
    void responseNoStoreForbidsStoring_section5_2_2_5() {
        assertEquals(StoreDecision.NO_STORE_RESPONSE, decide("GET", "", false, 200, "max-age=60, no-store", false));
    }

    @Test
    void mustUnderstandOverridesNoStoreForUnderstoodStatus_section5_2_2_3() {
        assertEquals(StoreDecision.STORE, decide("GET", "", false, 200, "max-age=60, no-store, must-understand", false));
    }

    @Test
    void mustUnderstandWithUnknownStatusIsNotStored_section5_2_2_3() {
        assertEquals(StoreDecision.STATUS_NOT_UNDERSTOOD,
                decide("GET", "", false, 299, "max-age=60, no-store, must-understand", false));
    }

    @Test
    void privateForbidsSharedCache_section5_2_2_7() {
        assertEquals(StoreDecision.PRIVATE, decide("GET", "", false, 200, "private, max-age=60", false));
    }

    @Test
    void qualifiedPrivateIsStorableWithoutTheNamedFields_section5_2_2_7() {
        assertEquals(StoreDecision.STORE, decide("GET", "", false, 200, "private=\"Set-Cookie\", max-age=60", false));
    }

    @Test
    void authorizationForbidsStoringByDefault_section3_5() {
        assertEquals(StoreDecision.AUTHORIZATION, decide("GET", "", true, 200, "max-age=60", false));
    }

    @Test
    void authorizationWithPublicIsStorable_section3_5() {
        assertEquals(StoreDecision.STORE, decide("GET", "", true, 200, "public, max-age=60", false));
    }

    @Test
    void authorizationWithMustRevalidateIsStorable_section3_5() {
        assertEquals(StoreDecision.STORE, decide("GET", "", true, 200, "must-revalidate, max-age=60", false));
    }

    @Test
    void authorizationWithSMaxAgeIsStorable_section3_5() {
        assertEquals(StoreDecision.STORE, decide("GET", "", true, 200, "s-maxage=60", false));
    }

    @Test
    void expiresAloneMakesAResponseStorable_section3() {
        assertEquals(StoreDecision.STORE, decide("GET", "", false, 302, "", true));
    }

    @Test
    void heuristicallyCacheableStatusIsStorableWithoutFreshness_section3() {
        assertEquals(StoreDecision.STORE, decide("GET", "", false, 404, "", false));
    }

    @Test
    void publicMakesAnyUnderstoodStatusStorable_section5_2_2_9() {
        assertEquals(StoreDecision.STORE, decide("GET", "", false, 302, "public", false));
    }

    @Test
    void statusNotCacheableByDefaultNeedsExplicitFreshness_section3() {
        assertEquals(StoreDecision.NO_FRESHNESS_INFORMATION, decide("GET", "", false, 302, "", false));
    }
}
