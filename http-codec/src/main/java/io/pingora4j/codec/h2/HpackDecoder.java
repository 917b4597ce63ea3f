package io.pingora4j.codec.h2;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The HPACK decoder (RFC 7541): header block fragments in, one {@link FieldSink#onField} call per
 * field out, with the dynamic table kept in step.
 *
 * <h2>Incremental, and bounded before it buffers</h2>
 * A header block may arrive in any number of fragments (HEADERS then CONTINUATION frames, each
 * in pieces); {@link #decode} decodes every complete field representation it is given and keeps
 * the unfinished tail for the next call. Before it waits for (and so buffers) the bytes of a
 * string, it checks the string's announced length against what is left of the header-list
 * budget ({@code maxHeaderListSize}, sizes counted as RFC 7541 §4.1 does: name + value + 32), so
 * a block that would expand past the budget is refused as soon as the length prefix says so
 * ({@link H2Error#HEADER_LIST_TOO_LARGE}) — an HPACK bomb or a flood of CONTINUATION frames
 * costs at most the budget.
 *
 * <h2>Allocation and copies</h2>
 * None per field: an indexed field is handed to the sink where it lies (the static table, or the
 * dynamic table's flat storage, made once); a literal is decoded into one reused field buffer.
 * The sink reads the field during the call.
 *
 * <p>Not thread-safe: one per connection (it is the connection's HPACK receive context).
 */
public final class HpackDecoder {

    /** Receives decoded fields. */
    public interface FieldSink {
        /**
         * One field: the name is {@code name[nameAt, nameAt+nameLength)}, the value
         * {@code value[valueAt, valueAt+valueLength)} (the arrays may be the same, or the
         * decoder's tables: read only, and only during the call).
         *
         * @param neverIndexed the field was sent as never-indexed (RFC 7541 §6.2.3): pass it on so
         */
        void onField(byte[] name, int nameAt, int nameLength, byte[] value, int valueAt, int valueLength,
                     boolean neverIndexed);
    }

    /** SETTINGS_HEADER_TABLE_SIZE's initial value: the table size both ends start from. */
    static final int DEFAULT_TABLE_SIZE = 4096;

    private final HpackDynamicTable table;
    private final int maxTableSize;
    private int maxHeaderListSize;

    private byte[] field = new byte[256];
    private byte[] carry = new byte[0];
    private ByteBuffer carryBuffer = ByteBuffer.wrap(carry);
    private int carryLength;

    // per block
    private long listSize;
    private int fieldsInBlock;

    // the integer just read and the position after it
    private int intValue;

    /**
     * @param maxTableSize      the SETTINGS_HEADER_TABLE_SIZE we announce: the most the peer may use
     *                          (the table starts at 4096, or this if smaller, until the peer updates it)
     * @param maxHeaderListSize the header-list budget per block (RFC 7541 §4.1 sizes)
     */
    public HpackDecoder(int maxTableSize, int maxHeaderListSize) {
        if (maxTableSize < 0 || maxHeaderListSize <= 0) {
            throw new IllegalArgumentException("table size must be >= 0 and list size > 0");
        }
        this.table = new HpackDynamicTable(maxTableSize);
        // the peer's encoder starts from the protocol's 4096 whatever we announce, and moves only
        // with a size update: the decoder must evict exactly where it does (RFC 7541 §4.2, RFC 9113 §6.5.2)
        this.table.setMaxSize(Math.min(maxTableSize, DEFAULT_TABLE_SIZE));
        this.maxTableSize = maxTableSize;
        this.maxHeaderListSize = maxHeaderListSize;
    }

    public void maxHeaderListSize(int max) {
        this.maxHeaderListSize = max;
    }

    /** Entries in the dynamic table (for tests and metrics). */
    public int dynamicTableLength() {
        return table.length();
    }

    /** The dynamic table's size as RFC 7541 §4.1 counts it. */
    public int dynamicTableSize() {
        return table.size();
    }

    /** Header-list size of the block so far. */
    public long headerListSize() {
        return listSize;
    }

    /** Starts a header block. */
    public void beginBlock() {
        listSize = 0;
        fieldsInBlock = 0;
        carryLength = 0;
    }

    /**
     * Decodes the fragment {@code in[from, to)} of the current block. Does not move the buffer's
     * position.
     *
     * @throws H2Exception a COMPRESSION_ERROR or {@link H2Error#HEADER_LIST_TOO_LARGE}
     */
    public void decode(ByteBuffer in, int from, int to, FieldSink sink) {
        if (carryLength == 0) {
            int p = decodeAll(in, from, to, sink);
            keep(in, p, to);
            return;
        }
        // an unfinished representation is waiting: append and go on from it
        int n = to - from;
        ensureCarry(carryLength + n);
        in.get(from, carry, carryLength, n);
        int total = carryLength + n;
        carryLength = 0;
        int p = decodeAll(carryBuffer, 0, total, sink);
        int rest = total - p;
        if (rest > 0) {
            System.arraycopy(carry, p, carry, 0, rest);
        }
        carryLength = rest;
    }

    /**
     * Ends the block.
     *
     * @throws H2Exception {@link H2Error#HPACK_TRUNCATED_BLOCK} if it ended inside a representation
     */
    public void endBlock() {
        if (carryLength != 0) {
            carryLength = 0;
            throw new H2Exception(H2Error.HPACK_TRUNCATED_BLOCK, 0);
        }
    }

    /** Decodes a whole block, {@code in[position, limit)}: a convenience for tests and benchmarks. */
    public void decodeBlock(ByteBuffer in, FieldSink sink) {
        beginBlock();
        decode(in, in.position(), in.limit(), sink);
        endBlock();
    }

    private void keep(ByteBuffer in, int from, int to) {
        int n = to - from;
        if (n > 0) {
            ensureCarry(n);
            in.get(from, carry, 0, n);
            carryLength = n;
        }
    }

    private void ensureCarry(int n) {
        if (carry.length < n) {
            carry = Arrays.copyOf(carry, Math.max(n, Math.max(64, carry.length * 2)));
            carryBuffer = ByteBuffer.wrap(carry);
        }
    }

    /** Decodes complete representations from {@code p}; returns where the first incomplete one starts. */
    private int decodeAll(ByteBuffer in, int p, int end, FieldSink sink) {
        while (p < end) {
            int next = decodeOne(in, p, end, sink);
            if (next < 0) {
                return p;
            }
            p = next;
        }
        return p;
    }

    private int decodeOne(ByteBuffer in, int p, int end, FieldSink sink) {
        int b = in.get(p) & 0xff;
        if ((b & 0x80) != 0) {
            // indexed field (§6.1)
            int q = readInt(in, p, end, 7);
            if (q < 0) {
                return -1;
            }
            indexed(intValue, sink);
            return q;
        }
        if ((b & 0xe0) == 0x20) {
            // dynamic table size update (§6.3), only before the first field of a block (§4.2)
            int q = readInt(in, p, end, 5);
            if (q < 0) {
                return -1;
            }
            if (fieldsInBlock > 0) {
                throw new H2Exception(H2Error.HPACK_LATE_TABLE_SIZE_UPDATE, 0);
            }
            if (intValue > maxTableSize) {
                throw new H2Exception(H2Error.HPACK_TABLE_SIZE_TOO_LARGE, 0);
            }
            table.setMaxSize(intValue);
            return q;
        }
        boolean incremental = (b & 0x40) != 0;
        boolean neverIndexed = !incremental && (b & 0x10) != 0;
        int q = readInt(in, p, end, incremental ? 6 : 4);
        if (q < 0) {
            return -1;
        }
        int nameIndex = intValue;
        long budget = maxHeaderListSize - listSize - HpackDynamicTable.ENTRY_OVERHEAD;
        // name: from a table, or a string
        int nameLength;
        int nameStart = -1;
        boolean nameHuffman = false;
        int nameEncoded = 0;
        if (nameIndex != 0) {
            nameLength = indexedNameLength(nameIndex);
        } else {
            if (q >= end) {
                return -1;
            }
            nameHuffman = (in.get(q) & 0x80) != 0;
            q = readInt(in, q, end, 7);
            if (q < 0) {
                return -1;
            }
            nameEncoded = intValue;
            nameLength = nameHuffman ? Huffman.minDecodedLength(nameEncoded) : nameEncoded;
            nameStart = q;
        }
        if (nameLength > budget) {
            throw new H2Exception(H2Error.HEADER_LIST_TOO_LARGE, 0);
        }
        // the budget bounds nameEncoded, so this cannot overflow
        q += nameEncoded;
        if (q >= end) {
            return -1;
        }
        boolean valueHuffman = (in.get(q) & 0x80) != 0;
        q = readInt(in, q, end, 7);
        if (q < 0) {
            return -1;
        }
        int valueEncoded = intValue;
        int valueMin = valueHuffman ? Huffman.minDecodedLength(valueEncoded) : valueEncoded;
        if ((long) nameLength + valueMin > budget) {
            throw new H2Exception(H2Error.HEADER_LIST_TOO_LARGE, 0);
        }
        int valueStart = q;
        if (end - valueStart < valueEncoded) {
            return -1;
        }
        // everything is here: decode it into the field buffer
        int nameMax = nameIndex != 0 ? nameLength : nameHuffman ? Huffman.maxDecodedLength(nameEncoded) : nameEncoded;
        int valueMax = valueHuffman ? Huffman.maxDecodedLength(valueEncoded) : valueEncoded;
        ensureField(nameMax + valueMax);
        byte[] f = field;
        if (nameIndex != 0) {
            copyIndexedName(nameIndex, f);
        } else {
            nameLength = string(in, nameStart, nameEncoded, nameHuffman, f, 0);
        }
        int valueLength = string(in, valueStart, valueEncoded, valueHuffman, f, nameLength);
        if ((long) nameLength + valueLength > budget) {
            throw new H2Exception(H2Error.HEADER_LIST_TOO_LARGE, 0);
        }
        if (incremental) {
            table.add(f, 0, nameLength, f, nameLength, valueLength, 0);
        }
        emit(sink, f, 0, nameLength, f, nameLength, valueLength, neverIndexed);
        return valueStart + valueEncoded;
    }

    /** An indexed field: passed to the sink straight from the table, no copy unless the entry wraps the ring. */
    private void indexed(int index, FieldSink sink) {
        if (index == 0) {
            throw new H2Exception(H2Error.HPACK_INVALID_INDEX, 0);
        }
        if (index <= HpackStaticTable.LENGTH) {
            byte[] n = HpackStaticTable.NAMES[index];
            byte[] v = HpackStaticTable.VALUES[index];
            checkBudget(n.length, v.length);
            emit(sink, n, 0, n.length, v, 0, v.length, false);
            return;
        }
        int d = index - HpackStaticTable.LENGTH - 1;
        if (d >= table.length()) {
            throw new H2Exception(H2Error.HPACK_INVALID_INDEX, 0);
        }
        int nameLength = table.nameLength(d);
        int valueLength = table.valueLength(d);
        checkBudget(nameLength, valueLength);
        int at = table.contiguousStart(d);
        if (at >= 0) {
            byte[] b = table.bytes();
            emit(sink, b, at, nameLength, b, at + nameLength, valueLength, false);
            return;
        }
        ensureField(nameLength + valueLength);
        table.copyName(d, field, 0);
        table.copyValue(d, field, nameLength);
        emit(sink, field, 0, nameLength, field, nameLength, valueLength, false);
    }

    private void checkBudget(int nameLength, int valueLength) {
        if (listSize + nameLength + valueLength + HpackDynamicTable.ENTRY_OVERHEAD > maxHeaderListSize) {
            throw new H2Exception(H2Error.HEADER_LIST_TOO_LARGE, 0);
        }
    }

    private void emit(FieldSink sink, byte[] n, int nameAt, int nameLength, byte[] v, int valueAt, int valueLength,
                      boolean neverIndexed) {
        listSize += nameLength + valueLength + HpackDynamicTable.ENTRY_OVERHEAD;
        fieldsInBlock++;
        sink.onField(n, nameAt, nameLength, v, valueAt, valueLength, neverIndexed);
    }

    private int indexedNameLength(int index) {
        if (index <= HpackStaticTable.LENGTH) {
            return HpackStaticTable.NAMES[index].length;
        }
        int d = index - HpackStaticTable.LENGTH - 1;
        if (d >= table.length()) {
            throw new H2Exception(H2Error.HPACK_INVALID_INDEX, 0);
        }
        return table.nameLength(d);
    }

    private void copyIndexedName(int index, byte[] dst) {
        if (index <= HpackStaticTable.LENGTH) {
            byte[] n = HpackStaticTable.NAMES[index];
            System.arraycopy(n, 0, dst, 0, n.length);
        } else {
            table.copyName(index - HpackStaticTable.LENGTH - 1, dst, 0);
        }
    }

    /** Decodes a string literal's bytes into {@code dst} at {@code at}; returns its decoded length. */
    private static int string(ByteBuffer in, int from, int len, boolean huffman, byte[] dst, int at) {
        if (!huffman) {
            in.get(from, dst, at, len);
            return len;
        }
        int end = Huffman.decode(in, from, len, dst, at);
        if (end < 0) {
            throw new H2Exception(H2Error.HPACK_INVALID_HUFFMAN, 0);
        }
        return end - at;
    }

    /**
     * Reads an integer with an {@code prefix}-bit prefix starting at {@code p} (RFC 7541 §5.1)
     * into {@link #intValue}; returns the position after it, or -1 if it is not all here.
     */
    private int readInt(ByteBuffer in, int p, int end, int prefix) {
        int max = (1 << prefix) - 1;
        int v = in.get(p++) & max;
        if (v < max) {
            intValue = v;
            return p;
        }
        long value = max;
        int shift = 0;
        for (;;) {
            if (p >= end) {
                return -1;
            }
            int b = in.get(p++) & 0xff;
            value += (long) (b & 0x7f) << shift;
            if (value > Integer.MAX_VALUE) {
                throw new H2Exception(H2Error.HPACK_INTEGER_OVERFLOW, 0);
            }
            if ((b & 0x80) == 0) {
                intValue = (int) value;
                return p;
            }
            shift += 7;
            if (shift > 28) {
                throw new H2Exception(H2Error.HPACK_INTEGER_OVERFLOW, 0);
            }
        }
    }

    private void ensureField(int n) {
        if (field.length < n) {
            field = new byte[Math.max(n, field.length * 2)];
        }
    }
}
