package io.pingora4j.server.plugins.basicauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.PluginServer;
import io.pingora4j.server.RawHttp;
import io.pingora4j.server.RecordingOrigin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code basic_auth} through the real server, in front of a recording origin. */
class BasicAuthEndToEndTest {

    private static final String ALICE = b64("alice:secret");
    private static final String BOB = b64("bob:hunter2");

    @TempDir
    Path tmp;
    private RecordingOrigin origin;
    private PluginServer proxy;

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private void start(String pluginKeys) throws IOException {
        origin = RecordingOrigin.start();
        proxy = PluginServer.start(port -> toml(origin.addr(), port, pluginKeys));
    }

    static String toml(String originAddr, int port, String pluginKeys) {
        return """
                [upstreams.app]
                addrs = ["%s"]

                [plugins.auth]
                category = "basic_auth"
                %s

                [locations.app]
                path = "/"
                upstream = "app"
                plugins = ["auth"]

                [servers.http]
                addr = "127.0.0.1:%d"
                locations = ["app"]
                """.formatted(originAddr, pluginKeys, port);
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
    void aRequestWithoutAuthorizationIsAnswered401WithAChallenge() throws IOException {
        start("authorizations = [\"%s\"]\nrealm = \"staging\"".formatted(ALICE));

        RawHttp.Response r = RawHttp.get(proxy.port(), "/");

        assertEquals(401, r.status());
        assertEquals("Authorization is missing", r.body());
        assertEquals("Basic realm=\"staging\", charset=\"UTF-8\"", r.header("WWW-Authenticate"));
        assertTrue(origin.seen().isEmpty(), "nothing went upstream");
    }

    @Test
    void aKnownAccountGoesUpstreamWithItsCredentials() throws IOException {
        start("authorizations = [\"%s\", \"%s\"]".formatted(ALICE, BOB));

        RawHttp.Response r = RawHttp.get(proxy.port(), "/x", "Authorization: Basic " + BOB);

        assertEquals(200, r.status());
        assertEquals("origin", r.body());
        assertEquals("Basic " + BOB, origin.last().header("Authorization"));
    }

    @Test
    void aWrongPasswordIsAnswered401() throws IOException {
        start("authorizations = [\"%s\"]".formatted(ALICE));

        RawHttp.Response r = RawHttp.get(proxy.port(), "/", "Authorization: Basic " + b64("alice:wrong"));

        assertEquals(401, r.status());
        assertEquals("Invalid user or password", r.body());
        assertTrue(origin.seen().isEmpty());
    }

    @Test
    void anotherSchemeCountsAsMissing() throws IOException {
        start("authorizations = [\"%s\"]".formatted(ALICE));

        RawHttp.Response r = RawHttp.get(proxy.port(), "/", "Authorization: Bearer " + ALICE);

        assertEquals(401, r.status());
        assertEquals("Authorization is missing", r.body());
    }

    @Test
    void hideCredentialsKeepsAuthorizationFromTheOrigin() throws IOException {
        start("authorizations = [\"%s\"]\nhide_credentials = true".formatted(ALICE));

        RawHttp.Response r = RawHttp.get(proxy.port(), "/", "Authorization: basic " + ALICE);

        assertEquals(200, r.status());
        assertNull(origin.last().header("Authorization"));
    }

    @Test
    void aDelayedRefusalStillArrivesAndOtherRequestsAreServedMeanwhile() throws IOException {
        start("authorizations = [\"%s\"]\ndelay = \"300ms\"".formatted(ALICE));

        RawHttp.Response refused = RawHttp.get(proxy.port(), "/", "Authorization: Basic " + b64("alice:nope"));
        RawHttp.Response allowed = RawHttp.get(proxy.port(), "/", "Authorization: Basic " + ALICE);

        assertEquals(401, refused.status());
        assertEquals("Invalid user or password", refused.body());
        assertEquals(200, allowed.status());
    }

    @Test
    void checkRefusesAnEntryThatIsNotBase64NamingItsPlaceNotItsValue() {
        PluginServer.Check c = PluginServer.check(tmp, toml("127.0.0.1:1", 1, "authorizations = [\"%s\", \"not*base64\"]".formatted(ALICE)));

        assertEquals(1, c.code());
        assertTrue(c.err().contains("plugins.auth.authorizations[1]: is not valid base64"), c.err());
        assertTrue(!c.err().contains("not*base64"), "a credential is never printed: " + c.err());
    }

    @Test
    void checkRefusesAnEntryWithoutAColon() {
        PluginServer.Check c = PluginServer.check(tmp, toml("127.0.0.1:1", 1, "authorizations = [\"%s\"]".formatted(b64("nocolon"))));

        assertEquals(1, c.code());
        assertTrue(c.err().contains("plugins.auth.authorizations[0]: must decode to \"user:password\""), c.err());
    }

    @Test
    void checkRefusesAMissingList() {
        PluginServer.Check c = PluginServer.check(tmp, toml("127.0.0.1:1", 1, "delay = \"1s\""));

        assertEquals(1, c.code());
        assertTrue(c.err().contains("plugins.auth.authorizations: is required"), c.err());
    }
}
