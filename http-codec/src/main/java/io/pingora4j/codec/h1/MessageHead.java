package io.pingora4j.codec.h1;

/**
 * What a request head and a response head share: version, fields, the connection options the
 * parser recognised, and the body framing it decided.
 *
 * <p>A parser owns one head object and fills it again for every message; keep it only until
 * the next {@link H1Event#HEAD}, or copy what you need. Not thread-safe: owned by one event loop.
 */
public abstract sealed class MessageHead permits RequestHead, ResponseHead {

    /** HTTP/1.0 as {@link #version()} gives it. */
    public static final int HTTP_1_0 = 10;
    /** HTTP/1.1 as {@link #version()} gives it. */
    public static final int HTTP_1_1 = 11;

    final HeaderBlock headers = new HeaderBlock();
    int version = HTTP_1_1;
    BodyFraming framing = BodyFraming.NONE;
    long contentLength = -1;
    boolean connectionClose;
    boolean connectionKeepAlive;
    boolean connectionUpgrade;
    int headLength;

    MessageHead() {
    }

    /** The header fields. Edits made here are what {@link H1Writer} writes. */
    public HeaderBlock headers() {
        return headers;
    }

    /** {@link #HTTP_1_0} or {@link #HTTP_1_1}. */
    public int version() {
        return version;
    }

    public void setVersion(int version) {
        if (version != HTTP_1_0 && version != HTTP_1_1) {
            throw new IllegalArgumentException("version must be 10 or 11, got " + version);
        }
        this.version = version;
    }

    /** How the body of this message is delimited, as the parser decided (RFC 9112 §6.3). */
    public BodyFraming framing() {
        return framing;
    }

    /** The Content-Length value, or -1 when there is none. */
    public long contentLength() {
        return contentLength;
    }

    /** True if the Connection field has the {@code close} option. */
    public boolean connectionClose() {
        return connectionClose;
    }

    /** True if the Connection field has the {@code upgrade} option. */
    public boolean connectionUpgrade() {
        return connectionUpgrade;
    }

    /**
     * Whether the connection may carry another message after this one (RFC 9112 §9.3): HTTP/1.1
     * unless "close", HTTP/1.0 only with "keep-alive"; never after a close-delimited body or a tunnel.
     */
    public boolean keepAlive() {
        if (connectionClose || framing == BodyFraming.UNTIL_CLOSE || framing == BodyFraming.TUNNEL) {
            return false;
        }
        return version == HTTP_1_1 || connectionKeepAlive;
    }

    /** Bytes the head occupied in the input, start line to the blank line, as parsed; 0 if built in code. */
    public int headLength() {
        return headLength;
    }

    /** Copies the parsed bytes into the head's own storage so the input buffer may be reused. */
    public void detach() {
        headers.detach();
    }

    /** Sets Content-Length framing and replaces the Content-Length field (a head built in code). */
    public void setContentLength(long length) {
        if (length < 0) {
            throw new IllegalArgumentException("content length must be >= 0, got " + length);
        }
        headers.removeKind(KnownHeader.TRANSFER_ENCODING);
        headers.set("Content-Length", Long.toString(length));
        contentLength = length;
        framing = BodyFraming.CONTENT_LENGTH;
    }

    /** Sets chunked framing and replaces Content-Length with Transfer-Encoding: chunked. */
    public void setChunked() {
        headers.removeKind(KnownHeader.CONTENT_LENGTH);
        headers.set("Transfer-Encoding", "chunked");
        contentLength = -1;
        framing = BodyFraming.CHUNKED;
    }

    void resetHead() {
        headers.reset();
        version = HTTP_1_1;
        framing = BodyFraming.NONE;
        contentLength = -1;
        connectionClose = false;
        connectionKeepAlive = false;
        connectionUpgrade = false;
        headLength = 0;
    }
}
