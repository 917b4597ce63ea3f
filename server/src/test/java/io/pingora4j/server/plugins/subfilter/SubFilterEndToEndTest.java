package io.pingora4j.server.plugins.subfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.PluginServer;
import io.pingora4j.server.RawHttp;
import io.pingora4j.server.RecordingOrigin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sub_filter} through the real server, on a body large enough to arrive in many reads. */
class SubFilterEndToEndTest {

    @TempDir
    Path tmp;
    private RecordingOrigin origin;
    private PluginServer proxy;
    private String page;

    @BeforeEach
    void origin() throws IOException {
        origin = RecordingOrigin.start();
        StringBuilder sb = new StringBuilder("<html><head><title>Docs</title></head><body>");
        for (int i = 0; i < 20_000; i++) {
            sb.append("<a href=\"http://old.example.com/p").append(i).append("\">p</a>\n");
        }
        page = sb.append("</body></html>").toString();
        byte[] body = page.getBytes(StandardCharsets.UTF_8);
        origin.answer("/docs", 200, Map.of("Content-Type", "text/html", "ETag", "\"e\""), body);
        origin.answer("/docs/missing", 404, Map.of("Content-Type", "text/html"), body);
        origin.answer("/other", 200, Map.of("Content-Type", "text/html"), body);
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        origin.close();
    }

    @Test
    void everyOccurrenceIsReplacedInAStreamedBodyOfMegabytes() throws IOException {
        proxy = PluginServer.startWith(origin, "sub_filter", """
                path = "^/docs"
                status_codes = "200"
                filters = [
                    "sub_filter 'http://old.example.com' 'https://new.example.com' g",
                    "subs_filter '<title>(.*?)</title>' '<title>$1 - Site</title>' i",
                ]
                """);

        RawHttp.Response r = RawHttp.get(proxy.port(), "/docs");

        assertEquals(200, r.status());
        assertEquals("chunked", r.header("Transfer-Encoding"));
        assertNull(r.header("ETag"), "the bytes changed");
        assertEquals(page.replace("http://old.example.com", "https://new.example.com")
                .replace("<title>Docs</title>", "<title>Docs - Site</title>"), r.body());
    }

    @Test
    void otherPathsAndStatusesAreLeftAlone() throws IOException {
        proxy = PluginServer.startWith(origin, "sub_filter", """
                path = "^/docs"
                status_codes = "200,201"
                filters = ["sub_filter 'old' 'new' g"]
                """);

        assertEquals(page, RawHttp.get(proxy.port(), "/other").body());
        assertEquals(page, RawHttp.get(proxy.port(), "/docs/missing").body());
    }

    @Test
    void checkRefusesARuleThatDoesNotParseNamingIt() {
        PluginServer.Check c = PluginServer.checkWith(tmp, "sub_filter", "filters = [\"sub_filter 'a' 'b' g\", \"sub_filter a b\"]");
        PluginServer.Check flag = PluginServer.checkWith(tmp, "sub_filter", "filters = [\"sub_filter 'a' 'b' i\"]");

        assertTrue(c.err().contains("plugins.p.filters[1]: expected sub_filter 'TEXT' 'REPLACEMENT'"), c.err());
        assertTrue(flag.err().contains("plugins.p.filters[0]: unknown flag 'i' (i is for subs_filter)"), flag.err());
    }
}
