package io.pingora4j.server.config;

import io.pingora4j.spi.ByteSize;
import io.pingora4j.spi.HumanDuration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/**
 * Typed reads from one TOML table that record a {@link ConfigProblem} (and return null) instead of
 * throwing, remember which keys were read, and report the rest as unknown keys, so a typo is caught.
 * A section reader reads every key it knows unconditionally, so running it over an empty table
 * lists its keys ({@link #keysRead()}, {@link #notAppliedKeys()}): the test that keeps
 * {@code docs/CONFIG.md} true does exactly that.
 *
 * <p>Not thread-safe: used while loading only.
 */
final class TableReader {

    private final Problems problems;
    private final String path;
    private final TomlTable table;
    private final Set<String> used = new LinkedHashSet<>();
    private final Set<String> notApplied = new LinkedHashSet<>();
    private final Map<String, Object> extras = new LinkedHashMap<>();

    TableReader(Problems problems, String path, TomlTable table) {
        this.problems = problems;
        this.path = path;
        this.table = table;
    }

    /** A reader over an empty table, for listing the keys a section reader knows. */
    static TableReader empty(String path) {
        return new TableReader(new Problems(""), path, org.tomlj.Toml.parse(""));
    }

    String key(String key) {
        return path + "." + key;
    }

    boolean has(String key) {
        return table.keySet().contains(key);
    }

    /** The keys the table holds, read or not. */
    Set<String> presentKeys() {
        return table.keySet();
    }

    /** How many problems the whole load has found so far (to tell whether this table added any). */
    int problemCount() {
        return problems.size();
    }

    /** The raw value, marking the key as known. */
    Object raw(String key) {
        used.add(key);
        return table.keySet().contains(key) ? table.get(List.of(key)) : null;
    }

    void problem(String key, String reason) {
        problems.add(key(key), reason);
    }

    /** A problem at a full dotted key below this table (e.g. an array element). */
    void problemAt(String fullKey, String reason) {
        problems.add(fullKey, reason);
    }

    String string(String key) {
        Object v = raw(key);
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return s;
        }
        problem(key, "expected a string, got " + Problems.describe(v));
        return null;
    }

    String string(String key, String defaultValue) {
        String s = string(key);
        return s == null ? defaultValue : s;
    }

    /** A string, or the first of several accepted spellings that is present (both present: a problem). */
    String stringAlias(String key, String alias) {
        String a = string(key);
        String b = string(alias);
        if (has(key) && has(alias)) {
            problem(alias, "'" + key + "' and '" + alias + "' mean the same; keep one");
        }
        return a != null ? a : b;
    }

    Long integer(String key, long min, long max) {
        Object v = raw(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Long l)) {
            problem(key, "expected an integer, got " + Problems.describe(v));
            return null;
        }
        if (l < min || l > max) {
            problem(key, "must be in " + min + ".." + max + ", got " + l);
            return null;
        }
        return l;
    }

    /** A number (integer or float) in {@code min..max}; null when absent or wrong. */
    Double number(String key, double min, double max) {
        Object v = raw(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Long) && !(v instanceof Double)) {
            problem(key, "expected a number, got " + Problems.describe(v));
            return null;
        }
        double d = ((Number) v).doubleValue();
        if (!(d >= min && d <= max)) {
            problem(key, "must be in " + min + ".." + max + ", got " + v);
            return null;
        }
        return d;
    }

    /** A {@link PrometheusMetrics} value (a path, or a Pushgateway URL); null when absent or wrong. */
    PrometheusMetrics prometheusMetrics(String key) {
        String v = string(key);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return PrometheusMetrics.parse(v);
        } catch (IllegalArgumentException e) {
            problem(key, e.getMessage());
            return null;
        }
    }

    /** An {@link OtlpExporter} URL; null when absent or wrong. */
    OtlpExporter otlpExporter(String key) {
        String v = string(key);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return OtlpExporter.parse(v);
        } catch (IllegalArgumentException e) {
            problem(key, e.getMessage());
            return null;
        }
    }

    Boolean bool(String key) {
        Object v = raw(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        problem(key, "expected true or false, got " + Problems.describe(v));
        return null;
    }

    boolean bool(String key, boolean defaultValue) {
        Boolean b = bool(key);
        return b == null ? defaultValue : b;
    }

    /** A duration in Pingap's humantime form ("30s", "500ms", "1m30s"). */
    Duration duration(String key) {
        Object v = raw(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            problem(key, "expected a duration such as \"30s\", got " + Problems.describe(v));
            return null;
        }
        try {
            return HumanDuration.parse(s);
        } catch (IllegalArgumentException e) {
            problem(key, e.getMessage());
            return null;
        }
    }

    /** A list of strings; a single string counts as a list of one. Null when absent or wrong. */
    List<String> stringList(String key) {
        Object v = raw(key);
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return List.of(s);
        }
        if (!(v instanceof TomlArray array)) {
            problem(key, "expected a string or an array of strings, got " + Problems.describe(v));
            return null;
        }
        List<String> out = new ArrayList<>(array.size());
        boolean ok = true;
        for (int i = 0; i < array.size(); i++) {
            Object e = array.get(i);
            if (e instanceof String s) {
                out.add(s);
            } else {
                problems.add(key(key) + "[" + i + "]", "expected a string, got " + Problems.describe(e));
                ok = false;
            }
        }
        return ok ? List.copyOf(out) : null;
    }

    /** A list of strings that may also be written as one comma-separated string. */
    List<String> commaList(String key) {
        List<String> raw = stringList(key);
        if (raw == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (String item : raw) {
            for (String part : item.split(",")) {
                String t = part.strip();
                if (!t.isEmpty()) {
                    out.add(t);
                }
            }
        }
        return List.copyOf(out);
    }

    TomlTable table(String key) {
        Object v = raw(key);
        if (v == null) {
            return null;
        }
        if (v instanceof TomlTable t) {
            return t;
        }
        problem(key, "expected a table, got " + Problems.describe(v));
        return null;
    }

    /**
     * A key accepted for Pingap compatibility but not applied: when it is present, its value is kept
     * in {@link #extras()} and a warning names it and says {@code why} (e.g. "no admin API yet").
     * Nothing else may read it: a key the server uses is a typed field instead.
     */
    void notApplied(String key, String why) {
        notApplied.add(key);
        Object v = raw(key);
        if (v != null) {
            extras.put(key, plain(v));
            warn(key, notAppliedReason(why));
        }
    }

    /** The reason text of a not-applied key's warning. */
    static String notAppliedReason(String why) {
        return "accepted for Pingap compatibility but not applied: " + why;
    }

    /** A warning about a key that is read and applied, but not for every value (e.g. discovery = "docker"). */
    void warn(String key, String reason) {
        problems.warn(key(key), reason);
    }

    /** A file or folder path, kept as written; null when absent or not a path this platform accepts. */
    String path(String key) {
        String v = string(key);
        if (v == null) {
            return null;
        }
        try {
            java.nio.file.Path.of(v);
            return v;
        } catch (java.nio.file.InvalidPathException e) {
            problem(key, "'" + v + "' is not a valid path: " + e.getReason());
            return null;
        }
    }

    /** A size: an integer of bytes, or a {@link ByteSize} string ("512k", "1mib"); null when absent or wrong. */
    Long size(String key) {
        Object v = raw(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Long l) {
            if (l < 0) {
                problem(key, "must not be negative, got " + l);
                return null;
            }
            return l;
        }
        if (v instanceof String s) {
            try {
                return ByteSize.parse(s);
            } catch (IllegalArgumentException e) {
                problem(key, e.getMessage());
                return null;
            }
        }
        problem(key, "expected a size such as \"1m\" or a number of bytes, got " + Problems.describe(v));
        return null;
    }

    /** A duration that must be greater than zero; null when absent or wrong. */
    Duration positiveDuration(String key, String example) {
        Duration d = duration(key);
        if (d != null && d.isZero()) {
            problem(key, "must be greater than zero (e.g. \"" + example + "\")");
            return null;
        }
        return d;
    }

    /** One of {@code choices} (compared ignoring case), lower-cased; null when absent or wrong. */
    String choice(String key, List<String> choices) {
        String v = string(key);
        if (v == null) {
            return null;
        }
        String lower = v.strip().toLowerCase(java.util.Locale.ROOT);
        if (!choices.contains(lower)) {
            problem(key, "expected one of " + String.join(", ", choices) + ", got \"" + v + "\"");
            return null;
        }
        return lower;
    }

    /** The not-applied keys that were present, with their values. */
    Map<String, Object> extras() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(extras));
    }

    /** Every key read so far (applied or not), in reading order. */
    Set<String> keysRead() {
        return Collections.unmodifiableSet(used);
    }

    /** The keys declared with {@link #notApplied}. */
    Set<String> notAppliedKeys() {
        return Collections.unmodifiableSet(notApplied);
    }

    /** Records an "unknown key" problem for every key not read, with a suggestion when one is close. */
    void finish() {
        for (String k : table.keySet()) {
            if (!used.contains(k)) {
                String near = nearest(k, used);
                problem(k, "unknown key '" + k + "'" + (near == null ? "" : " (did you mean '" + near + "'?)"));
            }
        }
    }

    /** Converts a TOML value to plain Java values: String, Long, Double, Boolean, List, Map. */
    static Object plain(Object v) {
        if (v instanceof TomlTable t) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (String k : t.keySet()) {
                m.put(k, plain(t.get(List.of(k))));
            }
            return Collections.unmodifiableMap(m);
        }
        if (v instanceof TomlArray a) {
            List<Object> l = new ArrayList<>(a.size());
            for (int i = 0; i < a.size(); i++) {
                l.add(plain(a.get(i)));
            }
            return Collections.unmodifiableList(l);
        }
        if (v instanceof String || v instanceof Long || v instanceof Double || v instanceof Boolean) {
            return v;
        }
        return String.valueOf(v); // dates and times: kept as their TOML text
    }

    private static String nearest(String key, Set<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(key, c);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return bestDistance <= Math.max(1, key.length() / 4) ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    @Override
    public String toString() {
        return path + Arrays.toString(table.keySet().toArray());
    }
}
