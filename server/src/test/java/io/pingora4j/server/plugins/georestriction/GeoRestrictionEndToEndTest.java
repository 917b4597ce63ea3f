package io.pingora4j.server.plugins.georestriction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.PluginServer;
import io.pingora4j.server.RawHttp;
import io.pingora4j.server.RecordingOrigin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code geo_restriction} through the real server, with a test database written by
 * {@link MmdbWriter}: GB and DE networks, a network with only a registered country (CN), and the
 * loopback unknown. The test client is 127.0.0.1, a trusted proxy whose X-Forwarded-For names the
 * address to place.
 */
class GeoRestrictionEndToEndTest {

    @TempDir
    Path tmp;
    private Path database;
    private RecordingOrigin origin;
    private PluginServer proxy;

    @BeforeEach
    void database() throws Exception {
        database = Files.write(tmp.resolve("test-country.mmdb"), new MmdbWriter("Test-Country")
                .insert("81.2.69.0/24", Map.of("country", Map.of("iso_code", "GB", "names", Map.of("en", "United Kingdom"))))
                .insert("2001:db8::/32", Map.of("country", Map.of("iso_code", "DE")))
                .insert("175.16.199.0/24", Map.of("registered_country", Map.of("iso_code", "CN")))
                .build());
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

    private void start(String keys) throws IOException {
        origin = RecordingOrigin.start();
        proxy = PluginServer.startWith(origin, "geo_restriction",
                "database = \"" + database + "\"\ntrusted_proxies = [\"127.0.0.1\"]\n" + keys);
    }

    private RawHttp.Response from(String client) throws IOException {
        return client == null ? RawHttp.get(proxy.port(), "/") : RawHttp.get(proxy.port(), "/", "X-Forwarded-For: " + client);
    }

    @Test
    void anAllowListLetsItsCountriesThroughAndRefusesOthersAndUnknown() throws IOException {
        start("type = \"allow\"\ncountry_codes = [\"GB\"]");

        RawHttp.Response gb = from("81.2.69.10");
        RawHttp.Response de = from("2001:db8::1");
        RawHttp.Response unknown = from(null);

        assertEquals(200, gb.status());
        assertEquals(403, de.status());
        assertEquals("Access from your country is not allowed", de.body());
        assertEquals(403, unknown.status(), "127.0.0.1 is in no network: unknown (??)");
        assertEquals(1, origin.seen().size());
    }

    @Test
    void aDenyListRefusesItsCountriesIncludingARegisteredCountryAndLetsUnknownThrough() throws IOException {
        start("type = \"deny\"\ncountry_codes = [\"de, cn\"]\nmessage = \"Service unavailable in your region\"");

        RawHttp.Response de = from("2001:db8:1:2::3");
        RawHttp.Response cn = from("175.16.199.7");
        RawHttp.Response gb = from("81.2.69.200");
        RawHttp.Response unknown = from(null);

        assertEquals(403, de.status());
        assertEquals("Service unavailable in your region", de.body());
        assertEquals(403, cn.status(), "no country: the registered country decides");
        assertEquals(200, gb.status());
        assertEquals(200, unknown.status());
    }

    @Test
    void reportingLetsEveryRequestThrough() throws IOException {
        start("type = \"reporting\"");

        assertEquals(200, from("2001:db8::1").status());
        assertEquals(200, from("81.2.69.10").status());
        assertEquals(200, from(null).status());
        assertEquals(3, origin.seen().size());
    }

    @Test
    void forwardedForFromAPeerThatIsNotTrustedIsIgnored() throws IOException {
        origin = RecordingOrigin.start();
        proxy = PluginServer.startWith(origin, "geo_restriction",
                "database = \"" + database + "\"\ntype = \"allow\"\ncountry_codes = [\"GB\"]");

        assertEquals(403, from("81.2.69.10").status(), "the peer 127.0.0.1 is placed, not the header");
    }

    @Test
    void checkRefusesACodeThatIsNotTwoLetters() {
        PluginServer.Check c = PluginServer.checkWith(tmp, "geo_restriction",
                "database = \"" + database + "\"\ntype = \"deny\"\ncountry_codes = [\"DE\", \"GB, GBR\"]");

        assertEquals(1, c.code());
        assertTrue(c.err().contains("plugins.p.country_codes[1]: \"GBR\" is not an ISO 3166-1 alpha-2 code"), c.err());
    }

    @Test
    void checkRefusesAFileThatIsNotAMaxMindDatabase() throws IOException {
        Path bogus = Files.writeString(tmp.resolve("bogus.mmdb"), "not a database");
        PluginServer.Check c = PluginServer.checkWith(tmp, "geo_restriction",
                "database = \"" + bogus + "\"\ntype = \"deny\"\ncountry_codes = [\"DE\"]");

        assertEquals(1, c.code());
        assertTrue(c.err().contains("plugins.p.database: not a MaxMind DB file"), c.err());
    }

    @Test
    void checkRefusesAMissingTypeDatabaseAndAnEmptyAllowList() {
        assertTrue(PluginServer.checkWith(tmp, "geo_restriction", "database = \"" + database + "\"")
                .err().contains("plugins.p.type: is required"));
        assertTrue(PluginServer.checkWith(tmp, "geo_restriction", "type = \"deny\"")
                .err().contains("plugins.p.database: is required"));
        assertTrue(PluginServer.checkWith(tmp, "geo_restriction", "database = \"" + database + "\"\ntype = \"allow\"")
                .err().contains("plugins.p.country_codes: an allow list without countries refuses everyone"));
    }
}
