package io.pingora4j.server.plugins.trafficsplitting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.plugins.FakeSession;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.PluginConfigException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * The splitter's choice, recorded in the session attribute the proxy reads (the proxy's use of it
 * is {@link TrafficSplittingEndToEndTest}'s).
 */
class TrafficSplittingFilterTest {

    private static HttpFilter filter(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("category", "traffic_splitting");
        m.put("upstream", "v2");
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1] instanceof Integer n ? Long.valueOf(n) : kv[i + 1]);
        }
        return new TrafficSplittingFilterFactory().create(new PluginConfig("split", m));
    }

    private static String chosen(HttpFilter f, FakeSession s) {
        f.requestFilter(s);
        return (String) s.attribute(TrafficSplittingFilterFactory.UPSTREAM_ATTRIBUTE);
    }

    @Test
    void weight100AlwaysSwitchesAndWeight0Never() {
        assertEquals("v2", chosen(filter("weight", 100), FakeSession.get("/")));
        assertNull(chosen(filter("weight", 0), FakeSession.get("/")));
    }

    @Test
    void aRandomSplitSendsAboutItsShare() {
        HttpFilter f = filter("weight", 30);
        int switched = 0;
        for (int i = 0; i < 10_000; i++) {
            if (chosen(f, FakeSession.get("/")) != null) {
                switched++;
            }
        }
        assertTrue(switched > 2_500 && switched < 3_500, "30% of 10000, got " + switched);
    }

    @Test
    void aStickyCookieGivesTheSameAnswerByItsCrc32() {
        HttpFilter f = filter("weight", 50, "stickiness", true, "sticky_cookie", "deviceId");
        for (String id : new String[] {"a1", "b2", "c3", "d4", "e5", "f6"}) {
            CRC32 crc = new CRC32();
            crc.update(id.getBytes(StandardCharsets.UTF_8));
            boolean expected = crc.getValue() % 100 < 50;
            FakeSession s = FakeSession.parse("GET / HTTP/1.1\nHost: x\nCookie: deviceId=" + id);
            assertEquals(expected ? "v2" : null, chosen(f, s), id);
        }
    }

    @Test
    void aMatcherSwitchesMatchingValuesAndAMissingValueNever() {
        HttpFilter f = filter("weight", 100, "stickiness", true, "sticky_header", "X-User-Group", "matcher", "^(beta|internal)$");

        assertEquals("v2", chosen(f, FakeSession.parse("GET / HTTP/1.1\nHost: x\nX-User-Group: beta")));
        assertNull(chosen(f, FakeSession.parse("GET / HTTP/1.1\nHost: x\nX-User-Group: public")));
        assertNull(chosen(f, FakeSession.get("/")));
    }

    @Test
    void stickinessWithoutCookieOrHeaderIsRefused() {
        PluginConfigException e = assertThrows(PluginConfigException.class, () -> filter("stickiness", true));

        assertEquals("plugins.split.stickiness: needs sticky_cookie or sticky_header to say what a client is", e.getMessage());
    }
}
