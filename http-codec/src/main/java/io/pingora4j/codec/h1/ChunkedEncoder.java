package io.pingora4j.codec.h1;

import java.nio.ByteBuffer;

/**
 * Writes the framing of the chunked transfer coding (RFC 9112 §7.1). The chunk data itself is not
 * copied: a sender writes the chunk header, then the data from wherever it is (a gathering write),
 * then {@link #writeChunkEnd}.
 *
 * <p>Stateless; safe from any thread.
 */
public final class ChunkedEncoder {

    private static final byte[] HEX = RequestHead.ascii("0123456789abcdef");

    private ChunkedEncoder() {
    }

    /** Bytes of the chunk-size line for a chunk of {@code size} bytes. */
    public static int chunkHeaderLength(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("a data chunk has at least one byte; use writeLastChunk to end");
        }
        return hexDigits(size) + 2;
    }

    /** Writes "{size in hex}" CRLF. */
    public static void writeChunkHeader(long size, ByteBuffer out) {
        int digits = hexDigits(size);
        H1Writer.requireRoom(out, chunkHeaderLength(size));
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            out.put(HEX[(int) ((size >>> shift) & 0xf)]);
        }
        H1Writer.crlf(out);
    }

    /** Writes the CRLF that ends a chunk's data. */
    public static void writeChunkEnd(ByteBuffer out) {
        H1Writer.requireRoom(out, 2);
        H1Writer.crlf(out);
    }

    /** Bytes of the last chunk, the trailer fields (may be null) and the final CRLF. */
    public static int lastChunkLength(HeaderBlock trailers) {
        return 3 + (trailers == null ? 0 : H1Writer.fieldsLength(trailers)) + 2;
    }

    /** Writes "0" CRLF, the trailer fields and CRLF: the end of a chunked body. */
    public static void writeLastChunk(HeaderBlock trailers, ByteBuffer out) {
        H1Writer.requireRoom(out, lastChunkLength(trailers));
        out.put((byte) '0');
        H1Writer.crlf(out);
        if (trailers != null) {
            H1Writer.writeFields(trailers, out);
        }
        H1Writer.crlf(out);
    }

    private static int hexDigits(long size) {
        return Math.max(1, (64 - Long.numberOfLeadingZeros(size) + 3) / 4);
    }
}
