package io.pingora4j.codec.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The examples of RFC 7541 Appendix C, decoded (whole, and split at every byte) and, where our
 * encoder's choices are the RFC's (Huffman when shorter, incremental indexing), encoded to the
 * same bytes.
 */
class HpackRfc7541Test {

    static final String DATE1 = "Mon, 21 Oct 2013 20:13:21 GMT";
    static final String DATE2 = "Mon, 21 Oct 2013 20:13:22 GMT";
    static final String LOCATION = "https://www.example.com";
    static final String COOKIE = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";

    static final String[][] REQ1 = {{":method", "GET"}, {":scheme", "http"}, {":path", "/"},
        {":authority", "www.example.com"}};
    static final String[][] REQ2 = {{":method", "GET"}, {":scheme", "http"}, {":path", "/"},
        {":authority", "www.example.com"}, {"cache-control", "no-cache"}};
    static final String[][] REQ3 = {{":method", "GET"}, {":scheme", "https"}, {":path", "/index.html"},
        {":authority", "www.example.com"}, {"custom-key", "custom-value"}};
    static final String[][] RESP1 = {{":status", "302"}, {"cache-control", "private"}, {"date", DATE1},
        {"location", LOCATION}};
    static final String[][] RESP2 = {{":status", "307"}, {"cache-control", "private"}, {"date", DATE1},
        {"location", LOCATION}};
    static final String[][] RESP3 = {{":status", "200"}, {"cache-control", "private"}, {"date", DATE2},
        {"location", LOCATION}, {"content-encoding", "gzip"}, {"set-cookie", COOKIE}};

    static final String[] C3 = {
        "828684410f7777772e6578616d706c652e636f6d",
        "828684be58086e6f2d6361636865",
        "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565",
    };
    static final String[] C4 = {
        "828684418cf1e3c2e5f23a6ba0ab90f4ff",
        "828684be5886a8eb10649cbf",
        "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf",
    };
    static final String[] C5 = {
        "4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d54"
            + "6e1768747470733a2f2f7777772e6578616d706c652e636f6d",
        "4803333037c1c0bf",
        "88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f"
            + "3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076"
            + "657273696f6e3d31",
    };
    static final String[] C6 = {
        "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f"
            + "0b97c8e9ae82ae43d3",
        "4883640effc1c0bf",
        "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335df"
            + "dfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007",
    };
    static final int[] REQ_TABLE_SIZES = {57, 110, 164};
    static final int[] RESP_TABLE_SIZES = {222, 222, 215};

    /** Collects decoded fields as "name: value" lines. */
    static final class Collect implements HpackDecoder.FieldSink {
        final List<String> fields = new ArrayList<>();
        final List<Boolean> neverIndexed = new ArrayList<>();

        @Override
        public void onField(byte[] name, int nameAt, int nameLength, byte[] value, int valueAt, int valueLength,
                            boolean never) {
            fields.add(new String(name, nameAt, nameLength, StandardCharsets.ISO_8859_1) + ": "
                    + new String(value, valueAt, valueLength, StandardCharsets.ISO_8859_1));
            neverIndexed.add(never);
        }
    }

    static List<String> lines(String[][] fields) {
        List<String> l = new ArrayList<>();
        for (String[] f : fields) {
            l.add(f[0] + ": " + f[1]);
        }
        return l;
    }

    private static List<String> decodeWhole(HpackDecoder d, String hex) {
        Collect c = new Collect();
        d.decodeBlock(Hex.buffer(hex), c);
        return c.fields;
    }

    /** Decodes a block given in two fragments, split at {@code at}. */
    private static List<String> decodeSplit(HpackDecoder d, String hex, int at) {
        Collect c = new Collect();
        ByteBuffer in = Hex.buffer(hex);
        d.beginBlock();
        d.decode(in, 0, at, c);
        d.decode(in, at, in.limit(), c);
        d.endBlock();
        return c.fields;
    }

    private static void assertSequence(String[] blocks, String[][][] lists, int[] sizes, int tableSize) {
        HpackDecoder whole = new HpackDecoder(tableSize, 1 << 16);
        for (int i = 0; i < blocks.length; i++) {
            assertEquals(lines(lists[i]), decodeWhole(whole, blocks[i]), "block " + (i + 1));
            assertEquals(sizes[i], whole.dynamicTableSize(), "table size after block " + (i + 1));
        }
        // the same sequence with each block split at every byte
        int len = Hex.bytes(blocks[0]).length;
        for (int at = 0; at <= len; at++) {
            HpackDecoder d = new HpackDecoder(tableSize, 1 << 16);
            for (int i = 0; i < blocks.length; i++) {
                int split = Math.min(at, Hex.bytes(blocks[i]).length);
                assertEquals(lines(lists[i]), decodeSplit(d, blocks[i], split), "block " + (i + 1) + " split at " + split);
            }
        }
    }

    @Test
    void c1_integerRepresentation() {
        ByteBuffer out = ByteBuffer.allocate(8);
        HpackEncoder.writeInt(out, 0, 5, 10);
        assertEquals("0a", Hex.of(out.flip()));
        out.clear();
        HpackEncoder.writeInt(out, 0, 5, 1337);
        assertEquals("1f9a0a", Hex.of(out.flip()));
        out.clear();
        HpackEncoder.writeInt(out, 0, 8, 42);
        assertEquals("2a", Hex.of(out.flip()));
    }

    @Test
    void c2_1_literalWithIndexing() {
        HpackDecoder d = new HpackDecoder(4096, 1 << 16);
        assertEquals(List.of("custom-key: custom-header"),
                decodeWhole(d, "400a637573746f6d2d6b65790d637573746f6d2d686561646572"));
        assertEquals(55, d.dynamicTableSize());
    }

    @Test
    void c2_2_literalWithoutIndexing() {
        HpackDecoder d = new HpackDecoder(4096, 1 << 16);
        assertEquals(List.of(":path: /sample/path"), decodeWhole(d, "040c2f73616d706c652f70617468"));
        assertEquals(0, d.dynamicTableLength());
    }

    @Test
    void c2_3_literalNeverIndexed() {
        HpackDecoder d = new HpackDecoder(4096, 1 << 16);
        Collect c = new Collect();
        d.decodeBlock(Hex.buffer("100870617373776f726406736563726574"), c);
        assertEquals(List.of("password: secret"), c.fields);
        assertEquals(List.of(true), c.neverIndexed);
        assertEquals(0, d.dynamicTableLength());
    }

    @Test
    void c2_4_indexedField() {
        HpackDecoder d = new HpackDecoder(4096, 1 << 16);
        assertEquals(List.of(":method: GET"), decodeWhole(d, "82"));
        assertEquals(0, d.dynamicTableLength());
    }

    @Test
    void c3_requestsWithoutHuffman() {
        assertSequence(C3, new String[][][] {REQ1, REQ2, REQ3}, REQ_TABLE_SIZES, 4096);
    }

    @Test
    void c4_requestsWithHuffman() {
        assertSequence(C4, new String[][][] {REQ1, REQ2, REQ3}, REQ_TABLE_SIZES, 4096);
    }

    @Test
    void c5_responsesWithoutHuffmanEvicting() {
        assertSequence(C5, new String[][][] {RESP1, RESP2, RESP3}, RESP_TABLE_SIZES, 256);
    }

    @Test
    void c6_responsesWithHuffmanEvicting() {
        assertSequence(C6, new String[][][] {RESP1, RESP2, RESP3}, RESP_TABLE_SIZES, 256);
    }

    private static String encode(HpackEncoder e, String[][] fields) {
        ByteBuffer out = ByteBuffer.allocate(1024);
        e.beginBlock(out);
        for (String[] f : fields) {
            byte[] n = f[0].getBytes(StandardCharsets.US_ASCII);
            byte[] v = f[1].getBytes(StandardCharsets.US_ASCII);
            e.encode(n, 0, n.length, v, 0, v.length, HpackEncoder.INDEX, out);
        }
        return Hex.of(out.flip());
    }

    @Test
    void c4_encoderWritesTheRfcBytes() {
        HpackEncoder e = new HpackEncoder(4096);
        assertEquals(C4[0], encode(e, REQ1));
        assertEquals(C4[1], encode(e, REQ2));
        assertEquals(C4[2], encode(e, REQ3));
    }

    @Test
    void c6_encoderWritesTheRfcBytes() {
        HpackEncoder e = new HpackEncoder(256);
        assertEquals(C6[0], encode(e, RESP1));
        assertEquals(C6[1], encode(e, RESP2));
        assertEquals(C6[2], encode(e, RESP3));
    }

    @Test
    void encoderAnnouncesASmallerPeerTableAtTheNextBlock() {
        HpackEncoder e = new HpackEncoder(4096);
        e.peerMaxTableSize(0);
        HpackDecoder d = new HpackDecoder(4096, 1 << 16);
        String block = encode(e, REQ1);
        assertEquals("20", block.substring(0, 2));
        assertEquals(lines(REQ1), decodeWhole(d, block));
        assertEquals(0, d.dynamicTableLength());
    }

    @Test
    void decoderAnnouncingALargerTableStaysInStepWithADefaultSizedEncoder() {
        // the peer's encoder stays at 4096 until it sends a size update: the decoder must follow it
        HpackEncoder e = new HpackEncoder(4096);
        HpackDecoder d = new HpackDecoder(65_536, 1 << 16);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 200; i++) {
                String[][] fields = {{"x-field-" + i, "value number " + i + " of a header that fills the table"},
                    {"x-field-" + (i / 2), "value number " + (i / 2) + " of a header that fills the table"}};
                assertEquals(lines(fields), decodeWhole(d, encode(e, fields)), "round " + round + " field " + i);
            }
        }
        assertEquals(true, d.dynamicTableSize() <= 4096);
    }

    // ------------------------------------------------------------------ malformed blocks

    private static H2Error refusal(String hex) {
        HpackDecoder d = new HpackDecoder(4096, 1 << 16);
        return assertThrows(H2Exception.class, () -> decodeWhole(d, hex)).error();
    }

    @Test
    void indexZeroIsRefused() {
        assertEquals(H2Error.HPACK_INVALID_INDEX, refusal("80"));
    }

    @Test
    void dynamicIndexPastTheTableIsRefused() {
        assertEquals(H2Error.HPACK_INVALID_INDEX, refusal("be"));
        assertEquals(H2Error.HPACK_INVALID_INDEX, refusal("7e0161")); // literal naming index 62
    }

    @Test
    void integerOverflowIsRefused() {
        assertEquals(H2Error.HPACK_INTEGER_OVERFLOW, refusal("ffffffffffffff7f"));
        assertEquals(H2Error.HPACK_INTEGER_OVERFLOW, refusal("ff808080808080808000"));
    }

    @Test
    void tableSizeUpdateAboveOurSettingIsRefused() {
        assertEquals(H2Error.HPACK_TABLE_SIZE_TOO_LARGE, refusal("3fe21f")); // 4097
    }

    @Test
    void tableSizeUpdateAfterAFieldIsRefused() {
        assertEquals(H2Error.HPACK_LATE_TABLE_SIZE_UPDATE, refusal("823f00"));
    }

    @Test
    void tableSizeUpdateToZeroEmptiesTheTable() {
        HpackDecoder d = new HpackDecoder(4096, 1 << 16);
        decodeWhole(d, "400a637573746f6d2d6b65790d637573746f6d2d686561646572");
        decodeWhole(d, "20");
        assertEquals(0, d.dynamicTableLength());
        assertEquals(0, d.dynamicTableSize());
    }

    @Test
    void blockEndingInsideAFieldIsRefused() {
        assertEquals(H2Error.HPACK_TRUNCATED_BLOCK, refusal("400a637573746f6d2d6b6579"));
        assertEquals(H2Error.HPACK_TRUNCATED_BLOCK, refusal("ff"));
    }

    @Test
    void huffmanEosIsRefused() {
        assertEquals(H2Error.HPACK_INVALID_HUFFMAN, refusal("000084ffffffff")); // name "" then a value of EOS bits
    }

    @Test
    void huffmanPaddingOfZerosIsRefused() {
        assertEquals(H2Error.HPACK_INVALID_HUFFMAN, refusal("00008118")); // name "", value "a" then 000
    }

    @Test
    void huffmanPaddingLongerThanSevenBitsIsRefused() {
        assertEquals(H2Error.HPACK_INVALID_HUFFMAN, refusal("0000821fff")); // "a" then 11 one-bits
    }

    @Test
    void huffmanPaddedWithOnesDecodes() {
        HpackDecoder d = new HpackDecoder(4096, 1 << 16);
        assertEquals(List.of("a: a"), decodeWhole(d, "00811f811f"));
    }
}
