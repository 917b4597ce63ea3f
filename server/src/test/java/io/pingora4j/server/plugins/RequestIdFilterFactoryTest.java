package io.pingora4j.server.plugins;

import static io.pingora4j.server.plugins.Tables.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfigException;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RequestIdFilterFactoryTest {

    private static final Pattern UUID_V7 =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    private static final Pattern UUID_V4 =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

    private final RequestIdFilterFactory factory = new RequestIdFilterFactory();

    @Test
    void generatesAUuidV7ByDefaultAndStoresItForTheLog() {
        HttpFilter f = factory.create(config("r", "category", "request_id"));
        FakeSession s = FakeSession.get("/");

        assertSame(Action.CONTINUE, f.requestFilter(s));

        String id = (String) s.attribute("request_id");
        assertTrue(UUID_V7.matcher(id).matches(), id);
        assertEquals(id, s.request().headers().get("X-Request-Id"));
    }

    @Test
    void uuidV7IdsStartWithTheCurrentMillisecond() {
        RequestIdFilterFactory.RequestIdFilter f = (RequestIdFilterFactory.RequestIdFilter)
                factory.create(config("r", "category", "request_id", "algorithm", "uuid_v7"));
        long before = System.currentTimeMillis();
        String id = f.generate();
        long after = System.currentTimeMillis();
        long ms = Long.parseLong(id.substring(0, 8) + id.substring(9, 13), 16);
        assertTrue(ms >= before && ms <= after, id);
    }

    @Test
    void generatesAUuidV4() {
        HttpFilter f = factory.create(config("r", "category", "request_id", "algorithm", "uuid"));
        FakeSession s = FakeSession.get("/");
        f.requestFilter(s);
        assertTrue(UUID_V4.matcher((String) s.attribute("request_id")).matches());
    }

    @Test
    void generatesANanoidOfTheConfiguredSize() {
        HttpFilter f = factory.create(config("r", "category", "request_id", "algorithm", "nanoid", "size", 12));
        FakeSession a = FakeSession.get("/");
        FakeSession b = FakeSession.get("/");
        f.requestFilter(a);
        f.requestFilter(b);
        String id = (String) a.attribute("request_id");
        assertTrue(id.matches("[A-Za-z0-9_-]{12}"), id);
        assertNotEquals(id, b.attribute("request_id"));
    }

    @Test
    void keepsAnIdTheClientSent() {
        HttpFilter f = factory.create(config("r", "category", "request_id"));
        FakeSession s = FakeSession.parse("GET / HTTP/1.1\nHost: a\nX-Request-Id: upstream-generated-id-789\n");
        f.earlyRequestFilter(s);
        f.requestFilter(s);
        assertEquals("upstream-generated-id-789", s.attribute("request_id"));
    }

    @Test
    void setsTheIdOnTheUpstreamRequestAndOnTheResponse() {
        HttpFilter f = factory.create(config("r", "category", "request_id", "header_name", "X-Trace-Id"));
        FakeSession s = FakeSession.get("/");
        f.earlyRequestFilter(s);
        String id = (String) s.attribute("request_id");

        RequestHead upstream = new RequestHead();
        f.upstreamRequestFilter(s, upstream);
        assertEquals(id, upstream.headers().get("X-Trace-Id"));

        ResponseHead resp = new ResponseHead();
        f.responseFilter(s, resp);
        assertEquals(id, resp.headers().get("X-Trace-Id"));
    }

    @Test
    void generatesOnlyOnceAcrossPhases() {
        HttpFilter f = factory.create(config("r", "category", "request_id"));
        FakeSession s = FakeSession.get("/");
        f.earlyRequestFilter(s);
        Object first = s.attribute("request_id");
        f.requestFilter(s);
        assertSame(first, s.attribute("request_id"));
    }

    @Test
    void refusesAnUnknownAlgorithm() {
        PluginConfigException e = assertThrows(PluginConfigException.class,
                () -> factory.create(config("r", "category", "request_id", "algorithm", "snowflake")));
        assertEquals("algorithm", e.key());
        assertTrue(e.getMessage().contains("snowflake"));
    }

    @Test
    void refusesABadHeaderName() {
        PluginConfigException e = assertThrows(PluginConfigException.class,
                () -> factory.create(config("r", "category", "request_id", "header_name", "X Request")));
        assertEquals("header_name", e.key());
    }

    @Test
    void refusesASizeOutOfRange() {
        PluginConfigException e = assertThrows(PluginConfigException.class,
                () -> factory.create(config("r", "category", "request_id", "size", 0)));
        assertEquals("size", e.key());
    }
}
