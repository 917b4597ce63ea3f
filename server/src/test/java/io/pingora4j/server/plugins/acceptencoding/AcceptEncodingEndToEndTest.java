package io.pingora4j.server.plugins.acceptencoding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.PluginServer;
import io.pingora4j.server.RawHttp;
import io.pingora4j.server.RecordingOrigin;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code accept_encoding} through the real server: what the origin receives. */
class AcceptEncodingEndToEndTest {

    @TempDir
    Path tmp;
    private RecordingOrigin origin;
    private PluginServer proxy;

    @BeforeEach
    void origin() throws IOException {
        origin = RecordingOrigin.start();
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        origin.close();
    }

    private String forwarded(String sent) throws IOException {
        if (sent == null) {
            RawHttp.get(proxy.port(), "/");
        } else {
            RawHttp.get(proxy.port(), "/", "Accept-Encoding: " + sent);
        }
        return origin.last().header("Accept-Encoding");
    }

    @Test
    void onlyOneEncodingKeepsTheBestAcceptedOne() throws IOException {
        proxy = PluginServer.startWith(origin, "accept_encoding", "encodings = \"zstd, br, gzip\"\nonly_one_encoding = true");

        assertEquals("br", forwarded("gzip, deflate, br"));
        assertEquals("zstd", forwarded("zstd, gzip"));
        assertEquals("gzip", forwarded("br;q=0, gzip"));
        assertNull(forwarded("deflate"), "nothing acceptable: the field is removed");
        assertNull(forwarded(null), "no field: nothing added");
    }

    @Test
    void theFullListIsKeptInTheConfiguredOrder() throws IOException {
        proxy = PluginServer.startWith(origin, "accept_encoding", "encodings = \"br, gzip\"");

        assertEquals("br, gzip", forwarded("gzip, br"));
        assertEquals("gzip", forwarded("x-gzip, gzip"));
    }

    @Test
    void checkRefusesAnEmptyList() {
        PluginServer.Check c = PluginServer.checkWith(tmp, "accept_encoding", "only_one_encoding = true");

        assertTrue(c.err().contains("plugins.p.encodings: is required"), c.err());
    }
}
