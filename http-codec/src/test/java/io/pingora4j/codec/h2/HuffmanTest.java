package io.pingora4j.codec.h2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Huffman code derived from bit lengths is the RFC's, and both directions agree. */
class HuffmanTest {

    @Test
    void derivedCodesMatchRfc7541AppendixB() {
        // a sample across every length, from the RFC's table
        int[][] rfc = {{0, 0x1ff8, 13}, {1, 0x7fffd8, 23}, {9, 0xffffea, 24}, {10, 0x3ffffffc, 30},
            {' ', 0x14, 6}, {'0', 0x0, 5}, {'X', 0xfc, 8}, {'\\', 0x7fff0, 19}, {'a', 0x3, 5}, {'~', 0x1ffd, 13},
            {127, 0xffffffc, 28}, {128, 0xfffe6, 20}, {203, 0x7ffffde, 27}, {220, 0xffffffd, 28},
            {249, 0xffffffe, 28}, {255, 0x3ffffee, 26}, {256, 0x3fffffff, 30}};
        for (int[] r : rfc) {
            assertEquals(r[2], Huffman.length(r[0]), "length of " + r[0]);
            assertEquals(r[1], Huffman.CODES[r[0]], "code of " + r[0]);
        }
    }

    @Test
    void codeIsCompletePrefixCode() {
        // Kraft sum of exactly 1: no code is a prefix of another and none is missing
        long sum = 0;
        for (int s = 0; s <= 256; s++) {
            sum += 1L << (30 - Huffman.length(s));
        }
        assertEquals(1L << 30, sum);
    }

    @Test
    void everyByteStringRoundTrips() {
        Random rnd = new Random(7541);
        for (int i = 0; i < 2000; i++) {
            byte[] s = new byte[rnd.nextInt(40)];
            rnd.nextBytes(s);
            ByteBuffer enc = ByteBuffer.allocate(Huffman.encodedLength(s, 0, s.length));
            Huffman.encode(s, 0, s.length, enc);
            assertEquals(0, enc.remaining());
            byte[] out = new byte[Huffman.maxDecodedLength(enc.capacity())];
            int end = Huffman.decode(enc, 0, enc.capacity(), out, 0);
            assertArrayEquals(s, Arrays.copyOf(out, end));
        }
    }
}
