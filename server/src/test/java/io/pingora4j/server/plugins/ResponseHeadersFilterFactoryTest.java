package io.pingora4j.server.plugins;

import static io.pingora4j.server.plugins.Tables.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.PluginConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResponseHeadersFilterFactoryTest {

    private final ResponseHeadersFilterFactory factory =
            new ResponseHeadersFilterFactory(Map.of("HOSTNAME", "edge-7", "REGION", "eu-west")::get);

    private HttpFilter create(Object... kv) {
        Object[] all = new Object[kv.length + 2];
        all[0] = "category";
        all[1] = "response_headers";
        System.arraycopy(kv, 0, all, 2, kv.length);
        return factory.create(new PluginConfig("rh", table(all)));
    }

    private static ResponseHead upstreamResponse() {
        ResponseHead r = new ResponseHead();
        r.headers().add("Content-Type", "application/json");
        r.headers().add("X-Powered-By", "Express");
        r.headers().add("X-Svc-Version", "1.2.3");
        r.headers().add("Set-Cookie", "a=1");
        return r;
    }

    private static List<String> values(HeaderBlock h, String name) {
        List<String> out = new ArrayList<>();
        for (int i = h.indexOf(name, 0); i >= 0; i = h.indexOf(name, i + 1)) {
            out.add(h.value(i));
        }
        return out;
    }

    @Test
    void hardensAResponseLikePingapsExample() {
        HttpFilter f = create(
                "remove_headers", List.of("X-Powered-By"),
                "set_headers", List.of("X-Content-Type-Options: nosniff", "X-Frame-Options: DENY"),
                "set_headers_not_exists", List.of("X-Request-ID: :request_id"),
                "rename_headers", List.of("X-Svc-Version: X-Service-Version"));
        FakeSession s = FakeSession.get("/");
        s.setAttribute("request_id", "abc123");
        ResponseHead r = upstreamResponse();

        f.responseFilter(s, r);

        HeaderBlock h = r.headers();
        assertNull(h.get("X-Powered-By"));
        assertEquals("nosniff", h.get("X-Content-Type-Options"));
        assertEquals("DENY", h.get("X-Frame-Options"));
        assertEquals("abc123", h.get("X-Request-ID"));
        assertNull(h.get("X-Svc-Version"));
        assertEquals("1.2.3", h.get("X-Service-Version"));
        assertEquals("application/json", h.get("Content-Type"));
    }

    @Test
    void addKeepsExistingValuesAndSetReplacesThem() {
        HttpFilter f = create("add_headers", List.of("Set-Cookie: b=2"), "set_headers", List.of("Content-Type: text/plain"));
        ResponseHead r = upstreamResponse();
        f.responseFilter(FakeSession.get("/"), r);
        assertEquals(List.of("a=1", "b=2"), values(r.headers(), "Set-Cookie"));
        assertEquals(List.of("text/plain"), values(r.headers(), "Content-Type"));
    }

    @Test
    void setIfAbsentLeavesAnExistingHeaderAlone() {
        HttpFilter f = create("set_headers_not_exists", List.of("Content-Type: text/html", "Cache-Control: no-cache"));
        ResponseHead r = upstreamResponse();
        f.responseFilter(FakeSession.get("/"), r);
        assertEquals("application/json", r.headers().get("Content-Type"));
        assertEquals("no-cache", r.headers().get("Cache-Control"));
    }

    @Test
    void runsInPingapsOrderWhateverTheKeyOrder() {
        // add runs before remove: a header both added and removed is gone; rename sees what set made
        HttpFilter f = create(
                "rename_headers", List.of("X-Temp: X-Final"),
                "remove_headers", List.of("X-Added"),
                "set_headers", List.of("X-Temp: from-set"),
                "add_headers", List.of("X-Added: 1"));
        ResponseHead r = upstreamResponse();
        f.responseFilter(FakeSession.get("/"), r);
        assertNull(r.headers().get("X-Added"));
        assertNull(r.headers().get("X-Temp"));
        assertEquals("from-set", r.headers().get("X-Final"));
    }

    @Test
    void renameMovesEveryValue() {
        HttpFilter f = create("rename_headers", List.of("Set-Cookie: X-Cookie"));
        ResponseHead r = upstreamResponse();
        r.headers().add("Set-Cookie", "c=3");
        f.responseFilter(FakeSession.get("/"), r);
        assertFalse(r.headers().contains("Set-Cookie"));
        assertEquals(List.of("a=1", "c=3"), values(r.headers(), "X-Cookie"));
    }

    @Test
    void expandsDynamicValues() {
        HttpFilter f = create("set_headers", List.of(
                "X-Host: $hostname", "X-Host2: {$hostname}", "X-Region: $REGION", "X-Client: $remote_addr",
                "X-Port: $remote_port", "X-Upstream: $upstream_addr", "X-Echo: $http_x_echo", "X-Id: {:request_id}",
                "X-Missing: :nothing"));
        FakeSession s = FakeSession.parse("GET / HTTP/1.1\nHost: a\nX-Echo: hello\n")
                .client("192.0.2.9", 40123)
                .peer(HttpPeer.of("10.0.0.5", 8080), false);
        s.setAttribute("request_id", "rid-1");
        ResponseHead r = new ResponseHead();

        f.responseFilter(s, r);

        HeaderBlock h = r.headers();
        assertEquals("edge-7", h.get("X-Host"));
        assertEquals("edge-7", h.get("X-Host2"));
        assertEquals("eu-west", h.get("X-Region"));
        assertEquals("192.0.2.9", h.get("X-Client"));
        assertEquals("40123", h.get("X-Port"));
        assertEquals("10.0.0.5:8080", h.get("X-Upstream"));
        assertEquals("hello", h.get("X-Echo"));
        assertEquals("rid-1", h.get("X-Id"));
        assertNull(h.get("X-Missing"), "a missing dynamic value leaves the header alone");
    }

    @Test
    void refusesAnEntryWithoutAColon() {
        PluginConfigException e = assertThrows(PluginConfigException.class,
                () -> create("add_headers", List.of("X-Server pingap")));
        assertEquals("rh", e.plugin());
        assertEquals("add_headers[0]", e.key());
    }

    @Test
    void refusesRulesOnFramingHeaders() {
        PluginConfigException e = assertThrows(PluginConfigException.class,
                () -> create("remove_headers", List.of("Transfer-Encoding")));
        assertEquals("remove_headers[0]", e.key());
        PluginConfigException e2 = assertThrows(PluginConfigException.class,
                () -> create("set_headers", List.of("Content-Length: 10")));
        assertEquals("set_headers[0]", e2.key());
    }

    @Test
    void refusesAnInvalidHeaderName() {
        PluginConfigException e = assertThrows(PluginConfigException.class,
                () -> create("rename_headers", List.of("X-Old: X New")));
        assertEquals("rename_headers[0]", e.key());
    }

    @Test
    void refusesATableWithNoRules() {
        PluginConfigException e = assertThrows(PluginConfigException.class, () -> create());
        assertNull(e.key());
    }
}
