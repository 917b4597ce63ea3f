package io.pingora4j.codec.h2;

import java.util.Arrays;

/**
 * Open streams by id: open addressing with linear probing over int keys, no boxing, removal by
 * backward shift (no tombstones). Not thread-safe: owned by the connection.
 */
final class StreamMap {

    private int[] keys = new int[16];
    private H2Stream[] values = new H2Stream[16];
    private int size;

    int size() {
        return size;
    }

    H2Stream get(int id) {
        int mask = keys.length - 1;
        for (int i = hash(id) & mask; ; i = (i + 1) & mask) {
            int k = keys[i];
            if (k == id) {
                return values[i];
            }
            if (k == 0) {
                return null;
            }
        }
    }

    void put(H2Stream s) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        int i = hash(s.id) & mask;
        while (keys[i] != 0) {
            if (keys[i] == s.id) {
                values[i] = s;
                return;
            }
            i = (i + 1) & mask;
        }
        keys[i] = s.id;
        values[i] = s;
        size++;
    }

    void remove(int id) {
        int mask = keys.length - 1;
        int i = hash(id) & mask;
        while (keys[i] != id) {
            if (keys[i] == 0) {
                return;
            }
            i = (i + 1) & mask;
        }
        keys[i] = 0;
        values[i] = null;
        size--;
        // shift back the entries of the same probe run that follow the hole
        for (int j = (i + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
            int home = hash(keys[j]) & mask;
            if (((j - home) & mask) >= ((j - i) & mask)) {
                keys[i] = keys[j];
                values[i] = values[j];
                keys[j] = 0;
                values[j] = null;
                i = j;
            }
        }
    }

    /** Fills {@code out} with the open streams (for notifications over all of them); returns how many. */
    int snapshot(H2Stream[] out) {
        int n = 0;
        for (int i = 0; i < keys.length && n < out.length; i++) {
            if (keys[i] != 0) {
                out[n++] = values[i];
            }
        }
        return n;
    }

    private void grow() {
        int[] oldKeys = keys;
        H2Stream[] oldValues = values;
        keys = new int[oldKeys.length * 2];
        values = new H2Stream[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                put(oldValues[i]);
            }
        }
    }

    void clear() {
        Arrays.fill(keys, 0);
        Arrays.fill(values, null);
        size = 0;
    }

    private static int hash(int id) {
        return id * 0x9E3779B9 >>> 16 ^ id;
    }
}
