package io.pingora4j.codec.h1;

/**
 * A {@link CharSequence} window over bytes of a head (ISO-8859-1, one char per byte), so the
 * target or the authority can be matched against (a router, a regex) without making a String.
 *
 * <p>A head owns its slices and moves them to the current message: a slice is valid until the
 * next message is parsed into the head, or the head is edited. Not thread-safe.
 */
public final class AsciiSlice implements CharSequence {

    private HeaderBlock block;
    private int ref;
    private int length;
    private String constant;

    AsciiSlice set(HeaderBlock block, int ref, int length) {
        this.block = block;
        this.ref = ref;
        this.length = length;
        this.constant = null;
        return this;
    }

    AsciiSlice set(String s) {
        this.constant = s;
        this.length = s.length();
        return this;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public char charAt(int index) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException(index);
        }
        return constant != null ? constant.charAt(index) : (char) (block.byteAt(ref, index) & 0xff);
    }

    /** A String of the range (allocates; for captures and other rare uses). */
    @Override
    public CharSequence subSequence(int start, int end) {
        return toString().substring(start, end);
    }

    @Override
    public String toString() {
        return constant != null ? constant : block.string(ref, length);
    }
}
