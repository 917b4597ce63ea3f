package io.pingora4j.codec.h1;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Byte classes from RFC 9110 / 9112 / 3986 as 256-entry tables, and the LF scan. */
final class HttpChars {

    static final byte CR = '\r';
    static final byte LF = '\n';
    static final byte SP = ' ';
    static final byte HTAB = '\t';

    /** tchar (RFC 9110 §5.6.2). */
    static final boolean[] TCHAR = new boolean[256];
    /** field-vchar / SP / HTAB: what a field value may hold (RFC 9110 §5.5). */
    static final boolean[] FIELD_CHAR = new boolean[256];
    /** Bytes allowed in a request-target: visible ASCII but '#', and obs-text (raw UTF-8 that clients send). */
    static final boolean[] TARGET_CHAR = new boolean[256];
    /** reg-name / IP-literal / port characters of a Host value (RFC 3986 §3.2.2). */
    static final boolean[] HOST_CHAR = new boolean[256];
    /** qdtext (RFC 9110 §5.6.4). */
    static final boolean[] QDTEXT = new boolean[256];
    /** HEXDIG value or -1. */
    static final byte[] HEX = new byte[256];

    static {
        for (int c = '0'; c <= '9'; c++) TCHAR[c] = true;
        for (int c = 'a'; c <= 'z'; c++) TCHAR[c] = true;
        for (int c = 'A'; c <= 'Z'; c++) TCHAR[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[c] = true;

        for (int c = 0x21; c <= 0x7e; c++) FIELD_CHAR[c] = true;
        for (int c = 0x80; c <= 0xff; c++) FIELD_CHAR[c] = true;
        FIELD_CHAR[SP] = true;
        FIELD_CHAR[HTAB] = true;

        for (int c = 0x21; c <= 0x7e; c++) TARGET_CHAR[c] = true;
        for (int c = 0x80; c <= 0xff; c++) TARGET_CHAR[c] = true;
        TARGET_CHAR['#'] = false; // a fragment is never sent (RFC 9112 §3.2)

        for (int c = '0'; c <= '9'; c++) HOST_CHAR[c] = true;
        for (int c = 'a'; c <= 'z'; c++) HOST_CHAR[c] = true;
        for (int c = 'A'; c <= 'Z'; c++) HOST_CHAR[c] = true;
        for (char c : "-._~!$&'()*+,;=%:[]".toCharArray()) HOST_CHAR[c] = true;

        QDTEXT[HTAB] = true;
        QDTEXT[SP] = true;
        QDTEXT[0x21] = true;
        for (int c = 0x23; c <= 0x5b; c++) QDTEXT[c] = true;
        for (int c = 0x5d; c <= 0x7e; c++) QDTEXT[c] = true;
        for (int c = 0x80; c <= 0xff; c++) QDTEXT[c] = true;

        java.util.Arrays.fill(HEX, (byte) -1);
        for (int c = '0'; c <= '9'; c++) HEX[c] = (byte) (c - '0');
        for (int c = 'a'; c <= 'f'; c++) HEX[c] = (byte) (c - 'a' + 10);
        for (int c = 'A'; c <= 'F'; c++) HEX[c] = (byte) (c - 'A' + 10);
    }

    private static final long LFS = 0x0A0A0A0A0A0A0A0AL;
    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;

    private HttpChars() {
    }

    static boolean isWhitespace(int b) {
        return b == SP || b == HTAB;
    }

    /**
     * Index of the first LF in {@code buf[from, to)}, or -1. Eight bytes a step: the exact
     * zero-byte test (no borrow between lanes, so no false hits whatever the byte order).
     */
    static int findLf(ByteBuffer buf, int from, int to) {
        int i = from;
        if (to - from >= 8) {
            boolean big = buf.order() == ByteOrder.BIG_ENDIAN;
            for (; i + 8 <= to; i += 8) {
                long x = buf.getLong(i) ^ LFS;
                long t = ~(((x & LOW7) + LOW7) | x | LOW7);
                if (t != 0) {
                    return i + ((big ? Long.numberOfLeadingZeros(t) : Long.numberOfTrailingZeros(t)) >>> 3);
                }
            }
        }
        for (; i < to; i++) {
            if (buf.get(i) == LF) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Index of the first byte in {@code buf[from, to)} that is not a tchar, or {@code to}. Reads a
     * word at a time and tests each byte in a register against the table: one bounds-checked load
     * per 8 bytes instead of one per byte.
     */
    static int skipTokenChars(ByteBuffer buf, int from, int to) {
        int i = from;
        if (to - from >= 8) {
            if (buf.order() == ByteOrder.LITTLE_ENDIAN) {
                // native order on x86 and ARM (the engine's buffers): the first byte is the low one
                for (; i + 8 <= to; i += 8) {
                    long w = buf.getLong(i);
                    for (int k = 0; k < 8; k++) {
                        if (!TCHAR[(int) w & 0xff]) {
                            return i + k;
                        }
                        w >>>= 8;
                    }
                }
            } else {
                for (; i + 8 <= to; i += 8) {
                    long w = buf.getLong(i);
                    for (int k = 0; k < 8; k++) {
                        if (!TCHAR[(int) (w >>> 56)]) {
                            return i + k;
                        }
                        w <<= 8;
                    }
                }
            }
        }
        for (; i < to; i++) {
            if (!TCHAR[buf.get(i) & 0xff]) {
                return i;
            }
        }
        return to;
    }

    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH = 0x8080808080808080L;

    /**
     * Index of the first byte in {@code buf[from, to)} below {@code 0x20} or equal to DEL, or
     * {@code to}: the bytes a field value may not hold, but for HTAB, which the caller checks
     * byte by byte from there. Eight bytes a step; each lane test is exact as a yes/no answer
     * (a borrow only crosses into a higher lane when a lower lane already matched), and the
     * caller's per-byte loop finds which byte it was.
     */
    static int skipFieldChars(ByteBuffer buf, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long w = buf.getLong(i);
            long del = w ^ 0x7F7F7F7F7F7F7F7FL;
            long t = ((w - 0x2020202020202020L) & ~w) | ((del - ONES) & ~del);
            if ((t & HIGH) != 0) {
                break;
            }
        }
        return i;
    }

    /**
     * Index of the first byte in {@code buf[from, to)} that is SP or below, DEL or '#': where a
     * request target ends or goes wrong. Same technique as {@link #skipFieldChars}.
     */
    static int skipTargetChars(ByteBuffer buf, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long w = buf.getLong(i);
            long del = w ^ 0x7F7F7F7F7F7F7F7FL;
            long hash = w ^ 0x2323232323232323L;
            long t = ((w - 0x2121212121212121L) & ~w) | ((del - ONES) & ~del) | ((hash - ONES) & ~hash);
            if ((t & HIGH) != 0) {
                break;
            }
        }
        return i;
    }

    /** ASCII case-insensitive compare of {@code buf[at, at+lower.length)} with a lower-case constant. */
    static boolean equalsLower(ByteBuffer buf, int at, int len, byte[] lower) {
        if (len != lower.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            int b = buf.get(at + i);
            if (b >= 'A' && b <= 'Z') {
                b |= 0x20;
            }
            if (b != lower[i]) {
                return false;
            }
        }
        return true;
    }
}
