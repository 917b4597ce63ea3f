package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.ScriptedOrigin.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The {@code cache} plugin through the real server and a scripted origin: staleness and
 * revalidation (RFC 9111 §4.3, RFC 5861), conditional requests, HEAD and Vary, purge and
 * invalidation, and one origin fetch for a stampede.
 */
class CacheRevalidationEndToEndTest extends CachePluginFixture {

    // ================================================================== staleness and validation

    @Test
    void aStaleResponseIsRevalidatedAndA304RefreshesIt_section4_3() throws IOException {
        AtomicInteger n = new AtomicInteger();
        start(r -> n.getAndIncrement() == 0
                ? Reply.of(200, "old-but-valid", "ETag", "\"e1\"", "Cache-Control", "max-age=60", "Age", "100")
                : Reply.of(304, null, "ETag", "\"e1\"", "Cache-Control", "max-age=60", "X-Refreshed", "yes"));
        get("/s");
        WireClient.Response second = get("/s");
        WireClient.Response third = get("/s");

        assertEquals("\"e1\"", origin.seen().get(1).header("If-None-Match"), "§4.3.1: revalidate with the stored ETag");
        assertEquals(200, second.status());
        assertEquals("old-but-valid", second.body());
        assertEquals("EXPIRED", second.header("X-Cache"));
        assertEquals("yes", second.header("X-Refreshed"), "§4.3.4: the 304's fields update the stored response");
        assertEquals("HIT", third.header("X-Cache"), "the refreshed response is fresh again");
        assertEquals("yes", third.header("X-Refreshed"));
        assertEquals(2, originRequests());
    }

    @Test
    void lastModifiedIsUsedToRevalidateWithoutAnETag_section4_3_1() throws IOException {
        String lm = "Sun, 06 Nov 1994 08:49:37 GMT";
        start(r -> r.header("If-Modified-Since") != null
                ? Reply.of(304, null, "Cache-Control", "max-age=60")
                : Reply.of(200, "lm", "Last-Modified", lm, "Cache-Control", "max-age=60", "Age", "100"));
        get("/lm");
        WireClient.Response second = get("/lm");
        assertEquals(lm, origin.seen().get(1).header("If-Modified-Since"));
        assertEquals("lm", second.body());
    }

    @Test
    void aChanged200ReplacesTheStaleResponse() throws IOException {
        AtomicInteger n = new AtomicInteger();
        start(r -> Reply.of(200, "v" + n.incrementAndGet(), "ETag", "\"x\"", "Cache-Control", "max-age=60",
                "Age", n.get() == 1 ? "100" : "0"));
        assertEquals("v1", get("/c").body());
        assertEquals("v2", get("/c").body());
        WireClient.Response third = get("/c");
        assertEquals("v2", third.body());
        assertEquals("HIT", third.header("X-Cache"));
    }

    @Test
    void maxTtlCapsTheFreshnessLifetime() throws IOException {
        start(r -> Reply.of(200, "t", "Cache-Control", "max-age=3600", "Age", "100", "ETag", "\"t\""),
                "max_ttl = \"60s\"");
        get("/ttl");
        assertEquals("EXPIRED", get("/ttl").header("X-Cache"), "age 100 s is past a 60 s ceiling");
    }

    @Test
    void staleIfErrorServesTheStaleCopyWhenTheOriginAnswers5xx_rfc5861() throws IOException {
        AtomicInteger n = new AtomicInteger();
        start(r -> n.getAndIncrement() == 0
                ? Reply.of(200, "last-good", "Cache-Control", "max-age=60, stale-if-error=3600", "Age", "100")
                : Reply.of(503, "origin down"));
        get("/sie");
        WireClient.Response second = get("/sie");
        assertEquals(200, second.status());
        assertEquals("last-good", second.body());
        assertEquals("STALE", second.header("X-Cache"));
    }

    @Test
    void staleIfErrorServesTheStaleCopyWhenTheOriginIsUnreachable_rfc5861() throws IOException {
        start(r -> Reply.of(200, "last-good", "Cache-Control", "max-age=60, stale-if-error=3600", "Age", "100"));
        get("/down");
        origin.close();
        WireClient.Response second = get("/down");
        assertEquals(200, second.status());
        assertEquals("last-good", second.body());
        assertEquals("STALE", second.header("X-Cache"));
    }

    @Test
    void withoutStaleIfErrorTheOriginsErrorReachesTheClient() throws IOException {
        AtomicInteger n = new AtomicInteger();
        start(r -> n.getAndIncrement() == 0
                ? Reply.of(200, "x", "Cache-Control", "max-age=60", "Age", "100")
                : Reply.of(503, "origin down"));
        get("/e5");
        assertEquals(503, get("/e5").status());
    }

    @Test
    void staleWhileRevalidateAnswersAtOnceWhileAnotherRequestRevalidates_rfc5861() throws Exception {
        CountDownLatch revalidationArrived = new CountDownLatch(1);
        CountDownLatch finishRevalidation = new CountDownLatch(1);
        AtomicInteger n = new AtomicInteger();
        start(r -> {
            if (n.getAndIncrement() == 0) {
                return Reply.of(200, "stale-ok", "ETag", "\"w\"", "Age", "100",
                        "Cache-Control", "max-age=60, stale-while-revalidate=3600");
            }
            revalidationArrived.countDown();
            await(finishRevalidation);
            return Reply.of(304, null, "ETag", "\"w\"", "Cache-Control", "max-age=60");
        });
        get("/swr");
        List<WireClient.Response> revalidating = new ArrayList<>();
        Thread t = new Thread(() -> {
            try {
                revalidating.add(get("/swr"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        t.start();
        assertTrue(revalidationArrived.await(10, TimeUnit.SECONDS));
        WireClient.Response meanwhile = get("/swr"); // the origin is still holding the revalidation
        finishRevalidation.countDown();
        t.join(10_000);

        assertEquals("STALE", meanwhile.header("X-Cache"));
        assertEquals("stale-ok", meanwhile.body());
        assertEquals("EXPIRED", revalidating.get(0).header("X-Cache"));
        assertEquals(2, originRequests());
    }

    // ================================================================== conditional requests, HEAD, Vary

    @Test
    void aClientsMatchingIfNoneMatchGets304FromTheCache_section4_3_2() throws IOException {
        start(r -> Reply.of(200, "tagged", "ETag", "W/\"t1\"", "Cache-Control", "max-age=60"));
        get("/inm");
        WireClient.Response r = get("/inm", "If-None-Match: \"t0\", \"t1\"");
        assertEquals(304, r.status());
        assertEquals("HIT", r.header("X-Cache"));
        assertEquals(1, originRequests());
    }

    @Test
    void theCacheFetchesWholeResponsesNotTheClientsConditionalOnes() throws IOException {
        start(r -> Reply.of(200, "whole", "ETag", "\"z\"", "Cache-Control", "max-age=60"));
        WireClient.Response r = get("/cond", "If-None-Match: \"z\"");
        assertEquals(200, r.status());
        assertNull(origin.seen().get(0).header("If-None-Match"));
    }

    @Test
    void headIsAnsweredFromAStoredGet() throws IOException {
        start(r -> Reply.of(200, "0123456789", "Cache-Control", "max-age=60"));
        get("/h");
        WireClient.Response head;
        try (WireClient c = new WireClient(proxy.port())) {
            head = c.send("HEAD /h HTTP/1.1\r\nHost: cache.test\r\n\r\n").read(io.pingora4j.codec.h1.HttpMethod.HEAD);
        }
        assertEquals("HIT", head.header("X-Cache"));
        assertEquals("10", head.header("Content-Length"));
        assertEquals("", head.body());
        assertEquals(1, originRequests());
    }

    @Test
    void aHeadForAStaleEntryGoesUpstreamAndLeavesTheStoredGet() throws IOException {
        start(r -> Reply.of(200, "kept", "Cache-Control", "max-age=60, stale-if-error=3600", "Age", "100"));
        get("/hs");
        try (WireClient c = new WireClient(proxy.port())) {
            WireClient.Response head = c.send("HEAD /hs HTTP/1.1\r\nHost: cache.test\r\n\r\n")
                    .read(io.pingora4j.codec.h1.HttpMethod.HEAD);
            assertEquals("EXPIRED", head.header("X-Cache"));
        }
        origin.script(r -> Reply.of(503, "down"));
        WireClient.Response stale = get("/hs");
        assertEquals("kept", stale.body(), "the stored GET survived the HEAD");
        assertEquals("STALE", stale.header("X-Cache"));
    }

    @Test
    void varyKeepsOneVariantPerRequestValue_section4_1() throws IOException {
        start(r -> Reply.of(200, "lang=" + r.header("Accept-Language"), "Vary", "Accept-Language",
                "Cache-Control", "max-age=60"));
        assertEquals("lang=en", get("/vary", "Accept-Language: en").body());
        assertEquals("lang=fr", get("/vary", "Accept-Language: fr").body());
        WireClient.Response en = get("/vary", "Accept-Language: en");
        WireClient.Response fr = get("/vary", "Accept-Language: fr");

        assertEquals("lang=en", en.body());
        assertEquals("HIT", en.header("X-Cache"));
        assertEquals("lang=fr", fr.body());
        assertEquals("HIT", fr.header("X-Cache"));
        assertEquals(2, originRequests());
    }

    @Test
    void varyStarIsNeverStored_section4_1() throws IOException {
        start(r -> Reply.of(200, "any", "Vary", "*", "Cache-Control", "max-age=60"));
        get("/star");
        get("/star");
        assertEquals(2, originRequests());
    }

    // ================================================================== purge and invalidation

    @Test
    void purgeFromAListedAddressDropsTheEntry() throws IOException {
        start(r -> Reply.of(200, "p", "Cache-Control", "max-age=60", "Vary", "Accept-Encoding"));
        get("/purge-me", "Accept-Encoding: gzip");
        assertEquals("HIT", get("/purge-me", "Accept-Encoding: gzip").header("X-Cache"));

        assertEquals(204, request("PURGE", "/purge-me").status());
        assertEquals(404, request("PURGE", "/purge-me").status(), "nothing left to purge");
        assertEquals("MISS", get("/purge-me", "Accept-Encoding: gzip").header("X-Cache"));
        assertEquals(2, originRequests());
    }

    @Test
    void purgeFromAnUnlistedAddressIsRefused() throws IOException {
        origin = ScriptedOrigin.start(r -> Reply.of(200, "p", "Cache-Control", "max-age=60"));
        proxy = RunningProxy.start(port -> """
                [upstreams.backend]
                addrs = ["%1$s"]

                [plugins.pageCache]
                category = "cache"
                purge_ip_list = ["10.0.0.0/8"]

                [locations.all]
                path = "/"
                upstream = "backend"
                plugins = ["pageCache"]

                [servers.http]
                addr = "127.0.0.1:%2$d"
                locations = ["all"]
                """.formatted(origin.addr(), port));
        get("/keep");
        assertEquals(405, request("PURGE", "/keep").status());
        assertEquals("HIT", get("/keep").header("X-Cache"));
    }

    @Test
    void aSuccessfulPostInvalidatesTheUrl_section4_4() throws IOException {
        start(r -> Reply.of(200, r.method(), "Cache-Control", "max-age=60"));
        get("/doc");
        WireClient.Response post = WireClient.exchange(proxy.port(), "POST /doc HTTP/1.1", "Host: cache.test",
                "Content-Length: 0");
        assertEquals(200, post.status());
        assertEquals("MISS", get("/doc").header("X-Cache"));
    }

    // ================================================================== the stampede lock

    @Test
    void aHundredConcurrentRequestsForAColdKeyReachTheOriginOnce() throws Exception {
        CountDownLatch allSent = new CountDownLatch(1);
        start(r -> {
            await(allSent); // hold the one fetch until every client has sent its request
            return Reply.of(200, "shared", "Cache-Control", "max-age=60");
        });
        List<WireClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                WireClient c = new WireClient(proxy.port());
                clients.add(c);
                c.send("GET /cold HTTP/1.1\r\nHost: cache.test\r\n\r\n");
            }
            allSent.countDown();
            int hits = 0;
            for (WireClient c : clients) {
                WireClient.Response r = c.read();
                assertEquals(200, r.status());
                assertEquals("shared", r.body());
                if ("HIT".equals(r.header("X-Cache"))) {
                    hits++;
                }
            }
            assertEquals(1, originRequests(), "one origin request for a stampede");
            assertEquals(99, hits, "every waiter is answered from the stored response");
        } finally {
            for (WireClient c : clients) {
                c.close();
            }
        }
    }
}
