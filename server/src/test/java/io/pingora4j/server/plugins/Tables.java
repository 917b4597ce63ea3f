package io.pingora4j.server.plugins;

import io.pingora4j.spi.PluginConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds plugin tables the way the TOML loader hands them over (integers as Long). */
final class Tables {

    private Tables() {
    }

    /** key, value, key, value... */
    static Map<String, Object> table(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            Object v = kv[i + 1];
            m.put((String) kv[i], v instanceof Integer n ? Long.valueOf(n) : v);
        }
        return m;
    }

    static PluginConfig config(String name, Object... kv) {
        return new PluginConfig(name, table(kv));
    }
}
