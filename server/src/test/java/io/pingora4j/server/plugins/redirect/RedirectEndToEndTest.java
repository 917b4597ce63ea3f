package io.pingora4j.server.plugins.redirect;

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

/** {@code redirect} through the real server (plain HTTP listener). */
class RedirectEndToEndTest {

    @TempDir
    Path tmp;
    private RecordingOrigin origin;
    private PluginServer proxy;

    private void start(String keys) throws IOException {
        origin = RecordingOrigin.start();
        proxy = PluginServer.startWith(origin, "redirect", keys);
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
    void httpToHttpsRedirectsWithTheHostPathAndQuery() throws IOException {
        start("http_to_https = true\nstatus = 301");

        RawHttp.Response r = RawHttp.exchange(proxy.port(), "GET /a?b=1 HTTP/1.1", "Host: example.com");

        assertEquals(301, r.status());
        assertEquals("https://example.com/a?b=1", r.header("Location"));
        assertTrue(origin.seen().isEmpty());
    }

    @Test
    void theDefaultStatusIs307() throws IOException {
        start("http_to_https = true");

        assertEquals(307, RawHttp.exchange(proxy.port(), "GET / HTTP/1.1", "Host: example.com").status());
    }

    @Test
    void aPrefixIsAddedOnlyWhenMissing() throws IOException {
        start("prefix = \"api\"\nstatus = 302");

        RawHttp.Response missing = RawHttp.exchange(proxy.port(), "GET /users?x=1 HTTP/1.1", "Host: example.com");
        RawHttp.Response present = RawHttp.exchange(proxy.port(), "GET /api/users HTTP/1.1", "Host: example.com");

        assertEquals(302, missing.status());
        assertEquals("http://example.com/api/users?x=1", missing.header("Location"));
        assertEquals(200, present.status(), "scheme already http and prefix present: the request goes on");
        assertEquals("/api/users", origin.last().uri());
    }

    @Test
    void aSchemeRedirectKeepsAnExistingPrefix() throws IOException {
        start("http_to_https = true\nprefix = \"/api\"");

        RawHttp.Response r = RawHttp.exchange(proxy.port(), "GET /api/users HTTP/1.1", "Host: example.com");

        assertEquals("https://example.com/api/users", r.header("Location"));
    }

    @Test
    void checkRefusesAStatusThatIsNotARedirect() {
        PluginServer.Check c = PluginServer.checkWith(tmp, "redirect", "status = 200");

        assertEquals(1, c.code());
        assertTrue(c.err().contains("plugins.p.status: must be 301, 302, 307 or 308, got 200"), c.err());
    }
}
