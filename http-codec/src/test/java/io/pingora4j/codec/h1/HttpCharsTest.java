package io.pingora4j.codec.h1;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The word-at-a-time scans agree with the byte tables for every byte value at every position. */
class HttpCharsTest {

    private static int slowFind(ByteBuffer b, int from, int to, java.util.function.IntPredicate stop) {
        for (int i = from; i < to; i++) {
            if (stop.test(b.get(i) & 0xff)) {
                return i;
            }
        }
        return to;
    }

    @Test
    void findLfMatchesAByteLoopForEveryByteAtEveryPosition() {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            for (int pos = 0; pos < 24; pos++) {
                for (int v = 0; v < 256; v++) {
                    ByteBuffer b = ByteBuffer.allocate(24).order(order);
                    for (int i = 0; i < 24; i++) {
                        b.put(i, (byte) 'a');
                    }
                    b.put(pos, (byte) v);
                    b.put(Math.min(23, pos + 1), (byte) '\n');
                    int expected = slowFind(b, 0, 24, c -> c == '\n');
                    assertEquals(expected, HttpChars.findLf(b, 0, 24), "byte " + v + " at " + pos);
                }
            }
        }
    }

    @Test
    void skipFieldCharsNeverSkipsAByteAValueMayNotHold() {
        Random r = new Random(7);
        for (int round = 0; round < 20_000; round++) {
            ByteBuffer b = ByteBuffer.allocate(40);
            for (int i = 0; i < 40; i++) {
                b.put(i, (byte) (r.nextInt(4) == 0 ? r.nextInt(256) : 0x21 + r.nextInt(0x5e)));
            }
            int from = r.nextInt(8);
            int stop = HttpChars.skipFieldChars(b, from, 40);
            int firstBad = slowFind(b, from, 40, c -> c < 0x20 || c == 0x7f);
            assertEquals(true, stop <= firstBad, "skipped past a bad byte");
            assertEquals(true, stop > firstBad - 8, "stopped more than a word early");
        }
    }

    @Test
    void skipTargetCharsNeverSkipsASpaceControlDelOrHash() {
        Random r = new Random(11);
        for (int round = 0; round < 20_000; round++) {
            ByteBuffer b = ByteBuffer.allocate(40);
            for (int i = 0; i < 40; i++) {
                b.put(i, (byte) (r.nextInt(4) == 0 ? r.nextInt(256) : 0x24 + r.nextInt(0x5a)));
            }
            int from = r.nextInt(8);
            int stop = HttpChars.skipTargetChars(b, from, 40);
            int firstBad = slowFind(b, from, 40, c -> c <= 0x20 || c == 0x7f || c == '#');
            assertEquals(true, stop <= firstBad, "skipped past a bad byte");
            assertEquals(true, stop > firstBad - 8, "stopped more than a word early");
        }
    }

    @Test
    void skipTokenCharsStopsAtTheFirstNonTokenByteInEitherByteOrder() {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            for (int pos = 0; pos < 20; pos++) {
                for (int v = 0; v < 256; v++) {
                    ByteBuffer b = ByteBuffer.allocate(20).order(order);
                    for (int i = 0; i < 20; i++) {
                        b.put(i, (byte) 'x');
                    }
                    b.put(pos, (byte) v);
                    int expected = HttpChars.TCHAR[v] ? 20 : pos;
                    assertEquals(expected, HttpChars.skipTokenChars(b, 0, 20), "byte " + v + " at " + pos + " " + order);
                }
            }
        }
    }
}
