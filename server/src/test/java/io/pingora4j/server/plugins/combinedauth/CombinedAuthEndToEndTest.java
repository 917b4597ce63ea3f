package io.pingora4j.server.plugins.combinedauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.PluginServer;
import io.pingora4j.server.RawHttp;
import io.pingora4j.server.RecordingOrigin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code combined_auth} through the real server; the test client is 127.0.0.1. */
class CombinedAuthEndToEndTest {

    private static final String APPS = """
            [[plugins.p.authorizations]]
            app_id = "pingap"
            secret = "123123"
            deviation = 60
            ip_list = ["127.0.0.1", "192.168.1.0/24"]

            [[plugins.p.authorizations]]
            app_id = "remote"
            secret = "abc"
            deviation = 60
            ip_list = ["192.168.1.0/24"]

            [[plugins.p.authorizations]]
            app_id = "internal"
            secret = "*"
            """;

    @TempDir
    Path tmp;
    private RecordingOrigin origin;
    private PluginServer proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    private void start() throws IOException {
        origin = RecordingOrigin.start();
        proxy = PluginServer.startWith(origin, "combined_auth", APPS);
    }

    static String digest(String secret, long ts) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest((secret + ":" + ts).getBytes(StandardCharsets.UTF_8)));
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    @Test
    void aFreshCorrectDigestGoesUpstream() throws Exception {
        start();
        long ts = now();

        RawHttp.Response r = RawHttp.get(proxy.port(), "/o?app_id=pingap&ts=" + ts + "&digest=" + digest("123123", ts).toUpperCase());

        assertEquals(200, r.status());
        assertEquals(1, origin.seen().size());
    }

    @Test
    void aWrongDigestIsAnswered401NamingTheReason() throws Exception {
        start();
        long ts = now();

        RawHttp.Response r = RawHttp.get(proxy.port(), "/o?app_id=pingap&ts=" + ts + "&digest=" + digest("nope", ts));

        assertEquals(401, r.status());
        assertEquals("Plugin combined_auth invalid, message: digest is invalid", r.body());
        assertEquals("private, no-store", r.header("Cache-Control"));
        assertTrue(origin.seen().isEmpty());
    }

    @Test
    void aTimestampOutsideTheDeviationIsRefused() throws Exception {
        start();
        long ts = now() - 120;

        RawHttp.Response r = RawHttp.get(proxy.port(), "/o?app_id=pingap&ts=" + ts + "&digest=" + digest("123123", ts));

        assertEquals(401, r.status());
        assertEquals("Plugin combined_auth invalid, message: timestamp is invalid", r.body());
    }

    @Test
    void anUnknownAppOrAClientOutsideTheAppsIpListIsRefused() throws Exception {
        start();
        long ts = now();

        RawHttp.Response unknown = RawHttp.get(proxy.port(), "/o?app_id=who&ts=" + ts + "&digest=x");
        RawHttp.Response ip = RawHttp.get(proxy.port(), "/o?app_id=remote&ts=" + ts + "&digest=" + digest("abc", ts));

        assertEquals("Plugin combined_auth invalid, message: app id is invalid", unknown.body());
        assertEquals("Plugin combined_auth invalid, message: ip is not allowed", ip.body());
    }

    @Test
    void aStarSecretLetsItsAppInUnchecked() throws Exception {
        start();

        assertEquals(200, RawHttp.get(proxy.port(), "/o?app_id=internal").status());
    }

    @Test
    void checkRefusesAnAppWithoutDeviation() {
        PluginServer.Check c = PluginServer.checkWith(tmp, "combined_auth", """
                [[plugins.p.authorizations]]
                app_id = "a"
                secret = "s"
                """);

        assertEquals(1, c.code());
        assertTrue(c.err().contains("plugins.p.authorizations[0].deviation: is required"), c.err());
    }
}
