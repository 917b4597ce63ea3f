package io.pingora4j.codec.h1;

import java.nio.ByteBuffer;

/**
 * Serialises heads. Fields are copied straight from where they live (the parsed input or the
 * head's scratch storage): no String is made. Ask for the length first, then write into a buffer
 * with at least that much room; a buffer that is too small gets a
 * {@link java.nio.BufferOverflowException} and nothing is half-written past its limit.
 *
 * <p>Stateless; safe from any thread for heads that thread owns.
 */
public final class H1Writer {

    private static final byte[] HTTP_1_1 = RequestHead.ascii("HTTP/1.1");
    private static final byte[] HTTP_1_0 = RequestHead.ascii("HTTP/1.0");

    private H1Writer() {
    }

    /** Bytes {@link #writeRequestHead} will write. */
    public static int requestHeadLength(RequestHead head) {
        return head.methodLen + 1 + head.targetLen + 1 + 8 + 2 + fieldsLength(head.headers) + 2;
    }

    /** Writes request line, fields and the blank line at {@code out}'s position, advancing it. */
    public static void writeRequestHead(RequestHead head, ByteBuffer out) {
        requireRoom(out, requestHeadLength(head));
        HeaderBlock h = head.headers;
        h.copyTo(head.methodRef, head.methodLen, out);
        out.put((byte) ' ');
        h.copyTo(head.targetRef, head.targetLen, out);
        out.put((byte) ' ');
        out.put(head.version == MessageHead.HTTP_1_1 ? HTTP_1_1 : HTTP_1_0);
        crlf(out);
        writeFields(h, out);
        crlf(out);
    }

    /** Bytes {@link #writeResponseHead} will write. */
    public static int responseHeadLength(ResponseHead head) {
        return 8 + 1 + 3 + 1 + head.reasonLen + 2 + fieldsLength(head.headers) + 2;
    }

    /** Writes status line, fields and the blank line at {@code out}'s position, advancing it. */
    public static void writeResponseHead(ResponseHead head, ByteBuffer out) {
        requireRoom(out, responseHeadLength(head));
        out.put(head.version == MessageHead.HTTP_1_1 ? HTTP_1_1 : HTTP_1_0);
        out.put((byte) ' ');
        int s = head.status;
        out.put((byte) ('0' + s / 100));
        out.put((byte) ('0' + (s / 10) % 10));
        out.put((byte) ('0' + s % 10));
        out.put((byte) ' ');
        head.headers.copyTo(head.reasonRef, head.reasonLen, out);
        crlf(out);
        writeFields(head.headers, out);
        crlf(out);
    }

    /** Bytes of the field lines of {@code fields}, CRLFs included. */
    public static int fieldsLength(HeaderBlock fields) {
        int n = 0;
        for (int i = 0; i < fields.size(); i++) {
            n += fields.nameLength(i) + 2 + fields.valueLength(i) + 2;
        }
        return n;
    }

    /** Writes "name: value" CRLF for every field. */
    public static void writeFields(HeaderBlock fields, ByteBuffer out) {
        for (int i = 0; i < fields.size(); i++) {
            fields.copyTo(fields.nameRef(i), fields.nameLength(i), out);
            out.put((byte) ':');
            out.put((byte) ' ');
            fields.copyTo(fields.valueRef(i), fields.valueLength(i), out);
            crlf(out);
        }
    }

    static void crlf(ByteBuffer out) {
        out.put((byte) '\r');
        out.put((byte) '\n');
    }

    static void requireRoom(ByteBuffer out, int n) {
        if (out.remaining() < n) {
            throw new java.nio.BufferOverflowException();
        }
    }
}
