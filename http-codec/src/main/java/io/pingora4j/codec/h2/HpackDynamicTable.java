package io.pingora4j.codec.h2;

/**
 * The HPACK dynamic table (RFC 7541 §2.3.2, §4): a FIFO of fields, newest first, whose size
 * (name + value + 32 per entry) stays within a maximum.
 *
 * <p>Storage is flat and allocated once for the largest maximum allowed: entry bytes live in one
 * ring of bytes, entry bounds in int rings. Adding and evicting move no bytes and make no
 * objects. The ring never overwrites a live entry: live bytes are at most the size, which is at
 * most the capacity the ring was made with.
 *
 * <p>Not thread-safe: one per HPACK context, owned by the connection's loop.
 */
final class HpackDynamicTable {

    static final int ENTRY_OVERHEAD = 32;

    private final int capacity;
    private final byte[] bytes;
    private final int[] start;
    private final int[] nameLen;
    private final int[] valueLen;
    private final int[] hash;
    private final int mask;
    private int writeAt;   // next byte index in the ring
    private int oldest;    // slot of the oldest entry
    private int count;
    private int size;
    private int maxSize;

    /** @param capacity the largest maximum size this table will ever be given */
    HpackDynamicTable(int capacity) {
        this.capacity = capacity;
        this.bytes = new byte[Math.max(capacity, 1)];
        // a power of two, so a slot index wraps with a mask
        int slots = Integer.highestOneBit(capacity / ENTRY_OVERHEAD + 1) << 1;
        this.mask = slots - 1;
        this.start = new int[slots];
        this.nameLen = new int[slots];
        this.valueLen = new int[slots];
        this.hash = new int[slots];
        this.maxSize = capacity;
    }

    int length() {
        return count;
    }

    int size() {
        return size;
    }

    int maxSize() {
        return maxSize;
    }

    int capacity() {
        return capacity;
    }

    /** Sets the maximum size (a size update), evicting what no longer fits. */
    void setMaxSize(int max) {
        if (max > capacity) {
            throw new IllegalArgumentException("max " + max + " above capacity " + capacity);
        }
        maxSize = max;
        while (size > maxSize) {
            evict();
        }
    }

    /**
     * Adds a field whose name and value are {@code name[nameAt..]} and {@code value[valueAt..]}
     * (they may be the same array). A field larger than the maximum empties the table (§4.4).
     */
    void add(byte[] name, int nameAt, int nLen, byte[] value, int valueAt, int vLen, int fieldHash) {
        int entrySize = nLen + vLen + ENTRY_OVERHEAD;
        if (entrySize > maxSize) {
            while (count > 0) {
                evict();
            }
            return;
        }
        while (size + entrySize > maxSize) {
            evict();
        }
        int slot = (oldest + count) & mask;
        start[slot] = writeAt;
        nameLen[slot] = nLen;
        valueLen[slot] = vLen;
        hash[slot] = fieldHash;
        put(name, nameAt, nLen);
        put(value, valueAt, vLen);
        count++;
        size += entrySize;
    }

    private void put(byte[] src, int at, int len) {
        int first = Math.min(len, bytes.length - writeAt);
        System.arraycopy(src, at, bytes, writeAt, first);
        if (first < len) {
            System.arraycopy(src, at + first, bytes, 0, len - first);
        }
        writeAt = wrap(writeAt + len);
    }

    private void evict() {
        size -= nameLen[oldest] + valueLen[oldest] + ENTRY_OVERHEAD;
        oldest = (oldest + 1) & mask;
        count--;
        if (count == 0) {
            writeAt = 0;
        }
    }

    /** Slot of the entry at {@code index}, 0 being the newest. */
    private int slot(int index) {
        return (oldest + count - 1 - index) & mask;
    }

    int nameLength(int index) {
        return nameLen[slot(index)];
    }

    int valueLength(int index) {
        return valueLen[slot(index)];
    }

    int hash(int index) {
        return hash[slot(index)];
    }

    /**
     * Where entry {@code index}'s name starts in {@link #bytes()} when its name and value lie
     * there without wrapping around the ring's end (the value follows the name), or -1.
     */
    int contiguousStart(int index) {
        int s = slot(index);
        int at = start[s];
        return at + nameLen[s] + valueLen[s] <= bytes.length ? at : -1;
    }

    /** The ring's storage, for reading an entry in place (see {@link #contiguousStart}). */
    byte[] bytes() {
        return bytes;
    }

    /** Copies the name of entry {@code index} into {@code dst} at {@code at}. */
    void copyName(int index, byte[] dst, int at) {
        int s = slot(index);
        get(start[s], dst, at, nameLen[s]);
    }

    /** Copies the value of entry {@code index} into {@code dst} at {@code at}. */
    void copyValue(int index, byte[] dst, int at) {
        int s = slot(index);
        get(wrap(start[s] + nameLen[s]), dst, at, valueLen[s]);
    }

    private void get(int from, byte[] dst, int at, int len) {
        int first = Math.min(len, bytes.length - from);
        System.arraycopy(bytes, from, dst, at, first);
        if (first < len) {
            System.arraycopy(bytes, 0, dst, at + first, len - first);
        }
    }

    /** True if entry {@code index}'s name equals {@code b[at, at+len)}. */
    boolean nameEquals(int index, byte[] b, int at, int len) {
        int s = slot(index);
        return nameLen[s] == len && regionEquals(start[s], b, at, len);
    }

    /** True if entry {@code index}'s value equals {@code b[at, at+len)}. */
    boolean valueEquals(int index, byte[] b, int at, int len) {
        int s = slot(index);
        return valueLen[s] == len && regionEquals(wrap(start[s] + nameLen[s]), b, at, len);
    }

    private boolean regionEquals(int from, byte[] b, int at, int len) {
        for (int k = 0, i = from; k < len; k++, i = wrap(i + 1)) {
            if (bytes[i] != b[at + k]) {
                return false;
            }
        }
        return true;
    }

    /** A byte index past the ring's end, brought back (never more than one length past it). */
    private int wrap(int i) {
        return i >= bytes.length ? i - bytes.length : i;
    }
}
