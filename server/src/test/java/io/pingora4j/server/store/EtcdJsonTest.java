package io.pingora4j.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pingora4j.server.admin.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The etcd gateway's JSON, read and written by the admin's {@link Json}. */
class EtcdJsonTest {

    @Test
    void readsARangeAnswerWithInt64AsStrings() {
        Map<String, Object> r = Json.object("""
                {"header":{"cluster_id":"1","revision":"42"},
                 "kvs":[{"key":"L3Av","value":"eA==","mod_revision":"41"}],"count":"1"}""");
        assertEquals("42", ((Map<?, ?>) r.get("header")).get("revision"));
        assertEquals("L3Av", ((Map<?, ?>) ((List<?>) r.get("kvs")).get(0)).get("key"));
    }

    @Test
    void readsEscapesBooleansAndNull() {
        Map<String, Object> r = Json.object("{\"a\":\"x\\\"y\\\\z\\u0041\\n\",\"b\":true,\"c\":null,\"d\":[]}");
        assertEquals("x\"y\\zA\n", r.get("a"));
        assertEquals(Boolean.TRUE, r.get("b"));
        assertEquals(null, r.get("c"));
        assertEquals(List.of(), r.get("d"));
    }

    @Test
    void writesWhatItReads() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("key", "a\"b");
        inner.put("start_revision", "7");
        String text = Json.write(Map.of("create_request", inner));
        assertEquals("{\"create_request\":{\"key\":\"a\\\"b\",\"start_revision\":\"7\"}}", text);
        assertEquals(Map.of("create_request", inner), Json.object(text));
    }

    @Test
    void refusesTrailingGarbage() {
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{} x"));
    }
}
