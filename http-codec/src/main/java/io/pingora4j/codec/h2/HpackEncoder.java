package io.pingora4j.codec.h2;

import java.nio.ByteBuffer;

/**
 * The HPACK encoder (RFC 7541): one per connection and direction, for either role (a server
 * encodes responses, a client requests; the rules are the same).
 *
 * <p>Per field: a whole-field match in the static or dynamic table is sent as an index; otherwise
 * a literal with the name indexed when it can be, added to the dynamic table unless it is
 * {@linkplain #NEVER_INDEX sensitive} or not worth a table entry; strings are Huffman-coded when
 * that is shorter. The table never grows past the peer's SETTINGS_HEADER_TABLE_SIZE or our own
 * cap, whichever is smaller, and a change is announced at the start of the next block (§4.2).
 *
 * <p>Not thread-safe: owned by the connection's loop. Allocates nothing per field.
 */
public final class HpackEncoder {

    /** Index the field (the default for most fields). */
    public static final int INDEX = 0;
    /** Send it literally without adding it to the table (values that rarely repeat). */
    public static final int NO_INDEX = 1;
    /** Sensitive: never indexed, and intermediaries must not index it either (§7.1.3). */
    public static final int NEVER_INDEX = 2;

    private final HpackDynamicTable table;
    private final int cap;
    private int pendingMin = -1; // smallest size since the last block, to announce (§4.2)
    private int pendingSize = -1;

    /** @param cap the largest dynamic table this encoder will keep, whatever the peer allows */
    public HpackEncoder(int cap) {
        this.cap = cap;
        this.table = new HpackDynamicTable(cap);
        this.table.setMaxSize(Math.min(cap, 4096));
    }

    /** The peer's SETTINGS_HEADER_TABLE_SIZE changed (its initial value is 4096). */
    public void peerMaxTableSize(long size) {
        int s = (int) Math.min(size, cap);
        if (s == table.maxSize() && pendingSize < 0) {
            return;
        }
        pendingMin = pendingMin < 0 ? s : Math.min(pendingMin, s);
        pendingSize = s;
        table.setMaxSize(s);
    }

    /** Starts a block: writes any table size update owed (§4.2). */
    public void beginBlock(ByteBuffer out) {
        if (pendingSize >= 0) {
            if (pendingMin < pendingSize) {
                writeInt(out, 0x20, 5, pendingMin);
            }
            writeInt(out, 0x20, 5, pendingSize);
            pendingMin = -1;
            pendingSize = -1;
        }
    }

    /** Worst-case bytes {@link #encode} writes for a field of these lengths. */
    public static int maxEncodedLength(int nameLength, int valueLength) {
        return 1 + 5 + nameLength + 5 + valueLength + 5;
    }

    /**
     * Encodes one field, {@code name[nameAt, nameAt+nameLength)} (already lower-case) and
     * {@code value[valueAt, valueAt+valueLength)}, into {@code out}, which has room for
     * {@link #maxEncodedLength}.
     *
     * @param mode {@link #INDEX}, {@link #NO_INDEX} or {@link #NEVER_INDEX}
     */
    public void encode(byte[] name, int nameAt, int nameLength, byte[] value, int valueAt, int valueLength,
                       int mode, ByteBuffer out) {
        int staticName = HpackStaticTable.nameIndex(name, nameAt, nameLength);
        if (mode != NEVER_INDEX) {
            if (staticName != 0) {
                int full = HpackStaticTable.fieldIndex(staticName, value, valueAt, valueLength);
                if (full != 0) {
                    writeInt(out, 0x80, 7, full);
                    return;
                }
            }
            int h = hash(name, nameAt, nameLength, value, valueAt, valueLength);
            for (int i = 0; i < table.length(); i++) {
                if (table.hash(i) == h && table.nameEquals(i, name, nameAt, nameLength)
                        && table.valueEquals(i, value, valueAt, valueLength)) {
                    writeInt(out, 0x80, 7, HpackStaticTable.LENGTH + 1 + i);
                    return;
                }
            }
            if (mode == INDEX && nameLength + valueLength + HpackDynamicTable.ENTRY_OVERHEAD <= table.maxSize() / 2) {
                literal(out, 0x40, 6, nameIndex(staticName, name, nameAt, nameLength), name, nameAt, nameLength,
                        value, valueAt, valueLength);
                table.add(name, nameAt, nameLength, value, valueAt, valueLength, h);
                return;
            }
            literal(out, 0x00, 4, nameIndex(staticName, name, nameAt, nameLength), name, nameAt, nameLength,
                    value, valueAt, valueLength);
            return;
        }
        literal(out, 0x10, 4, nameIndex(staticName, name, nameAt, nameLength), name, nameAt, nameLength,
                value, valueAt, valueLength);
    }

    private int nameIndex(int staticName, byte[] name, int at, int len) {
        if (staticName != 0) {
            return staticName;
        }
        for (int i = 0; i < table.length(); i++) {
            if (table.nameEquals(i, name, at, len)) {
                return HpackStaticTable.LENGTH + 1 + i;
            }
        }
        return 0;
    }

    private static void literal(ByteBuffer out, int pattern, int prefix, int nameIndex, byte[] name, int nameAt,
                                int nameLength, byte[] value, int valueAt, int valueLength) {
        writeInt(out, pattern, prefix, nameIndex);
        if (nameIndex == 0) {
            string(out, name, nameAt, nameLength);
        }
        string(out, value, valueAt, valueLength);
    }

    private static void string(ByteBuffer out, byte[] s, int at, int len) {
        int huffman = Huffman.encodedLength(s, at, len);
        if (huffman <= len) {
            writeInt(out, 0x80, 7, huffman);
            Huffman.encode(s, at, len, out);
        } else {
            writeInt(out, 0x00, 7, len);
            out.put(s, at, len);
        }
    }

    /** Writes {@code value} with an {@code prefix}-bit prefix, the first byte's other bits {@code pattern} (§5.1). */
    static void writeInt(ByteBuffer out, int pattern, int prefix, int value) {
        int max = (1 << prefix) - 1;
        if (value < max) {
            out.put((byte) (pattern | value));
            return;
        }
        out.put((byte) (pattern | max));
        value -= max;
        while (value >= 0x80) {
            out.put((byte) ((value & 0x7f) | 0x80));
            value >>>= 7;
        }
        out.put((byte) value);
    }

    private static int hash(byte[] name, int nameAt, int nameLength, byte[] value, int valueAt, int valueLength) {
        int h = 0;
        for (int k = 0; k < nameLength; k++) {
            h = 31 * h + name[nameAt + k];
        }
        for (int k = 0; k < valueLength; k++) {
            h = 31 * h + value[valueAt + k];
        }
        return h;
    }
}
