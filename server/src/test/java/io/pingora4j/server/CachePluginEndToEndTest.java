package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.pingora4j.server.ScriptedOrigin.Reply;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The {@code cache} plugin through the real server and a scripted origin: what is stored and
 * served, and the request's own directives (RFC 9111), plus Pingap's keys.
 */
class CachePluginEndToEndTest extends CachePluginFixture {

    // ================================================================== storing and serving

    @Test
    void aFreshStoredResponseIsServedWithoutTheOrigin() throws IOException {
        start(r -> Reply.of(200, "page", "Cache-Control", "max-age=60"));
        WireClient.Response first = get("/a");
        WireClient.Response second = get("/a");

        assertEquals("MISS", first.header("X-Cache"));
        assertEquals("HIT", second.header("X-Cache"));
        assertEquals("page", second.body());
        assertEquals("4", second.header("Content-Length"));
        assertNotNull(second.header("Age"), "§5.1: a response served from cache carries Age");
        assertEquals(1, originRequests());
    }

    @Test
    void theQueryIsPartOfTheKey() throws IOException {
        start(r -> Reply.of(200, r.uri(), "Cache-Control", "max-age=60"));
        assertEquals("/q?x=1", get("/q?x=1").body());
        assertEquals("/q?x=2", get("/q?x=2").body());
        assertEquals("HIT", get("/q?x=1").header("X-Cache"));
        assertEquals(2, originRequests());
    }

    @Test
    void aChunkedResponseIsStoredWhileItStreamsAndServedWithItsLength() throws IOException {
        String body = "x".repeat(50_000);
        start(r -> Reply.of(200, body, "Cache-Control", "max-age=60").streamed());
        WireClient.Response first = get("/big");
        WireClient.Response second = get("/big");

        assertEquals(body, first.body());
        assertEquals("HIT", second.header("X-Cache"));
        assertEquals(body, second.body());
        assertEquals("50000", second.header("Content-Length"));
    }

    @Test
    void noStoreInTheResponseIsNotStored_section5_2_2_5() throws IOException {
        start(r -> Reply.of(200, "secret", "Cache-Control", "no-store, max-age=60"));
        get("/n");
        assertEquals("MISS", get("/n").header("X-Cache"));
        assertEquals(2, originRequests());
    }

    @Test
    void privateResponsesAreNotStoredByASharedCache_section5_2_2_7() throws IOException {
        start(r -> Reply.of(200, "mine", "Cache-Control", "private, max-age=60"));
        get("/p");
        get("/p");
        assertEquals(2, originRequests());
    }

    @Test
    void noStoreInTheRequestIsNotStored_section5_2_1_5() throws IOException {
        start(r -> Reply.of(200, "page", "Cache-Control", "max-age=60"));
        get("/r", "Cache-Control: no-store");
        assertEquals("MISS", get("/r").header("X-Cache"));
        assertEquals(2, originRequests());
    }

    @Test
    void aResponseToARequestWithAuthorizationIsNotStoredUnlessPublic_section3_5() throws IOException {
        start(r -> Reply.of(200, "x", "Cache-Control", r.uri().contains("public") ? "public, max-age=60" : "max-age=60"));
        get("/auth", "Authorization: Bearer t");
        get("/auth", "Authorization: Bearer t");
        get("/auth-public", "Authorization: Bearer t");
        assertEquals("HIT", get("/auth-public", "Authorization: Bearer t").header("X-Cache"));
        assertEquals(3, originRequests());
    }

    @Test
    void aResponseWithoutExplicitFreshnessOrValidatorsIsNotStored_section3() throws IOException {
        start(r -> Reply.of(200, "plain"));
        get("/plain");
        get("/plain");
        assertEquals(2, originRequests());
    }

    @Test
    void expiresGivesFreshnessWithoutCacheControl_section5_3() throws IOException {
        start(r -> Reply.of(200, "e", "Expires", "Thu, 01 Jan 2099 00:00:00 GMT"));
        get("/e");
        assertEquals("HIT", get("/e").header("X-Cache"));
    }

    @Test
    void checkCacheControlRefusesAResponseWithoutCacheControl() throws IOException {
        start(r -> Reply.of(200, "e", "Expires", "Thu, 01 Jan 2099 00:00:00 GMT"), "check_cache_control = true");
        get("/e");
        assertEquals("MISS", get("/e").header("X-Cache"));
        assertEquals(2, originRequests());
    }

    @Test
    void aBodyOverMaxFileSizePassesThroughUnstored() throws IOException {
        start(r -> Reply.of(200, "y".repeat(2000), "Cache-Control", "max-age=60").streamed(), "max_file_size = 1000");
        assertEquals(2000, get("/large").body().length());
        assertEquals(2000, get("/large").body().length());
        assertEquals(2, originRequests());
    }

    @Test
    void skipMatchingRequestsBypassTheCache() throws IOException {
        start(r -> Reply.of(200, "s", "Cache-Control", "max-age=60"), "skip = \"^/api/\"");
        get("/api/x");
        WireClient.Response again = get("/api/x");
        assertNull(again.header("X-Cache"));
        assertEquals(2, originRequests());
    }

    @Test
    void configuredRequestHeadersArePartOfTheKey() throws IOException {
        start(r -> Reply.of(200, String.valueOf(r.header("X-Tenant")), "Cache-Control", "max-age=60"),
                "headers = [\"X-Tenant\"]");
        assertEquals("a", get("/t", "X-Tenant: a").body());
        assertEquals("b", get("/t", "X-Tenant: b").body());
        assertEquals("a", get("/t", "X-Tenant: a").body());
        assertEquals(2, originRequests());
    }

    // ================================================================== request directives

    @Test
    void requestNoCacheRevalidatesAndA304IsServedWhole_section5_2_1_4() throws IOException {
        start(r -> r.header("If-None-Match") != null
                ? Reply.of(304, null, "ETag", "\"v1\"", "Cache-Control", "max-age=60")
                : Reply.of(200, "body-v1", "ETag", "\"v1\"", "Cache-Control", "max-age=60"));
        get("/v");
        WireClient.Response revalidated = get("/v", "Cache-Control: no-cache");

        assertEquals(200, revalidated.status());
        assertEquals("body-v1", revalidated.body());
        assertEquals("EXPIRED", revalidated.header("X-Cache"));
        assertEquals("\"v1\"", origin.seen().get(1).header("If-None-Match"));
    }

    @Test
    void onlyIfCachedAnswers504OnAMiss_section5_2_1_7() throws IOException {
        start(r -> Reply.of(200, "x", "Cache-Control", "max-age=60"));
        assertEquals(504, get("/o", "Cache-Control: only-if-cached").status());
        assertEquals(0, originRequests());
    }

    @Test
    void requestMaxAgeBelowTheResponsesAgeGoesToTheOrigin_section5_2_1_1() throws IOException {
        start(r -> Reply.of(200, "x", "Cache-Control", "max-age=600", "Age", "100"));
        get("/m");
        assertEquals("HIT", get("/m", "Cache-Control: max-age=200").header("X-Cache"));
        assertEquals("EXPIRED", get("/m", "Cache-Control: max-age=50").header("X-Cache"),
                "stored, but older than the client accepts: fetched again");
        assertEquals(2, originRequests());
    }
}
