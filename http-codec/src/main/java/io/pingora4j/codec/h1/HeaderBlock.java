package io.pingora4j.codec.h1;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An ordered list of header (or trailer) fields that does not copy what it parsed.
 *
 * <p>A parsed field is an (offset, length) slice of the buffer the head was parsed from; a field
 * added or changed later lives in this block's own scratch array. Both are addressed by an int
 * "ref": a ref {@code >= 0} is an offset from the head's start in the source buffer, a ref
 * {@code < 0} is {@code ~offset} into scratch. Nothing here makes a String unless asked for
 * one, and the arrays are reused from message to message, so steady-state parsing allocates
 * nothing.
 *
 * <p>Slices stay valid while the source buffer's bytes stay where they were parsed. A caller that
 * must reuse the buffer while still holding the head calls {@link #detach()} first.
 *
 * <p>Not thread-safe: owned by the one event loop that owns the connection.
 */
public final class HeaderBlock {

    private static final int INITIAL_FIELDS = 16;

    private ByteBuffer src;
    private int base;
    private int srcLength;

    private byte[] scratch = new byte[128];
    private int scratchLength;

    private byte[] detachedArray;
    private ByteBuffer detachedBuffer;

    private int count;
    private int[] nameRef = new int[INITIAL_FIELDS];
    private int[] nameLen = new int[INITIAL_FIELDS];
    private int[] valueRef = new int[INITIAL_FIELDS];
    private int[] valueLen = new int[INITIAL_FIELDS];
    private byte[] kinds = new byte[INITIAL_FIELDS];

    /** An empty block, for building a message in code. */
    public HeaderBlock() {
    }

    // ------------------------------------------------------------------ reading

    /** Number of fields. */
    public int size() {
        return count;
    }

    /** The {@link KnownHeader} code of field {@code i}, {@link KnownHeader#NONE} for any other name. */
    public int kind(int i) {
        checkIndex(i);
        return kinds[i];
    }

    /** Field {@code i}'s name as received (case preserved). Allocates. */
    public String name(int i) {
        checkIndex(i);
        return string(nameRef[i], nameLen[i]);
    }

    /** Field {@code i}'s value, without leading and trailing whitespace. Allocates. */
    public String value(int i) {
        checkIndex(i);
        return string(valueRef[i], valueLen[i]);
    }

    public int nameLength(int i) {
        checkIndex(i);
        return nameLen[i];
    }

    public int valueLength(int i) {
        checkIndex(i);
        return valueLen[i];
    }

    /** Byte {@code k} of field {@code i}'s value. */
    public int valueByte(int i, int k) {
        checkIndex(i);
        return byteAt(valueRef[i], k) & 0xff;
    }

    /** Copies field {@code i}'s name bytes into {@code dst} at {@code at}; returns the name's length. */
    public int copyName(int i, byte[] dst, int at) {
        checkIndex(i);
        return copyBytes(nameRef[i], nameLen[i], dst, at);
    }

    /** Copies field {@code i}'s value bytes into {@code dst} at {@code at}; returns the value's length. */
    public int copyValue(int i, byte[] dst, int at) {
        checkIndex(i);
        return copyBytes(valueRef[i], valueLen[i], dst, at);
    }

    private int copyBytes(int ref, int len, byte[] dst, int at) {
        if (ref >= 0) {
            src.get(base + ref, dst, at, len);
        } else {
            System.arraycopy(scratch, ~ref, dst, at, len);
        }
        return len;
    }

    /** Case-insensitive name comparison (field names are case-insensitive, RFC 9110 §5.1). */
    public boolean nameEquals(int i, CharSequence name) {
        checkIndex(i);
        return equalsIgnoreCase(nameRef[i], nameLen[i], name);
    }

    public boolean valueEquals(int i, CharSequence value) {
        checkIndex(i);
        int ref = valueRef[i];
        int len = valueLen[i];
        if (len != value.length()) {
            return false;
        }
        for (int k = 0; k < len; k++) {
            if ((byteAt(ref, k) & 0xff) != value.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    public boolean valueEqualsIgnoreCase(int i, CharSequence value) {
        checkIndex(i);
        return equalsIgnoreCase(valueRef[i], valueLen[i], value);
    }

    /**
     * True if field {@code i}'s value, read as a comma-separated list (RFC 9110 §5.6.1), has an
     * element equal to {@code token} ignoring case. Used for Connection, Upgrade, TE.
     */
    public boolean hasToken(int i, CharSequence token) {
        checkIndex(i);
        return listHas(valueRef[i], valueLen[i], token, 0, 0);
    }

    /** Index of the first field named {@code name} (case-insensitive) at or after {@code from}, or -1. */
    public int indexOf(CharSequence name, int from) {
        int kind = KnownHeader.classify(name);
        if (kind != KnownHeader.NONE) {
            return indexOfKind(kind, from);
        }
        for (int i = Math.max(from, 0); i < count; i++) {
            if (kinds[i] == KnownHeader.NONE && equalsIgnoreCase(nameRef[i], nameLen[i], name)) {
                return i;
            }
        }
        return -1;
    }

    public int indexOf(CharSequence name) {
        return indexOf(name, 0);
    }

    /** Index of the first field with {@link KnownHeader} code {@code kind} at or after {@code from}, or -1. */
    public int indexOfKind(int kind, int from) {
        for (int i = Math.max(from, 0); i < count; i++) {
            if (kinds[i] == kind) {
                return i;
            }
        }
        return -1;
    }

    public int indexOfKind(int kind) {
        return indexOfKind(kind, 0);
    }

    /** The first value of {@code name}, or null. Allocates the String. */
    public String get(CharSequence name) {
        int i = indexOf(name, 0);
        return i < 0 ? null : value(i);
    }

    public boolean contains(CharSequence name) {
        return indexOf(name, 0) >= 0;
    }

    // ------------------------------------------------------------------ editing

    /**
     * Appends a field. The name must be a token and the value must hold only field characters
     * (no CR, LF, NUL or other controls but HTAB): a filter cannot inject a header line.
     *
     * @throws IllegalArgumentException naming the offending part
     */
    public void add(CharSequence name, CharSequence value) {
        validateName(name);
        validateValue(name, value);
        int vStart = 0;
        int vEnd = value.length();
        while (vStart < vEnd && HttpChars.isWhitespace(value.charAt(vStart))) vStart++;
        while (vEnd > vStart && HttpChars.isWhitespace(value.charAt(vEnd - 1))) vEnd--;
        int nRef = appendScratch(name, 0, name.length());
        int vRef = appendScratch(value, vStart, vEnd);
        append(nRef, name.length(), vRef, vEnd - vStart, KnownHeader.classify(name));
    }

    /** Removes every field named {@code name}, then adds one with {@code value}. */
    public void set(CharSequence name, CharSequence value) {
        validateName(name);
        validateValue(name, value);
        removeAll(name);
        add(name, value);
    }

    /** Removes field {@code i}; later fields move down by one. */
    public void remove(int i) {
        checkIndex(i);
        int tail = count - i - 1;
        if (tail > 0) {
            System.arraycopy(nameRef, i + 1, nameRef, i, tail);
            System.arraycopy(nameLen, i + 1, nameLen, i, tail);
            System.arraycopy(valueRef, i + 1, valueRef, i, tail);
            System.arraycopy(valueLen, i + 1, valueLen, i, tail);
            System.arraycopy(kinds, i + 1, kinds, i, tail);
        }
        count--;
    }

    /** Removes every field named {@code name}; returns how many. */
    public int removeAll(CharSequence name) {
        int removed = 0;
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i)) {
            remove(i);
            removed++;
        }
        return removed;
    }

    /** Removes every field with {@link KnownHeader} code {@code kind}; returns how many. */
    public int removeKind(int kind) {
        int removed = 0;
        for (int i = indexOfKind(kind, 0); i >= 0; i = indexOfKind(kind, i)) {
            remove(i);
            removed++;
        }
        return removed;
    }

    /** Removes every field. */
    public void clear() {
        count = 0;
    }

    /**
     * True if field {@code nameField}'s name is one of the comma-separated tokens of field
     * {@code listField}'s value (case-insensitive): how a proxy finds the fields a Connection
     * header declares hop-by-hop (RFC 9110 §7.6.1). Compares bytes; allocates nothing.
     */
    public boolean valueListsName(int listField, int nameField) {
        checkIndex(listField);
        checkIndex(nameField);
        return listHas(valueRef[listField], valueLen[listField], null, nameRef[nameField], nameLen[nameField]);
    }

    /**
     * Walks the comma-separated list at {@code (ref, len)} (RFC 9110 §5.6.1: empty elements and
     * whitespace around elements ignored) looking for an element equal, ignoring case, to
     * {@code text} or, when it is null, to the bytes at {@code (otherRef, otherLen)}.
     */
    private boolean listHas(int ref, int len, CharSequence text, int otherRef, int otherLen) {
        int k = 0;
        while (k < len) {
            while (k < len && (byteAt(ref, k) == ',' || HttpChars.isWhitespace(byteAt(ref, k)))) {
                k++;
            }
            int start = k;
            while (k < len && byteAt(ref, k) != ',') {
                k++;
            }
            int end = k;
            while (end > start && HttpChars.isWhitespace(byteAt(ref, end - 1))) {
                end--;
            }
            if (end > start) {
                int at = shift(ref, start);
                boolean eq = text != null ? equalsIgnoreCase(at, end - start, text)
                        : end - start == otherLen && regionEqualsIgnoreCase(at, otherRef, otherLen);
                if (eq) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Replaces this block's fields with copies of {@code other}'s, stored in this block's own
     * storage (reused from message to message: no allocation once it has grown). The storage is
     * copied in the same layout, so a ref into {@code other}'s storage (a head's start line) is
     * valid in this block too.
     */
    public void copyFrom(HeaderBlock other) {
        // the other block's storage is copied whole, in the same layout, so every ref stays valid:
        // a few bulk copies rather than two per field
        reset();
        int n = other.count;
        if (nameRef.length < n) {
            int cap = Math.max(n, nameRef.length * 2);
            nameRef = new int[cap];
            nameLen = new int[cap];
            valueRef = new int[cap];
            valueLen = new int[cap];
            kinds = new byte[cap];
        }
        System.arraycopy(other.nameRef, 0, nameRef, 0, n);
        System.arraycopy(other.nameLen, 0, nameLen, 0, n);
        System.arraycopy(other.valueRef, 0, valueRef, 0, n);
        System.arraycopy(other.valueLen, 0, valueLen, 0, n);
        System.arraycopy(other.kinds, 0, kinds, 0, n);
        count = n;
        ensureScratch(other.scratchLength);
        System.arraycopy(other.scratch, 0, scratch, 0, other.scratchLength);
        scratchLength = other.scratchLength;
        if (other.src != null && other.srcLength > 0) {
            if (detachedArray == null || detachedArray.length < other.srcLength) {
                detachedArray = new byte[Math.max(other.srcLength, 512)];
                detachedBuffer = ByteBuffer.wrap(detachedArray);
            }
            other.src.get(other.base, detachedArray, 0, other.srcLength);
            src = detachedBuffer;
            base = 0;
            srcLength = other.srcLength;
        }
    }

    /**
     * Copies the parsed bytes this block refers to into storage it owns, so the source buffer
     * may be reused. The copy array is kept and reused by later messages.
     */
    public void detach() {
        if (src == null || src == detachedBuffer) {
            return;
        }
        if (detachedArray == null || detachedArray.length < srcLength) {
            detachedArray = new byte[Math.max(srcLength, 512)];
            detachedBuffer = ByteBuffer.wrap(detachedArray);
        }
        src.get(base, detachedArray, 0, srcLength);
        src = detachedBuffer;
        base = 0;
    }

    // ------------------------------------------------------------------ package: parser and writer

    /**
     * Removes every field and forgets the storage they used, so a block filled again and again
     * does not grow. Only for a block on its own (trailers): a head's start line lives in its
     * header block's storage too.
     */
    public void reset() {
        count = 0;
        scratchLength = 0;
        src = null;
        base = 0;
        srcLength = 0;
    }

    /** Binds the parsed slices to {@code buf}: refs are offsets from {@code headStart}. */
    void bind(ByteBuffer buf, int headStart, int length) {
        this.src = buf;
        this.base = headStart;
        this.srcLength = length;
    }

    void appendParsed(int nameOffset, int nameLength, int valueOffset, int valueLength, int kind) {
        append(nameOffset, nameLength, valueOffset, valueLength, kind);
    }

    int nameRef(int i) {
        return nameRef[i];
    }

    int valueRef(int i) {
        return valueRef[i];
    }

    byte byteAt(int ref, int k) {
        return ref >= 0 ? src.get(base + ref + k) : scratch[~ref + k];
    }

    String string(int ref, int len) {
        if (ref < 0) {
            return new String(scratch, ~ref, len, StandardCharsets.ISO_8859_1);
        }
        byte[] b = new byte[len];
        src.get(base + ref, b, 0, len);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** Copies the bytes of a ref into {@code out} at its position, advancing it. */
    void copyTo(int ref, int len, ByteBuffer out) {
        int p = out.position();
        if (ref >= 0) {
            out.put(p, src, base + ref, len);
        } else {
            out.put(p, scratch, ~ref, len);
        }
        out.position(p + len);
    }

    /** Stores text in scratch and returns its ref; the caller has validated it (chars <= 0xff). */
    int appendScratch(CharSequence s, int from, int to) {
        int len = to - from;
        ensureScratch(len);
        int at = scratchLength;
        for (int k = 0; k < len; k++) {
            scratch[at + k] = (byte) s.charAt(from + k);
        }
        scratchLength += len;
        return ~at;
    }

    int appendScratch(byte[] b, int from, int len) {
        ensureScratch(len);
        int at = scratchLength;
        System.arraycopy(b, from, scratch, at, len);
        scratchLength += len;
        return ~at;
    }

    /** Copies {@code len} bytes of {@code other}'s ref into this block's scratch; returns the new ref. */
    int appendScratchFrom(HeaderBlock other, int ref, int len) {
        ensureScratch(len);
        int at = scratchLength;
        if (ref >= 0) {
            other.src.get(other.base + ref, scratch, at, len);
        } else {
            System.arraycopy(other.scratch, ~ref, scratch, at, len);
        }
        scratchLength += len;
        return ~at;
    }

    private boolean regionEqualsIgnoreCase(int refA, int refB, int len) {
        for (int k = 0; k < len; k++) {
            int a = byteAt(refA, k);
            int b = byteAt(refB, k);
            if (a != b) {
                if (a >= 'A' && a <= 'Z') a |= 0x20;
                if (b >= 'A' && b <= 'Z') b |= 0x20;
                if (a != b) {
                    return false;
                }
            }
        }
        return true;
    }

    boolean equalsIgnoreCase(int ref, int len, CharSequence s) {
        if (len != s.length()) {
            return false;
        }
        for (int k = 0; k < len; k++) {
            int a = byteAt(ref, k) & 0xff;
            int b = s.charAt(k);
            if (a != b) {
                if (a >= 'A' && a <= 'Z') a |= 0x20;
                if (b >= 'A' && b <= 'Z') b |= 0x20;
                if (a != b) {
                    return false;
                }
            }
        }
        return true;
    }

    static int shift(int ref, int by) {
        return ref >= 0 ? ref + by : ~((~ref) + by);
    }

    static void validateName(CharSequence name) {
        if (name.length() == 0) {
            throw new IllegalArgumentException("header name is empty");
        }
        for (int k = 0; k < name.length(); k++) {
            char c = name.charAt(k);
            if (c > 0xff || !HttpChars.TCHAR[c]) {
                throw new IllegalArgumentException("header name '" + name + "' has an invalid character at " + k);
            }
        }
    }

    static void validateValue(CharSequence name, CharSequence value) {
        for (int k = 0; k < value.length(); k++) {
            char c = value.charAt(k);
            if (c > 0xff || !HttpChars.FIELD_CHAR[c]) {
                throw new IllegalArgumentException("value of header '" + name
                        + "' has an invalid character (code " + (int) c + ") at " + k);
            }
        }
    }

    private void append(int nRef, int nLen, int vRef, int vLen, int kind) {
        if (count == nameRef.length) {
            int n = count * 2;
            nameRef = Arrays.copyOf(nameRef, n);
            nameLen = Arrays.copyOf(nameLen, n);
            valueRef = Arrays.copyOf(valueRef, n);
            valueLen = Arrays.copyOf(valueLen, n);
            kinds = Arrays.copyOf(kinds, n);
        }
        nameRef[count] = nRef;
        nameLen[count] = nLen;
        valueRef[count] = vRef;
        valueLen[count] = vLen;
        kinds[count] = (byte) kind;
        count++;
    }

    private void ensureScratch(int more) {
        if (scratchLength + more > scratch.length) {
            scratch = Arrays.copyOf(scratch, Math.max(scratch.length * 2, scratchLength + more));
        }
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("field " + i + " of " + count);
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            sb.append(name(i)).append(": ").append(value(i)).append("\r\n");
        }
        return sb.toString();
    }
}
