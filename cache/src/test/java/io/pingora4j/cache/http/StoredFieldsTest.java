package io.pingora4j.cache.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Set;
import org.junit.jupiter.api.Test;

class StoredFieldsTest {

    private static StoredFields of(String... nameValues) {
        String[] n = new String[nameValues.length / 2];
        String[] v = new String[n.length];
        for (int i = 0; i < n.length; i++) {
            n[i] = nameValues[2 * i];
            v[i] = nameValues[2 * i + 1];
        }
        return StoredFields.of(n, v, Set.of());
    }

    @Test
    void hopByHopAgeAndContentLengthAreNotStored() {
        StoredFields f = of("Connection", "close", "Content-Type", "text/plain", "Age", "7", "Transfer-Encoding",
                "chunked", "Content-Length", "3", "ETag", "\"a\"");
        assertEquals(2, f.size());
        assertEquals("Content-Type", f.name(0));
        assertEquals("\"a\"", f.first("etag"));
        assertNull(f.first("Age"));
    }

    @Test
    void fieldsNamedByPrivateAreNotStored() {
        StoredFields f = StoredFields.of(new String[] {"Set-Cookie", "X-A"}, new String[] {"s=1", "a"},
                Set.of("set-cookie"));
        assertFalse(f.has("Set-Cookie"));
        assertEquals("a", f.first("X-A"));
    }

    @Test
    void aNotModifiedReplacesTheFieldsItCarriesAndKeepsTheOthers() {
        StoredFields stored = of("ETag", "\"a\"", "Cache-Control", "max-age=1", "X-Keep", "k");
        StoredFields updated = stored.updatedBy(of("Cache-Control", "max-age=60", "Content-Length", "0"));
        assertEquals("max-age=60", updated.first("cache-control"));
        assertEquals("k", updated.first("X-Keep"));
        assertArrayEquals(new String[] {"max-age=60"}, updated.all("Cache-Control"));
    }

    @Test
    void freshnessComesFromTheStoredFieldsAndIsCapped() {
        StoredFields f = of("Cache-Control", "max-age=600");
        assertEquals(600, f.freshness(200, null, 1000, 1000, Long.MAX_VALUE).lifetime());
        assertEquals(60, f.freshness(200, null, 1000, 1000, 60).lifetime());
        assertEquals(10, f.freshness(200, "10", 1000, 1000, Long.MAX_VALUE).currentAge(1000));
    }
}
