package io.pingora4j.server.plugins.uarestriction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.PluginServer;
import io.pingora4j.server.RawHttp;
import io.pingora4j.server.RecordingOrigin;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ua_restriction} through the real server. */
class UaRestrictionEndToEndTest {

    @TempDir
    Path tmp;
    private RecordingOrigin origin;
    private PluginServer proxy;

    private void start(String keys) throws IOException {
        origin = RecordingOrigin.start();
        proxy = PluginServer.startWith(origin, "ua_restriction", keys);
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    @Test
    void aDenyListRefusesAMatchAnywhereInTheAgentAndLetsOthersThrough() throws IOException {
        start("type = \"deny\"\nua_list = [\"go-http-client/1\\\\.1\", \"^python-requests/\"]\nmessage = \"no bots\"");

        RawHttp.Response bot = RawHttp.get(proxy.port(), "/", "User-Agent: Mozilla go-http-client/1.1");
        RawHttp.Response py = RawHttp.get(proxy.port(), "/", "User-Agent: python-requests/2.31");
        RawHttp.Response notAnchored = RawHttp.get(proxy.port(), "/", "User-Agent: x python-requests/2.31");
        RawHttp.Response none = RawHttp.get(proxy.port(), "/");

        assertEquals(403, bot.status());
        assertEquals("no bots", bot.body());
        assertEquals(403, py.status());
        assertEquals(200, notAnchored.status());
        assertEquals(200, none.status(), "deny: a request without User-Agent goes on");
        assertEquals(2, origin.seen().size());
    }

    @Test
    void anAllowListRefusesOtherAgentsAndAMissingOne() throws IOException {
        start("ua_list = [\"^my-service/\\\\d+\\\\.\\\\d+$\"]");

        assertEquals(200, RawHttp.get(proxy.port(), "/", "User-Agent: my-service/1.2").status());
        assertEquals(403, RawHttp.get(proxy.port(), "/", "User-Agent: my-service/1.2 extra").status());
        assertEquals(403, RawHttp.get(proxy.port(), "/").status());
    }

    @Test
    void checkRefusesAPatternThatDoesNotCompileNamingIt() {
        PluginServer.Check c = PluginServer.checkWith(tmp, "ua_restriction", "ua_list = [\"ok\", \"(unclosed\"]");

        assertEquals(1, c.code());
        assertTrue(c.err().contains("plugins.p.ua_list[1]: not a regular expression"), c.err());
    }
}
