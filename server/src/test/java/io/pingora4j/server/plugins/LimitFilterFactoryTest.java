package io.pingora4j.server.plugins;

import static io.pingora4j.server.plugins.Tables.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pingora4j.limits.NanoClock;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LimitFilterFactoryTest {

    private final LimitFilterFactory factory = new LimitFilterFactory();
    /** The fake clock's reading; time moves only when a test says so. */
    private long now = 1_000_000_000L;
    private final NanoClock clock = () -> now;

    private HttpFilter filter(Object... kv) {
        Object[] all = new Object[kv.length + 2];
        all[0] = "category";
        all[1] = "limit";
        System.arraycopy(kv, 0, all, 2, kv.length);
        return factory.create(config("lim", all), clock);
    }

    private static FakeSession from(String ip) {
        return FakeSession.get("/").client(ip, 40000);
    }

    private static String refusalKey(Object... kv) {
        Object[] all = new Object[kv.length + 2];
        all[0] = "category";
        all[1] = "limit";
        System.arraycopy(kv, 0, all, 2, kv.length);
        return assertThrows(PluginConfigException.class, () -> new LimitFilterFactory().create(config("lim", all))).key();
    }

    @Test
    void answersToTheLimitCategory() {
        assertEquals("limit", factory.category());
    }

    @Test
    void rateLimitAdmitsMaxPerIntervalThenAnswers429WithRetryAfter() {
        HttpFilter f = filter("type", "rate", "tag", "ip", "max", 2, "interval", "1m", "weight", 0.0);

        assertSame(Action.CONTINUE, f.requestFilter(from("10.0.0.1")));
        assertSame(Action.CONTINUE, f.requestFilter(from("10.0.0.1")));
        FakeSession third = from("10.0.0.1");
        assertSame(Action.RESPONDED, f.requestFilter(third));

        assertEquals(429, third.response().status());
        assertEquals("60", third.response().headers().get("Retry-After"));
    }

    @Test
    void retryAfterIsTheRestOfTheIntervalRoundedUp() {
        HttpFilter f = filter("max", 1, "interval", "1m", "weight", 0.0);
        f.requestFilter(from("10.0.0.1"));
        now += Duration.ofSeconds(20).toNanos() + 1;

        FakeSession refused = from("10.0.0.1");
        f.requestFilter(refused);

        assertEquals("40", refused.response().headers().get("Retry-After"));
    }

    @Test
    void aNewIntervalAdmitsAgain() {
        HttpFilter f = filter("max", 1, "interval", "1s", "weight", 0.0);
        assertSame(Action.CONTINUE, f.requestFilter(from("10.0.0.1")));
        assertSame(Action.RESPONDED, f.requestFilter(from("10.0.0.1")));

        now += Duration.ofSeconds(1).toNanos();

        assertSame(Action.CONTINUE, f.requestFilter(from("10.0.0.1")));
    }

    @Test
    void byDefaultThePreviousIntervalStillCountsUntilItSlidesOut() {
        HttpFilter f = filter("max", 1, "interval", "1s");
        f.requestFilter(from("10.0.0.1"));

        now += Duration.ofSeconds(1).toNanos();
        assertSame(Action.RESPONDED, f.requestFilter(from("10.0.0.1")));

        now += Duration.ofSeconds(1).toNanos();
        assertSame(Action.CONTINUE, f.requestFilter(from("10.0.0.1")));
    }

    @Test
    void differentKeysAreLimitedSeparately() {
        HttpFilter f = filter("max", 1, "interval", "1m");
        assertSame(Action.CONTINUE, f.requestFilter(from("10.0.0.1")));
        assertSame(Action.RESPONDED, f.requestFilter(from("10.0.0.1")));

        assertSame(Action.CONTINUE, f.requestFilter(from("10.0.0.2")));
    }

    @Test
    void limitsByAHeader() {
        HttpFilter f = filter("tag", "header", "key", "X-Api-Key", "max", 1, "interval", "1m");
        assertSame(Action.CONTINUE, f.requestFilter(FakeSession.parse("GET / HTTP/1.1\nHost: a\nX-Api-Key: k1\n")));
        assertSame(Action.RESPONDED, f.requestFilter(FakeSession.parse("GET / HTTP/1.1\nHost: a\nx-api-key: k1\n")));
        assertSame(Action.CONTINUE, f.requestFilter(FakeSession.parse("GET / HTTP/1.1\nHost: a\nX-Api-Key: k2\n")));
    }

    @Test
    void limitsByACookie() {
        HttpFilter f = filter("tag", "cookie", "key", "sid", "max", 1, "interval", "1m");
        assertSame(Action.CONTINUE, f.requestFilter(FakeSession.parse("GET / HTTP/1.1\nHost: a\nCookie: a=1; sid=abc\n")));
        assertSame(Action.RESPONDED, f.requestFilter(FakeSession.parse("GET / HTTP/1.1\nHost: a\nCookie: sid=abc\n")));
        assertSame(Action.CONTINUE, f.requestFilter(FakeSession.parse("GET / HTTP/1.1\nHost: a\nCookie: xsid=abc; sid=def\n")));
    }

    @Test
    void limitsByAQueryParameter() {
        HttpFilter f = filter("tag", "query", "key", "user", "max", 1, "interval", "1m");
        assertSame(Action.CONTINUE, f.requestFilter(FakeSession.get("/x?user=ann&page=1")));
        assertSame(Action.RESPONDED, f.requestFilter(FakeSession.get("/y?page=2&user=ann")));
        assertSame(Action.CONTINUE, f.requestFilter(FakeSession.get("/x?user=bob")));
    }

    @Test
    void limitsByGrpcMethod() {
        HttpFilter f = filter("tag", "grpc_method", "max", 1, "interval", "1m");
        assertSame(Action.CONTINUE, f.requestFilter(FakeSession.get("/pkg.Svc/Get").grpc("pkg.Svc", "Get")));
        assertSame(Action.RESPONDED, f.requestFilter(FakeSession.get("/pkg.Svc/Get").grpc("pkg.Svc", "Get")));
        assertSame(Action.CONTINUE, f.requestFilter(FakeSession.get("/pkg.Svc/Put").grpc("pkg.Svc", "Put")));
        assertSame(Action.CONTINUE, f.requestFilter(FakeSession.get("/pkg.Svc/Get")), "not a gRPC call: not limited");
    }

    @Test
    void limitsByGrpcService() {
        HttpFilter f = filter("tag", "grpc_service", "max", 1, "interval", "1m");
        assertSame(Action.CONTINUE, f.requestFilter(FakeSession.get("/pkg.Svc/Get").grpc("pkg.Svc", "Get")));
        assertSame(Action.RESPONDED, f.requestFilter(FakeSession.get("/pkg.Svc/Put").grpc("pkg.Svc", "Put")));
        assertSame(Action.CONTINUE, f.requestFilter(FakeSession.get("/pkg.Other/Get").grpc("pkg.Other", "Get")));
    }

    @Test
    void aRequestWithoutTheKeyIsNotLimited() {
        HttpFilter f = filter("tag", "header", "key", "X-Api-Key", "max", 1, "interval", "1m");
        for (int i = 0; i < 3; i++) {
            FakeSession s = FakeSession.get("/");
            assertSame(Action.CONTINUE, f.requestFilter(s));
            assertEquals(0, s.respondCalls());
        }
    }

    @Test
    void anEmptyCookieOrQueryValueCountsAsMissing() {
        HttpFilter cookie = filter("tag", "cookie", "key", "sid", "max", 1, "interval", "1m");
        HttpFilter query = filter("tag", "query", "key", "user", "max", 1, "interval", "1m");
        for (int i = 0; i < 2; i++) {
            assertSame(Action.CONTINUE, cookie.requestFilter(FakeSession.parse("GET / HTTP/1.1\nHost: a\nCookie: sid=\n")));
            assertSame(Action.CONTINUE, query.requestFilter(FakeSession.get("/?user=&x=1")));
        }
    }

    @Test
    void inflightAdmitsMaxAtOnceThenAnswers429() {
        HttpFilter f = filter("type", "inflight", "max", 2);
        assertSame(Action.CONTINUE, f.requestFilter(from("10.0.0.1")));
        assertSame(Action.CONTINUE, f.requestFilter(from("10.0.0.1")));

        FakeSession third = from("10.0.0.1");
        assertSame(Action.RESPONDED, f.requestFilter(third));
        assertEquals(429, third.response().status());
        assertNull(third.response().headers().get("Retry-After"), "no honest wait to name for an in-flight limit");
    }

    @Test
    void inflightReleasesInLogging() {
        HttpFilter f = filter("type", "inflight", "max", 1);
        FakeSession first = from("10.0.0.1");
        f.requestFilter(first);
        assertSame(Action.RESPONDED, f.requestFilter(from("10.0.0.1")));

        f.logging(first, null);

        assertSame(Action.CONTINUE, f.requestFilter(from("10.0.0.1")));
    }

    @Test
    void inflightReleasesOnlyOnceWhenLoggingRunsTwice() {
        LimitFilterFactory.InflightLimitFilter f =
                (LimitFilterFactory.InflightLimitFilter) filter("type", "inflight", "max", 2);
        FakeSession a = from("10.0.0.1");
        FakeSession b = from("10.0.0.1");
        f.requestFilter(a);
        f.requestFilter(b);

        f.logging(a, null);
        f.logging(a, null);

        assertEquals(1, f.inflight("10.0.0.1"));
    }

    @Test
    void aRefusedInflightRequestReleasesNothing() {
        LimitFilterFactory.InflightLimitFilter f =
                (LimitFilterFactory.InflightLimitFilter) filter("type", "inflight", "max", 1);
        f.requestFilter(from("10.0.0.1"));
        FakeSession refused = from("10.0.0.1");
        f.requestFilter(refused);

        f.logging(refused, null);

        assertEquals(1, f.inflight("10.0.0.1"));
    }

    @Test
    void refusesAnUnknownType() {
        assertEquals("type", refusalKey("type", "burst", "max", 1));
    }

    @Test
    void refusesAnUnknownTag() {
        assertEquals("tag", refusalKey("tag", "path", "max", 1));
    }

    @Test
    void refusesAHeaderTagWithoutAKey() {
        assertEquals("key", refusalKey("tag", "header", "max", 1));
    }

    @Test
    void refusesAnEmptyKey() {
        assertEquals("key", refusalKey("tag", "cookie", "key", " ", "max", 1));
    }

    @Test
    void refusesAMissingMax() {
        assertEquals("max", refusalKey("tag", "ip"));
    }

    @Test
    void refusesAMaxOfZero() {
        assertEquals("max", refusalKey("max", 0));
    }

    @Test
    void refusesANegativeMax() {
        assertEquals("max", refusalKey("type", "inflight", "max", -3));
    }

    @Test
    void refusesAnIntervalThatIsNotADuration() {
        assertEquals("interval", refusalKey("max", 1, "interval", "soon"));
    }

    @Test
    void refusesAZeroInterval() {
        assertEquals("interval", refusalKey("max", 1, "interval", "0s"));
    }

    @Test
    void refusesAWeightOutsideZeroToOne() {
        assertEquals("weight", refusalKey("max", 1, "weight", 1.5));
    }
}
