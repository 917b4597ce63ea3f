package io.pingora4j.server.plugins.keyauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.PluginServer;
import io.pingora4j.server.RawHttp;
import io.pingora4j.server.RecordingOrigin;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code key_auth} through the real server, in front of a recording origin. */
class KeyAuthEndToEndTest {

    @TempDir
    Path tmp;
    private RecordingOrigin origin;
    private PluginServer proxy;

    private void start(String keys) throws IOException {
        origin = RecordingOrigin.start();
        proxy = PluginServer.startWith(origin, "key_auth", keys);
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
    void aRequestWithoutTheHeaderIsAnswered401KeyMissing() throws IOException {
        start("header = \"X-API-Key\"\nkeys = [\"KOXQaw\"]");

        RawHttp.Response r = RawHttp.get(proxy.port(), "/");

        assertEquals(401, r.status());
        assertEquals("Key missing", r.body());
        assertTrue(origin.seen().isEmpty());
    }

    @Test
    void aKnownHeaderKeyGoesUpstream() throws IOException {
        start("header = \"X-API-Key\"\nkeys = [\"KOXQaw\", \"GKvXY2\"]");

        RawHttp.Response r = RawHttp.get(proxy.port(), "/users", "X-API-Key: GKvXY2");

        assertEquals(200, r.status());
        assertEquals("GKvXY2", origin.last().header("X-API-Key"));
    }

    @Test
    void anUnknownKeyIsAnswered401KeyAuthFail() throws IOException {
        start("header = \"X-API-Key\"\nkeys = [\"KOXQaw\"]\ndelay = \"50ms\"");

        RawHttp.Response r = RawHttp.get(proxy.port(), "/", "X-API-Key: KOXQax");

        assertEquals(401, r.status());
        assertEquals("Key auth fail", r.body());
        assertTrue(origin.seen().isEmpty());
    }

    @Test
    void theQueryWinsOverTheHeaderWhenBothAreSet() throws IOException {
        start("header = \"X-API-Key\"\nquery = \"api_key\"\nkeys = [\"KOXQaw\"]");

        RawHttp.Response headerOnly = RawHttp.get(proxy.port(), "/", "X-API-Key: KOXQaw");
        RawHttp.Response query = RawHttp.get(proxy.port(), "/u?api_key=KOXQaw&page=2");

        assertEquals(401, headerOnly.status());
        assertEquals(200, query.status());
        assertEquals("/u?api_key=KOXQaw&page=2", origin.last().uri());
    }

    @Test
    void hideCredentialsTakesTheQueryParameterOutOfTheUpstreamUri() throws IOException {
        start("query = \"api_key\"\nkeys = [\"KOXQaw\"]\nhide_credentials = true");

        RawHttp.Response r = RawHttp.get(proxy.port(), "/u?page=2&api_key=KOXQaw&sort=a");
        RawHttp.Response alone = RawHttp.get(proxy.port(), "/v?api_key=KOXQaw");

        assertEquals(200, r.status());
        assertEquals(200, alone.status());
        assertEquals("/u?page=2&sort=a", origin.seen().get(0).uri());
        assertEquals("/v", origin.seen().get(1).uri());
    }

    @Test
    void hideCredentialsRemovesTheHeader() throws IOException {
        start("header = \"X-API-Key\"\nkeys = [\"KOXQaw\"]\nhide_credentials = true");

        RawHttp.get(proxy.port(), "/", "X-API-Key: KOXQaw");

        assertNull(origin.last().header("X-API-Key"));
    }

    @Test
    void checkRefusesNeitherHeaderNorQuery() {
        PluginServer.Check c = PluginServer.checkWith(tmp, "key_auth", "keys = [\"a\"]");

        assertEquals(1, c.code());
        assertTrue(c.err().contains("plugins.p.header: one of header or query"), c.err());
    }

    @Test
    void checkRefusesNoKeys() {
        PluginServer.Check c = PluginServer.checkWith(tmp, "key_auth", "header = \"X-Key\"");

        assertEquals(1, c.code());
        assertTrue(c.err().contains("plugins.p.keys: is required"), c.err());
    }
}
