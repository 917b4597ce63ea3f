package io.pingora4j.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyHasherTest {

    private final KeyHasher hasher = new KeyHasher(11);

    @Test
    void equalKeysHashEquallyWhateverTheirCharSequenceType() {
        assertEquals(hasher.hash("198.51.100.7"), hasher.hash(new StringBuilder("198.51.100.7")));
    }

    @Test
    void aByteSliceHashesLikeTheSameBytesAlone() {
        byte[] padded = {9, 9, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 9};
        assertEquals(hasher.hash("abcdefghi".getBytes()), hasher.hash(padded, 2, 9));
    }

    @Test
    void differentSeedsGiveDifferentHashes() {
        assertNotEquals(new KeyHasher(1).hash("k"), new KeyHasher(2).hash("k"));
        assertNotEquals(new KeyHasher(1).hash(5L), new KeyHasher(2).hash(5L));
    }

    @Test
    void keysDifferingOnlyInLengthOrTrailingZerosHashApart() {
        assertNotEquals(hasher.hash(new byte[] {0}), hasher.hash(new byte[] {0, 0}));
        assertNotEquals(hasher.hash(new byte[0]), hasher.hash(new byte[] {0}));
        assertNotEquals(hasher.hash("a\0"), hasher.hash("a"));
    }

    @Test
    void similarKeysDoNotCollide() {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            assertTrue(seen.add(hasher.hash("10.0." + (i >> 8) + "." + (i & 255))));
        }
    }
}
