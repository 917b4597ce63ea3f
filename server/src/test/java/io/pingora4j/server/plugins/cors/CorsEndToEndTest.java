package io.pingora4j.server.plugins.cors;

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

/** {@code cors} through the real server. */
class CorsEndToEndTest {

    @TempDir
    Path tmp;
    private RecordingOrigin origin;
    private PluginServer proxy;

    private void start(String keys) throws IOException {
        origin = RecordingOrigin.start();
        proxy = PluginServer.startWith(origin, "cors", keys);
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
    void aPreflightIsAnswered204ByTheProxyWithEveryField() throws IOException {
        start("""
                path = "^/api/"
                allow_origin = "$http_origin"
                allow_methods = "GET, POST"
                allow_headers = "Content-Type, Authorization"
                allow_credentials = true
                max_age = "2h"
                """);

        RawHttp.Response r = RawHttp.exchange(proxy.port(), "OPTIONS /api/users HTTP/1.1", "Host: localhost",
                "Origin: https://app.example.com", "Access-Control-Request-Method: POST");

        assertEquals(204, r.status());
        assertEquals("https://app.example.com", r.header("Access-Control-Allow-Origin"));
        assertEquals("GET, POST", r.header("Access-Control-Allow-Methods"));
        assertEquals("Content-Type, Authorization", r.header("Access-Control-Allow-Headers"));
        assertEquals("true", r.header("Access-Control-Allow-Credentials"));
        assertEquals("7200", r.header("Access-Control-Max-Age"));
        assertEquals("Origin", r.header("Vary"));
        assertTrue(origin.seen().isEmpty(), "the preflight never reaches the origin");
    }

    @Test
    void aRealRequestWithOriginGetsTheFieldsOnTheOriginsResponse() throws IOException {
        start("expose_headers = \"X-Total\"");

        RawHttp.Response r = RawHttp.get(proxy.port(), "/data", "Origin: https://a.test");

        assertEquals(200, r.status());
        assertEquals("origin", r.body());
        assertEquals("*", r.header("Access-Control-Allow-Origin"));
        assertEquals("X-Total", r.header("Access-Control-Expose-Headers"));
        assertNull(r.header("Access-Control-Allow-Credentials"));
    }

    @Test
    void aRequestWithoutOriginIsUntouched() throws IOException {
        start("");

        RawHttp.Response r = RawHttp.get(proxy.port(), "/data");

        assertNull(r.header("Access-Control-Allow-Origin"));
    }

    @Test
    void aPathThatDoesNotMatchIsNotTreated() throws IOException {
        start("path = \"^/api/\"");

        RawHttp.Response pre = RawHttp.exchange(proxy.port(), "OPTIONS /other HTTP/1.1", "Host: localhost", "Origin: https://a.test");
        RawHttp.Response real = RawHttp.get(proxy.port(), "/other", "Origin: https://a.test");

        assertEquals(200, pre.status(), "OPTIONS outside path goes upstream");
        assertEquals("OPTIONS", origin.seen().get(0).method());
        assertNull(real.header("Access-Control-Allow-Origin"));
    }

    @Test
    void maxAgeZeroLeavesTheFieldOut() throws IOException {
        start("max_age = \"0s\"");

        RawHttp.Response r = RawHttp.exchange(proxy.port(), "OPTIONS /x HTTP/1.1", "Host: localhost", "Origin: https://a.test");

        assertEquals(204, r.status());
        assertNull(r.header("Access-Control-Max-Age"));
        assertEquals("GET, POST, PUT, PATCH, DELETE, OPTIONS", r.header("Access-Control-Allow-Methods"));
    }

    @Test
    void checkRefusesCredentialsWithAWildcardOrigin() {
        PluginServer.Check c = PluginServer.checkWith(tmp, "cors", "allow_credentials = true");

        assertEquals(1, c.code());
        assertTrue(c.err().contains("plugins.p.allow_credentials: cannot be true with allow_origin = \"*\""), c.err());
    }

    @Test
    void checkRefusesAPathThatIsNotARegex() {
        PluginServer.Check c = PluginServer.checkWith(tmp, "cors", "path = \"[\"");

        assertEquals(1, c.code());
        assertTrue(c.err().contains("plugins.p.path: not a regular expression"), c.err());
    }
}
