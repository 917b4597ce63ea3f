package io.pingora4j.server.route;

import java.util.Arrays;

/**
 * A String-keyed open-addressing hash map that is looked up by a region of any CharSequence, so
 * the router can find "example.com" inside "Example.COM:8080" or "/a/b" inside "/a/b?x=1" without
 * making a String. Optionally ASCII case-insensitive (keys are stored lower-case).
 *
 * <p>Filled once while the router is built, then only read: immutable after {@link #put} calls
 * end, and safe to read from every event loop once published (the router is published through a
 * final field or a volatile swap).
 */
final class RegionMap<V> {

    private final boolean ignoreCase;
    private String[] keys = new String[16];
    private Object[] values = new Object[16];
    private int size;

    RegionMap(boolean ignoreCase) {
        this.ignoreCase = ignoreCase;
    }

    int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    V get(String key) {
        return get(key, 0, key.length());
    }

    @SuppressWarnings("unchecked")
    V get(CharSequence s, int from, int to) {
        int mask = keys.length - 1;
        int i = hash(s, from, to) & mask;
        while (true) {
            String k = keys[i];
            if (k == null) {
                return null;
            }
            if (regionEquals(k, s, from, to)) {
                return (V) values[i];
            }
            i = (i + 1) & mask;
        }
    }

    void put(String key, V value) {
        String k = ignoreCase ? lower(key) : key;
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        int i = hash(k, 0, k.length()) & mask;
        while (keys[i] != null) {
            if (keys[i].equals(k)) {
                values[i] = value;
                return;
            }
            i = (i + 1) & mask;
        }
        keys[i] = k;
        values[i] = value;
        size++;
    }

    Iterable<Object> values() {
        return Arrays.stream(values).filter(v -> v != null).toList();
    }

    private void grow() {
        String[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new String[oldKeys.length * 2];
        values = new Object[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != null) {
                @SuppressWarnings("unchecked")
                V v = (V) oldValues[i];
                put(oldKeys[i], v);
            }
        }
    }

    private int hash(CharSequence s, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (ignoreCase && c >= 'A' && c <= 'Z') {
                c += 32;
            }
            h = 31 * h + c;
        }
        return h ^ (h >>> 16);
    }

    private boolean regionEquals(String k, CharSequence s, int from, int to) {
        if (k.length() != to - from) {
            return false;
        }
        for (int i = 0; i < k.length(); i++) {
            char c = s.charAt(from + i);
            if (ignoreCase && c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != k.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String lower(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                if (sb == null) {
                    sb = new StringBuilder(s);
                }
                sb.setCharAt(i, (char) (c + 32));
            }
        }
        return sb == null ? s : sb.toString();
    }
}
