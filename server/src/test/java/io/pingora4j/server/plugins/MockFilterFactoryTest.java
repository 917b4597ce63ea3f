package io.pingora4j.server.plugins;

import static io.pingora4j.server.plugins.Tables.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.spi.Action;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfigException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MockFilterFactoryTest {

    private final MockFilterFactory factory = new MockFilterFactory();

    @Test
    void answersWithTheConfiguredStatusHeadersAndBody() {
        HttpFilter f = factory.create(config("m", "category", "mock", "status", 503,
                "headers", List.of("Content-Type: application/json", "Retry-After: 60"),
                "data", "{\"message\":\"down\"}"));
        FakeSession s = FakeSession.get("/anything?x=1");

        assertSame(Action.RESPONDED, f.requestFilter(s));

        assertEquals(503, s.response().status());
        assertEquals("application/json", s.response().headers().get("Content-Type"));
        assertEquals("60", s.response().headers().get("Retry-After"));
        assertEquals("{\"message\":\"down\"}", s.respondedBody());
    }

    @Test
    void defaultsToAnEmpty200() {
        HttpFilter f = factory.create(config("m", "category", "mock"));
        FakeSession s = FakeSession.get("/");
        assertSame(Action.RESPONDED, f.requestFilter(s));
        assertEquals(200, s.response().status());
        assertNull(s.respondedBody());
    }

    @Test
    void mocksOnlyTheConfiguredPath() {
        HttpFilter f = factory.create(config("m", "category", "mock", "path", "/vicanso/pingap", "data", "hi"));

        FakeSession other = FakeSession.get("/vicanso?size=1");
        assertSame(Action.CONTINUE, f.requestFilter(other));
        assertFalse(other.responseStarted());

        FakeSession match = FakeSession.get("/vicanso/pingap?size=1");
        assertSame(Action.RESPONDED, f.requestFilter(match));
        assertEquals("hi", match.respondedBody());
    }

    @Test
    void delayDefersTheEndOfTheRequestPhaseInsteadOfBlocking() throws Exception {
        HttpFilter f = factory.create(config("m", "category", "mock", "delay", "1ms", "data", "late"));
        java.util.concurrent.LinkedBlockingQueue<Runnable> loop = new java.util.concurrent.LinkedBlockingQueue<>();
        FakeSession s = FakeSession.get("/").withExecutor(loop::add);

        Action a = f.requestFilter(s);

        assertTrue(a.deferred());
        Runnable onLoop = loop.poll(10, TimeUnit.SECONDS); // the delay is over: the answer is handed to the loop
        assertFalse(s.responseStarted(), "nothing is answered off the session's loop");
        onLoop.run();
        assertSame(Action.RESPONDED, a.result().toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals("late", s.respondedBody());
    }

    @Test
    void refusesAStatusOutOfRange() {
        PluginConfigException e = assertThrows(PluginConfigException.class,
                () -> factory.create(config("m", "category", "mock", "status", 42)));
        assertEquals("m", e.plugin());
        assertEquals("status", e.key());
        assertTrue(e.getMessage().startsWith("plugins.m.status: "), e.getMessage());
    }

    @Test
    void refusesAStatusOfTheWrongType() {
        PluginConfigException e = assertThrows(PluginConfigException.class,
                () -> factory.create(config("m", "category", "mock", "status", "500")));
        assertEquals("status", e.key());
    }

    @Test
    void refusesAHeaderEntryWithoutAColon() {
        PluginConfigException e = assertThrows(PluginConfigException.class,
                () -> factory.create(config("m", "category", "mock", "headers", List.of("X-Ok: 1", "Broken"))));
        assertEquals("headers[1]", e.key());
        assertTrue(e.getMessage().contains("Name: value"), e.getMessage());
    }

    @Test
    void refusesAContentLengthHeader() {
        PluginConfigException e = assertThrows(PluginConfigException.class,
                () -> factory.create(config("m", "category", "mock", "headers", List.of("Content-Length: 3"))));
        assertEquals("headers[0]", e.key());
    }

    @Test
    void refusesABadDelay() {
        PluginConfigException e = assertThrows(PluginConfigException.class,
                () -> factory.create(config("m", "category", "mock", "delay", "soon")));
        assertEquals("delay", e.key());
    }

    @Test
    void refusesABodyOnA204() {
        PluginConfigException e = assertThrows(PluginConfigException.class,
                () -> factory.create(config("m", "category", "mock", "status", 204, "data", "x")));
        assertEquals("data", e.key());
    }
}
