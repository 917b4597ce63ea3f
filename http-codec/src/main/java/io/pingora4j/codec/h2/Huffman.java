package io.pingora4j.codec.h2;

/**
 * The HPACK Huffman code (RFC 7541 §5.2, Appendix B), both ways.
 *
 * <p>The code is canonical: it is fully given by each symbol's bit length, so only the lengths
 * are written down here and the codes are derived (the test checks them against the RFC's).
 * Decoding walks a table four bits at a time: for each internal node of the code tree and each
 * nibble, the node reached, the symbol completed on the way (at most one: no code is shorter than
 * five bits), whether EOS was decoded (an error), and whether stopping there is valid padding
 * (a path of at most seven one-bits). Two table reads per input byte and no branching per bit.
 *
 * <p>Stateless after class initialisation; safe from any thread.
 */
final class Huffman {

    /** Bit length of each symbol's code, 0..255 then EOS (256). */
    private static final byte[] LENGTHS = {
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, // 0-15
        28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, // 16-31
        6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,         // ' ' .. '/'
        5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,              // '0' .. '?'
        13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,                // '@' .. 'O'
        7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,             // 'P' .. '_'
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,                // '`' .. 'o'
        6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,            // 'p' .. 127
        20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, // 128-143
        24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, // 144-159
        22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, // 160-175
        21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, // 176-191
        26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, // 192-207
        19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, // 208-223
        20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, // 224-239
        26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // 240-255
        30,                                                             // EOS
    };

    static final int EOS = 256;

    /** Code of each symbol, right-aligned in an int. */
    static final int[] CODES = new int[257];

    // decode table: per state (internal node) and nibble, one int:
    // bits 0-7 next state, bit 8 a symbol was emitted, bits 9-16 the symbol,
    // bit 17 failure (EOS decoded), bit 18 accepting (valid place to end)
    private static final int EMIT = 1 << 8;
    private static final int FAIL = 1 << 17;
    private static final int ACCEPT = 1 << 18;
    private static final int[] DECODE = new int[256 * 16];

    static {
        // canonical codes: by length, then by symbol
        int code = 0;
        int prevLen = 0;
        for (int len = 1; len <= 30; len++) {
            for (int sym = 0; sym <= 256; sym++) {
                if (LENGTHS[sym] == len) {
                    code <<= (len - prevLen);
                    prevLen = len;
                    CODES[sym] = code;
                    code++;
                }
            }
        }
        buildDecodeTable();
    }

    private Huffman() {
    }

    static int length(int sym) {
        return LENGTHS[sym];
    }

    private static void buildDecodeTable() {
        // the code tree: node 0 is the root; child[2n] / child[2n+1]; a leaf is ~symbol
        int[] child = new int[2 * 512];
        int[] depth = new int[512];
        boolean[] allOnes = new boolean[512];
        int nodes = 1;
        allOnes[0] = true;
        for (int sym = 0; sym <= 256; sym++) {
            int len = LENGTHS[sym];
            int c = CODES[sym];
            int n = 0;
            for (int b = len - 1; b >= 0; b--) {
                int bit = (c >>> b) & 1;
                int slot = 2 * n + bit;
                if (b == 0) {
                    child[slot] = ~sym;
                } else {
                    if (child[slot] == 0) {
                        child[slot] = nodes;
                        depth[nodes] = depth[n] + 1;
                        allOnes[nodes] = allOnes[n] && bit == 1;
                        nodes++;
                    }
                    n = child[slot];
                }
            }
        }
        if (nodes != 256) {
            throw new IllegalStateException("Huffman tree has " + nodes + " internal nodes");
        }
        for (int state = 0; state < 256; state++) {
            for (int nibble = 0; nibble < 16; nibble++) {
                int n = state;
                int entry = 0;
                for (int b = 3; b >= 0; b--) {
                    int next = child[2 * n + ((nibble >>> b) & 1)];
                    if (next < 0) {
                        int sym = ~next;
                        if (sym == EOS) {
                            entry |= FAIL;
                            break;
                        }
                        entry |= EMIT | (sym << 9);
                        n = 0;
                    } else {
                        n = next;
                    }
                }
                if ((entry & FAIL) == 0) {
                    entry |= n;
                    if (allOnes[n] && depth[n] <= 7) {
                        entry |= ACCEPT;
                    }
                }
                DECODE[state * 16 + nibble] = entry;
            }
        }
    }

    /**
     * Decodes {@code len} bytes of {@code src} from {@code at} into {@code dst} from {@code dstAt},
     * which has room for {@link #maxDecodedLength(int)} bytes. Returns the index in {@code dst}
     * after the last decoded byte, or -1 if the string is invalid (EOS, or bad padding).
     */
    static int decode(java.nio.ByteBuffer src, int at, int len, byte[] dst, int dstAt) {
        int state = 0;
        boolean accept = true;
        int d = dstAt;
        int end = at + len;
        for (int i = at; i < end; i++) {
            int b = src.get(i) & 0xff;
            int e = DECODE[(state << 4) | (b >>> 4)];
            if ((e & FAIL) != 0) {
                return -1;
            }
            if ((e & EMIT) != 0) {
                dst[d++] = (byte) (e >>> 9);
            }
            e = DECODE[((e & 0xff) << 4) | (b & 0xf)];
            if ((e & FAIL) != 0) {
                return -1;
            }
            if ((e & EMIT) != 0) {
                dst[d++] = (byte) (e >>> 9);
            }
            state = e & 0xff;
            accept = (e & ACCEPT) != 0;
        }
        return accept ? d : -1;
    }

    /** The most bytes {@code len} bytes of Huffman code can decode to (the shortest code is 5 bits). */
    static int maxDecodedLength(int len) {
        return (int) (len * 8L / 5);
    }

    /** The fewest bytes {@code len} bytes of Huffman code can decode to (the longest symbol code is 30 bits). */
    static int minDecodedLength(int len) {
        return (int) (len * 8L / 30);
    }

    /** Bytes the Huffman code of {@code src[at, at+len)} takes. */
    static int encodedLength(byte[] src, int at, int len) {
        long bits = 0;
        for (int i = at; i < at + len; i++) {
            bits += LENGTHS[src[i] & 0xff];
        }
        return (int) ((bits + 7) >>> 3);
    }

    /** Writes the Huffman code of {@code src[at, at+len)} into {@code out} at its position, padded with ones. */
    static void encode(byte[] src, int at, int len, java.nio.ByteBuffer out) {
        long acc = 0;
        int bits = 0;
        for (int i = at; i < at + len; i++) {
            int sym = src[i] & 0xff;
            int l = LENGTHS[sym];
            acc = (acc << l) | CODES[sym];
            bits += l;
            while (bits >= 8) {
                bits -= 8;
                out.put((byte) (acc >>> bits));
            }
        }
        if (bits > 0) {
            out.put((byte) ((acc << (8 - bits)) | (0xff >>> bits)));
        }
    }
}
