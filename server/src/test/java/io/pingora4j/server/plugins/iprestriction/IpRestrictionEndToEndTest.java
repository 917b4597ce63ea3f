package io.pingora4j.server.plugins.iprestriction;

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

/** {@code ip_restriction} through the real server; the test client is 127.0.0.1. */
class IpRestrictionEndToEndTest {

    @TempDir
    Path tmp;
    private RecordingOrigin origin;
    private PluginServer proxy;

    private void start(String keys) throws IOException {
        origin = RecordingOrigin.start();
        proxy = PluginServer.startWith(origin, "ip_restriction", keys);
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
    void anAllowListThatHoldsTheClientsBlockLetsItThrough() throws IOException {
        start("ip_list = [\"10.0.0.0/8\", \"127.0.0.0/24\", \"::1\"]");

        assertEquals(200, RawHttp.get(proxy.port(), "/").status());
    }

    @Test
    void anAllowListWithoutTheClientAnswers403WithTheMessage() throws IOException {
        start("ip_list = [\"10.0.0.0/8\", \"2001:db8::/32\"]\nmessage = \"Internal access only\"");

        RawHttp.Response r = RawHttp.get(proxy.port(), "/");

        assertEquals(403, r.status());
        assertEquals("Internal access only", r.body());
        assertTrue(origin.seen().isEmpty());
    }

    @Test
    void aDenyListRefusesTheListedClientWithTheDefaultMessage() throws IOException {
        start("type = \"DENY\"\nip_list = [\"127.0.0.1\"]");

        RawHttp.Response r = RawHttp.get(proxy.port(), "/");

        assertEquals(403, r.status());
        assertEquals("Request is forbidden", r.body());
    }

    @Test
    void xForwardedForIsIgnoredWhenThePeerIsNotATrustedProxy() throws IOException {
        start("type = \"deny\"\nip_list = [\"127.0.0.1\"]");

        RawHttp.Response r = RawHttp.get(proxy.port(), "/", "X-Forwarded-For: 203.0.113.9");

        assertEquals(403, r.status(), "a client cannot escape a deny list by sending X-Forwarded-For");
    }

    @Test
    void behindATrustedProxyTheRightmostUntrustedForwardedAddressIsTheClient() throws IOException {
        start("ip_list = [\"203.0.113.0/24\"]\ntrusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\"]");

        RawHttp.Response allowed = RawHttp.get(proxy.port(), "/", "X-Forwarded-For: 198.51.100.1, 203.0.113.9, 10.1.1.1");
        RawHttp.Response forgedLeft = RawHttp.get(proxy.port(), "/", "X-Forwarded-For: 203.0.113.9, 198.51.100.1");

        assertEquals(200, allowed.status());
        assertEquals(403, forgedLeft.status(), "only the hop next to our proxies counts, not what the client wrote");
    }

    @Test
    void checkRefusesAnEntryThatIsNotAnAddressNamingIt() {
        PluginServer.Check c = PluginServer.checkWith(tmp, "ip_restriction", "ip_list = [\"10.0.0.0/8\", \"10.0.0.0/33\"]");

        assertEquals(1, c.code());
        assertTrue(c.err().contains("plugins.p.ip_list[1]: \"10.0.0.0/33\": the prefix length must be 0-32"), c.err());
    }

    @Test
    void checkRefusesAnUnknownType() {
        PluginServer.Check c = PluginServer.checkWith(tmp, "ip_restriction", "type = \"block\"");

        assertEquals(1, c.code());
        assertTrue(c.err().contains("plugins.p.type: expected allow or deny, got \"block\""), c.err());
    }
}
