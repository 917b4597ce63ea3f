package io.pingora4j.server.plugins.forwardauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.PluginServer;
import io.pingora4j.server.RawHttp;
import io.pingora4j.server.RecordingOrigin;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code forward_auth} through the real server, with a recording auth service and origin. */
class ForwardAuthEndToEndTest {

    @TempDir
    Path tmp;
    private RecordingOrigin auth;
    private RecordingOrigin origin;
    private PluginServer proxy;

    @BeforeEach
    void origins() throws IOException {
        auth = RecordingOrigin.start();
        origin = RecordingOrigin.start();
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        origin.close();
        auth.close();
    }

    private void start(String keys) {
        proxy = PluginServer.startWith(origin, "forward_auth", "auth_url = \"http://" + auth.addr() + "/verify\"\n" + keys);
    }

    @Test
    void a2xxLetsTheRequestGoUpstreamWithTheAddedHeaders() throws IOException {
        auth.answer("/verify", 200, Map.of("X-User-Id", "42", "X-Other", "no"), null);
        start("request_headers = [\"Cookie\"]\nadd_headers = [\"X-User-Id\"]");

        RawHttp.Response r = RawHttp.exchange(proxy.port(), "GET /dashboard?tab=1 HTTP/1.1", "Host: example.com",
                "Cookie: session=abc", "Authorization: secret", "X-User-Id: forged");

        assertEquals(200, r.status());
        assertEquals("origin", r.body());
        RecordingOrigin.Seen sub = auth.last();
        assertEquals("GET", sub.method());
        assertEquals("/verify", sub.uri());
        assertEquals("session=abc", sub.header("Cookie"));
        assertNull(sub.header("Authorization"), "only request_headers are forwarded");
        assertEquals("GET", sub.header("X-Forwarded-Method"));
        assertEquals("/dashboard?tab=1", sub.header("X-Forwarded-Uri"));
        assertEquals("example.com", sub.header("X-Forwarded-Host"));
        assertEquals("127.0.0.1", sub.header("X-Forwarded-For"));
        assertEquals("42", origin.last().header("X-User-Id"), "the auth answer's value replaces the client's");
        assertNull(origin.last().header("X-Other"));
    }

    @Test
    void aRefusalIsRelayedWithItsStatusHeadersAndBody() throws IOException {
        auth.answer("/verify", 302, Map.of("Location", "/login", "Content-Type", "text/plain"),
                "log in first".getBytes(StandardCharsets.UTF_8));
        start("");

        RawHttp.Response r = RawHttp.get(proxy.port(), "/dashboard");

        assertEquals(302, r.status());
        assertEquals("/login", r.header("Location"));
        assertEquals("log in first", r.body());
        assertTrue(origin.seen().isEmpty());
    }

    @Test
    void withoutRequestHeadersEveryRequestHeaderIsForwarded() throws IOException {
        start("");

        RawHttp.get(proxy.port(), "/", "Authorization: Bearer t", "X-Custom: 1");

        assertEquals("Bearer t", auth.last().header("Authorization"));
        assertEquals("1", auth.last().header("X-Custom"));
    }

    @Test
    void anUnreachableAuthServiceIsA502() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        int port = closed;
        proxy = PluginServer.startWith(origin, "forward_auth", "auth_url = \"http://127.0.0.1:" + port + "/verify\"\ntimeout = \"2s\"");

        RawHttp.Response r = RawHttp.get(proxy.port(), "/");

        assertEquals(502, r.status());
        assertEquals("Forward auth request failed", r.body());
        assertTrue(origin.seen().isEmpty());
    }

    @Test
    void checkRefusesAnAuthUrlThatIsNotHttp() {
        PluginServer.Check c = PluginServer.checkWith(tmp, "forward_auth", "auth_url = \"ftp://auth/verify\"");

        assertEquals(1, c.code());
        assertTrue(c.err().contains("plugins.p.auth_url: must be an http or https URL"), c.err());
    }
}
