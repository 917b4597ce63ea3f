package io.pingora4j.server.plugins;

import static io.pingora4j.server.plugins.Tables.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pingora4j.spi.Action;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfigException;
import org.junit.jupiter.api.Test;

class PingFilterFactoryTest {

    private final PingFilterFactory factory = new PingFilterFactory();

    @Test
    void answersPongOnSlashPingByDefault() {
        HttpFilter f = factory.create(config("p", "category", "ping"));
        FakeSession s = FakeSession.get("/ping");
        assertSame(Action.RESPONDED, f.requestFilter(s));
        assertEquals(200, s.response().status());
        assertEquals("pong", s.respondedBody());
    }

    @Test
    void matchesThePathExactlyIgnoringTheQuery() {
        HttpFilter f = factory.create(config("p", "category", "ping", "path", "/healthz"));
        assertSame(Action.RESPONDED, f.requestFilter(FakeSession.get("/healthz?probe=1")));
        FakeSession other = FakeSession.get("/healthz/deep");
        assertSame(Action.CONTINUE, f.requestFilter(other));
        assertFalse(other.responseStarted());
        assertSame(Action.CONTINUE, f.requestFilter(FakeSession.get("/ping")));
    }

    @Test
    void refusesAPathWithoutALeadingSlash() {
        PluginConfigException e = assertThrows(PluginConfigException.class,
                () -> factory.create(config("p", "category", "ping", "path", "ping")));
        assertEquals("path", e.key());
    }
}
