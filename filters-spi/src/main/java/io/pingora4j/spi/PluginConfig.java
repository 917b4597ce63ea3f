package io.pingora4j.spi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A plugin's configuration table with typed getters. Every getter that meets a missing required
 * key or a value of the wrong type throws {@link PluginConfigException} naming the plugin, the key
 * and what was expected, so a bad file is refused with a message a person can act on.
 *
 * <p>Values are what a TOML table holds: String, Long, Double, Boolean, List and Map (nested
 * tables). The values are immutable; the config also remembers which keys a factory asked for
 * (through any getter, {@link #has} or {@link #raw}), so the server can warn about the keys no
 * one read ({@link #unreadKeys()}): a typo, or a Pingap key the plugin does not apply. Thread-safe.
 */
public final class PluginConfig {

    private final String name;
    private final Map<String, Object> values;
    private final Set<String> asked = ConcurrentHashMap.newKeySet();

    public PluginConfig(String name, Map<String, ?> values) {
        this.name = name;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The plugin's name: NAME in {@code [plugins.NAME]}. */
    public String name() {
        return name;
    }

    /** The {@code category} value. */
    public String category() {
        return string("category");
    }

    public boolean has(String key) {
        asked.add(key);
        return values.containsKey(key);
    }

    public Set<String> keys() {
        return values.keySet();
    }

    /** The raw value, or null. */
    public Object raw(String key) {
        asked.add(key);
        return values.get(key);
    }

    /**
     * The keys of the table no getter (nor {@link #has}, {@link #raw}) has asked for, in table
     * order, {@code category} excepted. The server calls it after {@link FilterFactory#create} and
     * warns about each.
     */
    public List<String> unreadKeys() {
        List<String> out = new ArrayList<>();
        for (String k : values.keySet()) {
            if (!k.equals("category") && !asked.contains(k)) {
                out.add(k);
            }
        }
        return out;
    }

    /** A required string. */
    public String string(String key) {
        Object v = require(key);
        if (!(v instanceof String s)) {
            throw wrongType(key, "a string", v);
        }
        return s;
    }

    public String string(String key, String defaultValue) {
        return has(key) ? string(key) : defaultValue;
    }

    /** A required integer (TOML integers are longs; out of int range is an error). */
    public int integer(String key) {
        long v = longValue(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new PluginConfigException(name, key, "must fit in 32 bits, got " + v);
        }
        return (int) v;
    }

    public int integer(String key, int defaultValue) {
        return has(key) ? integer(key) : defaultValue;
    }

    public long longValue(String key) {
        Object v = require(key);
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Integer i) {
            return i;
        }
        throw wrongType(key, "an integer", v);
    }

    public long longValue(String key, long defaultValue) {
        return has(key) ? longValue(key) : defaultValue;
    }

    public double number(String key, double defaultValue) {
        if (!has(key)) {
            return defaultValue;
        }
        Object v = values.get(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw wrongType(key, "a number", v);
    }

    public boolean bool(String key, boolean defaultValue) {
        if (!has(key)) {
            return defaultValue;
        }
        Object v = values.get(key);
        if (v instanceof Boolean b) {
            return b;
        }
        throw wrongType(key, "true or false", v);
    }

    /**
     * A duration in the {@link HumanDuration} grammar ("500ms", "3s", "1m30s", "2h", "1d"), or an
     * integer of seconds.
     */
    public Duration duration(String key, Duration defaultValue) {
        if (!has(key)) {
            return defaultValue;
        }
        Object v = values.get(key);
        if (v instanceof Long l) {
            if (l < 0) {
                throw new PluginConfigException(name, key, "must not be negative, got " + l);
            }
            return Duration.ofSeconds(l);
        }
        if (!(v instanceof String s)) {
            throw wrongType(key, "a duration such as \"3s\"", v);
        }
        Duration d = parseDuration(s);
        if (d == null) {
            throw new PluginConfigException(name, key, "'" + s + "' is not a duration (e.g. \"500ms\", \"3s\", \"1m\", \"2h\")");
        }
        return d;
    }

    /**
     * A size in the {@link ByteSize} grammar ("512k", "1mb", "1mib"), or an integer of bytes;
     * never negative.
     */
    public long size(String key, long defaultValue) {
        if (!has(key)) {
            return defaultValue;
        }
        Object v = values.get(key);
        long n;
        if (v instanceof Long l) {
            n = l;
        } else if (v instanceof String s) {
            try {
                n = ByteSize.parse(s);
            } catch (IllegalArgumentException e) {
                throw new PluginConfigException(name, key, e.getMessage());
            }
        } else {
            throw wrongType(key, "a size such as \"1mb\" or a number of bytes", v);
        }
        if (n < 0) {
            throw new PluginConfigException(name, key, "must not be negative, got " + n);
        }
        return n;
    }

    /** A list of strings; a single string counts as a list of one. */
    public List<String> stringList(String key) {
        if (!has(key)) {
            return List.of();
        }
        Object v = values.get(key);
        if (v instanceof String s) {
            return List.of(s);
        }
        if (!(v instanceof List<?> list)) {
            throw wrongType(key, "a list of strings", v);
        }
        List<String> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s)) {
                throw new PluginConfigException(name, key + "[" + i + "]", "expected a string, got " + describe(list.get(i)));
            }
            out.add(s);
        }
        return List.copyOf(out);
    }

    /** A nested table, or an empty map. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> table(String key) {
        if (!has(key)) {
            return Map.of();
        }
        Object v = values.get(key);
        if (!(v instanceof Map<?, ?> m)) {
            throw wrongType(key, "a table", v);
        }
        return (Map<String, Object>) m;
    }

    /** A problem with {@code key} found by the plugin itself, as an exception to throw. */
    public PluginConfigException invalid(String key, String reason) {
        return new PluginConfigException(name, key, reason);
    }

    /** Parses a duration in the {@link HumanDuration} grammar; null if it is not one. */
    public static Duration parseDuration(String s) {
        try {
            return HumanDuration.parse(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private Object require(String key) {
        asked.add(key);
        Object v = values.get(key);
        if (v == null) {
            throw new PluginConfigException(name, key, "is required");
        }
        return v;
    }

    private PluginConfigException wrongType(String key, String expected, Object v) {
        return new PluginConfigException(name, key, "expected " + expected + ", got " + describe(v));
    }

    private static String describe(Object v) {
        if (v == null) {
            return "nothing";
        }
        if (v instanceof String s) {
            return "string \"" + s + "\"";
        }
        if (v instanceof List) {
            return "a list";
        }
        if (v instanceof Map) {
            return "a table";
        }
        return v.getClass().getSimpleName().toLowerCase() + " " + v;
    }

    @Override
    public String toString() {
        return "plugins." + name + values;
    }
}
