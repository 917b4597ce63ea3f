package io.pingora4j.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class Crc32Test {

    private static int jdk(byte[] bytes) {
        CRC32 c = new CRC32();
        c.update(bytes);
        return (int) c.getValue();
    }

    @Test
    void matchesJdkCrc32OnRandomBytes() {
        Random r = new Random(42);
        for (int len = 0; len < 200; len++) {
            byte[] b = new byte[len];
            r.nextBytes(b);
            assertEquals(jdk(b), Crc32.of(b, 0, len));
        }
    }

    @Test
    void knownCheckValue() {
        // the standard CRC-32 check value
        assertEquals(0xCBF43926, Crc32.ofUtf8("123456789"));
    }

    @Test
    void continuingARegisterEqualsHashingTheConcatenation() {
        byte[] a = "10.0.0.1".getBytes(StandardCharsets.US_ASCII);
        byte[] b = {0, '8', '0', 1, 2, 3, 4};
        int reg = Crc32.update(Crc32.INIT, a, 0, a.length);
        reg = Crc32.update(reg, b, 0, b.length);
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        assertEquals(jdk(both), Crc32.finish(reg));
    }

    @Test
    void intIsFedLittleEndian() {
        int reg = Crc32.updateIntLe(Crc32.INIT, 0x04030201);
        assertEquals(jdk(new byte[] {1, 2, 3, 4}), Crc32.finish(reg));
    }

    @Test
    void utf8OfCharSequenceMatchesStringGetBytes() {
        String[] samples = {"", "ascii", "caf\u00e9", "\u4e2d\u6587", "emoji \ud83d\ude00", "lone \ud800 surrogate", "tail \udc00"};
        for (String s : samples) {
            assertEquals(jdk(s.getBytes(StandardCharsets.UTF_8)), Crc32.ofUtf8(new StringBuilder(s)), s);
        }
    }
}
