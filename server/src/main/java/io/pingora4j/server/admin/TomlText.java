package io.pingora4j.server.admin;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes configuration tables back as TOML: {@code [category.name]} headers with one
 * {@code key = value} line each; nested tables are written inline. What the admin API writes is
 * read back by the same {@code ConfigLoader} as a hand-written file. Comments of a rewritten
 * file are not kept. Stateless and thread-safe.
 */
public final class TomlText {

    private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");

    private TomlText() {
    }

    /** One document: {@code sections} maps "basic" to its table, and each other category to its named tables. */
    @SuppressWarnings("unchecked")
    public static String document(Map<String, Object> sections) {
        StringBuilder b = new StringBuilder("# written by the pingora4j admin\n");
        for (Map.Entry<String, Object> s : sections.entrySet()) {
            Map<String, Object> t = (Map<String, Object>) s.getValue();
            if (s.getKey().equals("basic")) {
                table(b, key(s.getKey()), t);
                continue;
            }
            for (Map.Entry<String, Object> item : t.entrySet()) {
                table(b, key(s.getKey()) + "." + key(item.getKey()), (Map<String, Object>) item.getValue());
            }
        }
        return b.toString();
    }

    private static void table(StringBuilder b, String header, Map<String, Object> t) {
        b.append('\n').append('[').append(header).append("]\n");
        for (Map.Entry<String, Object> e : t.entrySet()) {
            if (e.getValue() == null) {
                continue; // TOML has no null: an absent key is the default
            }
            b.append(key(e.getKey())).append(" = ");
            value(b, e.getValue());
            b.append('\n');
        }
    }

    static String key(String k) {
        if (BARE_KEY.matcher(k).matches()) {
            return k;
        }
        StringBuilder b = new StringBuilder();
        Json.quote(b, k);
        return b.toString();
    }

    @SuppressWarnings("unchecked")
    private static void value(StringBuilder b, Object v) {
        if (v instanceof String s) {
            Json.quote(b, s);
        } else if (v instanceof Double d) {
            b.append(d.isNaN() ? "nan" : d.isInfinite() ? (d > 0 ? "inf" : "-inf") : d.toString());
        } else if (v instanceof Number || v instanceof Boolean) {
            b.append(v);
        } else if (v instanceof List<?> l) {
            b.append('[');
            boolean first = true;
            for (Object o : l) {
                if (o == null) {
                    continue;
                }
                if (!first) {
                    b.append(", ");
                }
                first = false;
                value(b, o);
            }
            b.append(']');
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
                if (e.getValue() == null) {
                    continue;
                }
                if (!first) {
                    b.append(", ");
                }
                first = false;
                b.append(key(e.getKey())).append(" = ");
                value(b, e.getValue());
            }
            b.append('}');
        } else {
            Json.quote(b, String.valueOf(v));
        }
    }
}
