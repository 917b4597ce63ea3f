package io.pingora4j.codec.h1;

/**
 * Size bounds the parser enforces. Immutable; share one instance between parsers.
 *
 * @param maxInitialLine   longest request line or status line, without its CRLF (default 8 KiB);
 *                         a longer request line is answered 414
 * @param maxHeaderSection most bytes in the header field lines of one head, CRLFs included
 *                         (default 32 KiB); more is answered 431. Trailer sections have the same bound.
 * @param maxHeaderCount   most header fields in one head (default 100); more is answered 431
 * @param maxChunkLine     longest chunk-size line, extensions included (default 1 KiB)
 * @param maxBodySize      most body bytes one message may carry (default unlimited); more is answered 413
 */
public record H1Limits(int maxInitialLine, int maxHeaderSection, int maxHeaderCount, int maxChunkLine,
                       long maxBodySize) {

    public static final int DEFAULT_MAX_INITIAL_LINE = 8 * 1024;
    public static final int DEFAULT_MAX_HEADER_SECTION = 32 * 1024;
    public static final int DEFAULT_MAX_HEADER_COUNT = 100;
    public static final int DEFAULT_MAX_CHUNK_LINE = 1024;
    public static final long UNLIMITED_BODY = Long.MAX_VALUE;

    /** The defaults named in the field descriptions. */
    public static final H1Limits DEFAULTS = new H1Limits(DEFAULT_MAX_INITIAL_LINE, DEFAULT_MAX_HEADER_SECTION,
            DEFAULT_MAX_HEADER_COUNT, DEFAULT_MAX_CHUNK_LINE, UNLIMITED_BODY);

    public H1Limits {
        requirePositive("maxInitialLine", maxInitialLine);
        requirePositive("maxHeaderSection", maxHeaderSection);
        requirePositive("maxHeaderCount", maxHeaderCount);
        requirePositive("maxChunkLine", maxChunkLine);
        if (maxBodySize < 0) {
            throw new IllegalArgumentException("maxBodySize must be >= 0, got " + maxBodySize);
        }
    }

    public H1Limits withMaxInitialLine(int v) {
        return new H1Limits(v, maxHeaderSection, maxHeaderCount, maxChunkLine, maxBodySize);
    }

    public H1Limits withMaxHeaderSection(int v) {
        return new H1Limits(maxInitialLine, v, maxHeaderCount, maxChunkLine, maxBodySize);
    }

    public H1Limits withMaxHeaderCount(int v) {
        return new H1Limits(maxInitialLine, maxHeaderSection, v, maxChunkLine, maxBodySize);
    }

    public H1Limits withMaxChunkLine(int v) {
        return new H1Limits(maxInitialLine, maxHeaderSection, maxHeaderCount, v, maxBodySize);
    }

    public H1Limits withMaxBodySize(long v) {
        return new H1Limits(maxInitialLine, maxHeaderSection, maxHeaderCount, maxChunkLine, v);
    }

    /** The most bytes a complete head can occupy in a buffer: what a reader's buffer must hold. */
    public int maxHeadBytes() {
        return maxInitialLine + 2 + maxHeaderSection + 2;
    }

    private static void requirePositive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + v);
        }
    }
}
