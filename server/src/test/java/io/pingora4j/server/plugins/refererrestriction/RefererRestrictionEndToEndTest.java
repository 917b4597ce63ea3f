package io.pingora4j.server.plugins.refererrestriction;

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

/** {@code referer_restriction} through the real server. */
class RefererRestrictionEndToEndTest {

    @TempDir
    Path tmp;
    private RecordingOrigin origin;
    private PluginServer proxy;

    private void start(String keys) throws IOException {
        origin = RecordingOrigin.start();
        proxy = PluginServer.startWith(origin, "referer_restriction", keys);
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

    private int status(String referer) throws IOException {
        return referer == null ? RawHttp.get(proxy.port(), "/img.png").status()
                : RawHttp.get(proxy.port(), "/img.png", "Referer: " + referer).status();
    }

    @Test
    void anAllowListMatchesTheHostExactlyOrByWildcardSuffix() throws IOException {
        start("referer_list = [\"example.com\", \"*.example.com\"]\nmessage = \"Hotlinking is not allowed\"");

        assertEquals(200, status("https://example.com/page"));
        assertEquals(200, status("https://cdn.EXAMPLE.com:8443/a?b"));
        assertEquals(403, status("https://badexample.com/"));
        assertEquals(403, status("https://example.com.evil.test/"));
        assertEquals(403, status(null), "allow: no Referer is refused");
        assertEquals(403, status("not a url"));
        assertEquals("Hotlinking is not allowed", RawHttp.get(proxy.port(), "/", "Referer: https://x.test/").body());
    }

    @Test
    void aDenyListRefusesListedHostsOnly() throws IOException {
        start("type = \"deny\"\nreferer_list = [\"spam.example\", \"*.scraper.example\"]");

        assertEquals(403, status("http://spam.example/"));
        assertEquals(403, status("http://a.b.scraper.example/"));
        assertEquals(200, status("http://scraper.example/"));
        assertEquals(200, status(null));
        assertEquals(200, status("https://user@ok.example/"));
    }

    @Test
    void checkRefusesAWildcardThatIsNotASuffix() {
        PluginServer.Check c = PluginServer.checkWith(tmp, "referer_restriction", "referer_list = [\"*example.com\"]");

        assertEquals(1, c.code());
        assertTrue(c.err().contains("plugins.p.referer_list[0]: a wildcard entry is written"), c.err());
    }
}
