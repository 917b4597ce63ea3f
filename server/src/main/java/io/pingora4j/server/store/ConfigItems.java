package io.pingora4j.server.store;

import io.pingora4j.server.admin.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * Splits a TOML configuration into Pingap's one-item-per-key layout: {@code basic.toml} holding
 * {@code [basic]}, {@code SECTION/NAME.toml} holding {@code [SECTION.NAME]}. Nested tables are
 * written inline, so each item is one table and reads back to the same values. Stateless.
 */
final class ConfigItems {

    private static final Pattern BARE = Pattern.compile("[A-Za-z0-9_-]+");

    private ConfigItems() {
    }

    /** Key (relative to the prefix, no leading slash) to TOML text, in document order. */
    static Map<String, String> split(String toml) {
        TomlParseResult doc = Toml.parse(toml);
        if (doc.hasErrors()) {
            throw new IllegalArgumentException(doc.errors().get(0).toString());
        }
        Map<String, String> items = new LinkedHashMap<>();
        for (String section : doc.keySet()) {
            Object v = doc.get(java.util.List.of(section));
            if (!(v instanceof TomlTable table)) {
                continue;
            }
            if (section.equals("basic")) {
                items.put("basic.toml", "[basic]\n" + body(table));
                continue;
            }
            for (String name : table.keySet()) {
                Object item = table.get(java.util.List.of(name));
                if (item instanceof TomlTable t) {
                    items.put(section + "/" + name + ".toml", "[" + key(section) + "." + key(name) + "]\n" + body(t));
                }
            }
        }
        return items;
    }

    private static String body(TomlTable t) {
        StringBuilder b = new StringBuilder();
        for (String k : t.keySet()) {
            b.append(key(k)).append(" = ");
            value(b, t.get(java.util.List.of(k)));
            b.append('\n');
        }
        return b.toString();
    }

    private static void value(StringBuilder b, Object v) {
        if (v instanceof String s) {
            Json.quote(b, s);
        } else if (v instanceof Double d) {
            b.append(d.isNaN() ? "nan" : d.isInfinite() ? (d > 0 ? "inf" : "-inf") : d.toString());
        } else if (v instanceof TomlArray a) {
            b.append('[');
            for (int i = 0; i < a.size(); i++) {
                if (i > 0) {
                    b.append(", ");
                }
                value(b, a.get(i));
            }
            b.append(']');
        } else if (v instanceof TomlTable t) {
            b.append('{');
            boolean first = true;
            for (String k : t.keySet()) {
                b.append(first ? " " : ", ");
                first = false;
                b.append(key(k)).append(" = ");
                value(b, t.get(java.util.List.of(k)));
            }
            b.append(first ? "}" : " }");
        } else {
            b.append(v); // Long, Boolean, dates and times print as TOML writes them
        }
    }

    private static String key(String k) {
        if (BARE.matcher(k).matches()) {
            return k;
        }
        StringBuilder b = new StringBuilder();
        value(b, k);
        return b.toString();
    }
}
