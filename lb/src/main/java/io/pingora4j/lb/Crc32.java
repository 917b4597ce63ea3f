package io.pingora4j.lb;

/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum nginx's {@code ngx_crc32_*}
 * and {@link java.util.zip.CRC32} compute, split into nginx's three steps so that a hash can be
 * continued from a saved register: {@link #INIT} then {@link #update} per byte then {@link #finish}.
 *
 * <p>We do not use {@link java.util.zip.CRC32} on the lookup path because it is an object (one
 * allocation per key) and only takes bytes, while hash keys arrive as {@link CharSequence}s;
 * {@link #ofUtf8(CharSequence)} encodes to UTF-8 on the fly instead of materialising a byte[].
 * Tests check both agree.
 *
 * <p>Stateless; thread-safe.
 */
public final class Crc32 {

    /** Register value before the first byte (nginx {@code ngx_crc32_init}). */
    public static final int INIT = 0xFFFF_FFFF;

    private static final int[] TABLE = new int[256];

    static {
        for (int n = 0; n < 256; n++) {
            int c = n;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >>> 1) : c >>> 1;
            }
            TABLE[n] = c;
        }
    }

    private Crc32() {
    }

    /** Feeds one byte into a running register. */
    public static int update(int crc, int b) {
        return TABLE[(crc ^ b) & 0xFF] ^ (crc >>> 8);
    }

    /** Feeds {@code len} bytes from {@code off} into a running register. */
    public static int update(int crc, byte[] bytes, int off, int len) {
        for (int i = off, end = off + len; i < end; i++) {
            crc = TABLE[(crc ^ bytes[i]) & 0xFF] ^ (crc >>> 8);
        }
        return crc;
    }

    /** Feeds the 4 bytes of {@code value} in little-endian order, as nginx does on x86 for a prev hash. */
    public static int updateIntLe(int crc, int value) {
        crc = update(crc, value);
        crc = update(crc, value >>> 8);
        crc = update(crc, value >>> 16);
        return update(crc, value >>> 24);
    }

    /** Feeds the UTF-8 encoding of {@code s} into a running register without allocating. */
    public static int updateUtf8(int crc, CharSequence s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                crc = update(crc, c);
            } else if (c < 0x800) {
                crc = update(crc, 0xC0 | (c >> 6));
                crc = update(crc, 0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                crc = update(crc, 0xF0 | (cp >> 18));
                crc = update(crc, 0x80 | ((cp >> 12) & 0x3F));
                crc = update(crc, 0x80 | ((cp >> 6) & 0x3F));
                crc = update(crc, 0x80 | (cp & 0x3F));
            } else {
                // a lone surrogate encodes as '?' exactly as String.getBytes(UTF_8) does
                if (Character.isSurrogate(c)) {
                    crc = update(crc, '?');
                } else {
                    crc = update(crc, 0xE0 | (c >> 12));
                    crc = update(crc, 0x80 | ((c >> 6) & 0x3F));
                    crc = update(crc, 0x80 | (c & 0x3F));
                }
            }
        }
        return crc;
    }

    /** Final step (nginx {@code ngx_crc32_final}): the checksum of everything fed so far. */
    public static int finish(int crc) {
        return ~crc;
    }

    /** The CRC-32 of a byte range (nginx {@code ngx_crc32_long}). */
    public static int of(byte[] bytes, int off, int len) {
        return finish(update(INIT, bytes, off, len));
    }

    /** The CRC-32 of the UTF-8 encoding of {@code s}, without allocating. */
    public static int ofUtf8(CharSequence s) {
        return finish(updateUtf8(INIT, s));
    }
}
