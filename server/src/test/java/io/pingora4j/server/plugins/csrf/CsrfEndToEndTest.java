package io.pingora4j.server.plugins.csrf;

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

/** {@code csrf} through the real server. */
class CsrfEndToEndTest {

    @TempDir
    Path tmp;
    private RecordingOrigin origin;
    private PluginServer proxy;

    private void start(String keys) throws IOException {
        origin = RecordingOrigin.start();
        proxy = PluginServer.startWith(origin, "csrf", keys);
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

    private String token() throws IOException {
        RawHttp.Response r = RawHttp.get(proxy.port(), "/csrf-token");
        assertEquals(204, r.status());
        String cookie = r.header("Set-Cookie");
        return cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
    }

    private RawHttp.Response post(String header, String cookie) throws IOException {
        java.util.List<String> lines = new java.util.ArrayList<>(java.util.List.of("POST /orders HTTP/1.1", "Host: localhost",
                "Content-Length: 0"));
        if (header != null) {
            lines.add("x-csrf-token: " + header);
        }
        if (cookie != null) {
            lines.add("Cookie: a=1; x-csrf-token=" + cookie);
        }
        return RawHttp.exchange(proxy.port(), lines.toArray(String[]::new));
    }

    @Test
    void theTokenPathIssuesACookieWithMaxAgeAndNoStore() throws IOException {
        start("token_path = \"/csrf-token\"\nkey = \"WjrXUG47wu\"\nttl = \"1h\"");

        RawHttp.Response r = RawHttp.exchange(proxy.port(), "POST /csrf-token HTTP/1.1", "Host: localhost", "Content-Length: 0");

        assertEquals(204, r.status());
        assertTrue(r.header("Set-Cookie").matches("x-csrf-token=[A-Za-z0-9_-]+\\.[0-9a-f]+\\.[A-Za-z0-9_-]+; Path=/; SameSite=Lax; Max-Age=3600"),
                r.header("Set-Cookie"));
        assertEquals("private, no-store", r.header("Cache-Control"));
        assertTrue(origin.seen().isEmpty());
    }

    @Test
    void aPostEchoingTheCookieInTheHeaderGoesUpstream() throws IOException {
        start("token_path = \"/csrf-token\"\nkey = \"WjrXUG47wu\"");
        String t = token();

        RawHttp.Response r = post(t, t);

        assertEquals(200, r.status());
        assertEquals("POST", origin.last().method());
    }

    @Test
    void safeMethodsNeedNoToken() throws IOException {
        start("token_path = \"/csrf-token\"\nkey = \"k\"");

        assertEquals(200, RawHttp.get(proxy.port(), "/orders").status());
    }

    @Test
    void aPostWithoutTheHeaderOrWithAnotherValueIsAnswered401() throws IOException {
        start("token_path = \"/csrf-token\"\nkey = \"WjrXUG47wu\"");
        String t = token();
        String other = token();

        RawHttp.Response missing = post(null, t);
        RawHttp.Response mismatched = post(other, t);

        assertEquals(401, missing.status());
        assertEquals("Csrf token is empty or invalid", missing.body());
        assertEquals(401, mismatched.status());
        assertTrue(origin.seen().isEmpty());
    }

    @Test
    void aTokenSignedWithAnotherKeyIsRefused() throws IOException {
        start("token_path = \"/csrf-token\"\nkey = \"WjrXUG47wu\"");
        String forged = token();
        forged = forged.substring(0, forged.lastIndexOf('.') + 1) + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

        assertEquals(401, post(forged, forged).status());
    }

    @Test
    void checkRefusesAMissingKey() {
        PluginServer.Check c = PluginServer.checkWith(tmp, "csrf", "token_path = \"/t\"");

        assertEquals(1, c.code());
        assertTrue(c.err().contains("plugins.p.key: is required"), c.err());
    }
}
