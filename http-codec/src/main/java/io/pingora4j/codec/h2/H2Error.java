package io.pingora4j.codec.h2;

/**
 * Every way the HTTP/2 codec refuses what a peer sent, each with the RFC rule it enforces,
 * whether it ends the whole connection (GOAWAY) or one stream (RST_STREAM), and the error code
 * sent. The comment on each constant cites the section; where an advisory showed the rule
 * matters, its id too, and the regression test for it carries the same name.
 *
 * <p>RFC numbers: 9113 is HTTP/2, 7541 is HPACK.
 */
public enum H2Error {

    // ---- connection preface and frame layout (RFC 9113 §3.4, §4) ----
    /** The client's first 24 bytes are not the connection preface (§3.4). */
    INVALID_PREFACE(true, H2ErrorCode.PROTOCOL_ERROR, "invalid connection preface"),
    /** The first frame of the peer is not SETTINGS (§3.4). */
    FIRST_FRAME_NOT_SETTINGS(true, H2ErrorCode.PROTOCOL_ERROR, "first frame is not SETTINGS"),
    /** A frame longer than our SETTINGS_MAX_FRAME_SIZE (§4.2). */
    FRAME_TOO_LARGE(true, H2ErrorCode.FRAME_SIZE_ERROR, "frame larger than SETTINGS_MAX_FRAME_SIZE"),
    /** Pad Length not less than the payload it pads (§6.1, §6.2). */
    PADDING_TOO_LONG(true, H2ErrorCode.PROTOCOL_ERROR, "padding as long as the frame"),
    /** DATA, HEADERS, PRIORITY, RST_STREAM or CONTINUATION on stream 0 (§6.1-§6.4, §6.10). */
    STREAM_FRAME_ON_STREAM_ZERO(true, H2ErrorCode.PROTOCOL_ERROR, "stream frame on stream 0"),
    /** SETTINGS, PING or GOAWAY on a stream other than 0 (§6.5, §6.7, §6.8). */
    CONNECTION_FRAME_ON_STREAM(true, H2ErrorCode.PROTOCOL_ERROR, "connection frame on a stream"),
    /** HEADERS too short for the priority fields its PRIORITY flag announces (§6.2, §4.2). */
    HEADERS_FRAME_SIZE(true, H2ErrorCode.FRAME_SIZE_ERROR, "HEADERS too short for its priority fields"),
    /** PRIORITY whose length is not 5 (§6.3): a stream error. */
    PRIORITY_FRAME_SIZE(false, H2ErrorCode.FRAME_SIZE_ERROR, "PRIORITY length is not 5"),
    /** RST_STREAM whose length is not 4 (§6.4). */
    RST_STREAM_FRAME_SIZE(true, H2ErrorCode.FRAME_SIZE_ERROR, "RST_STREAM length is not 4"),
    /** SETTINGS whose length is not a multiple of 6 (§6.5). */
    SETTINGS_FRAME_SIZE(true, H2ErrorCode.FRAME_SIZE_ERROR, "SETTINGS length is not a multiple of 6"),
    /** SETTINGS with ACK and a payload (§6.5). */
    SETTINGS_ACK_WITH_PAYLOAD(true, H2ErrorCode.FRAME_SIZE_ERROR, "SETTINGS ACK with a payload"),
    /** SETTINGS_ENABLE_PUSH other than 0 or 1, or 1 from a server (§6.5.2). */
    INVALID_ENABLE_PUSH(true, H2ErrorCode.PROTOCOL_ERROR, "invalid SETTINGS_ENABLE_PUSH"),
    /** SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1 (§6.5.2). */
    INITIAL_WINDOW_SIZE_TOO_LARGE(true, H2ErrorCode.FLOW_CONTROL_ERROR, "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1"),
    /** SETTINGS_MAX_FRAME_SIZE outside 2^14 .. 2^24-1 (§6.5.2). */
    INVALID_MAX_FRAME_SIZE(true, H2ErrorCode.PROTOCOL_ERROR, "invalid SETTINGS_MAX_FRAME_SIZE"),
    /** PING whose length is not 8 (§6.7). */
    PING_FRAME_SIZE(true, H2ErrorCode.FRAME_SIZE_ERROR, "PING length is not 8"),
    /** GOAWAY shorter than 8 bytes (§6.8). */
    GOAWAY_FRAME_SIZE(true, H2ErrorCode.FRAME_SIZE_ERROR, "GOAWAY shorter than 8 bytes"),
    /** WINDOW_UPDATE whose length is not 4 (§6.9). */
    WINDOW_UPDATE_FRAME_SIZE(true, H2ErrorCode.FRAME_SIZE_ERROR, "WINDOW_UPDATE length is not 4"),
    /** WINDOW_UPDATE of 0 on a stream (§6.9): a stream error. */
    ZERO_WINDOW_INCREMENT(false, H2ErrorCode.PROTOCOL_ERROR, "WINDOW_UPDATE increment of 0"),
    /** WINDOW_UPDATE of 0 on the connection (§6.9). */
    ZERO_CONNECTION_WINDOW_INCREMENT(true, H2ErrorCode.PROTOCOL_ERROR, "connection WINDOW_UPDATE increment of 0"),
    /** A frame other than CONTINUATION of the same stream inside a header block (§6.10, §4.3). */
    CONTINUATION_EXPECTED(true, H2ErrorCode.PROTOCOL_ERROR, "header block interrupted"),
    /** CONTINUATION that does not follow HEADERS or CONTINUATION without END_HEADERS (§6.10). */
    UNEXPECTED_CONTINUATION(true, H2ErrorCode.PROTOCOL_ERROR, "CONTINUATION outside a header block"),
    /** PUSH_PROMISE from a client, or to a client that disabled push, as we always do (§8.4, §6.6). */
    PUSH_PROMISE_REFUSED(true, H2ErrorCode.PROTOCOL_ERROR, "PUSH_PROMISE is not accepted"),

    // ---- HPACK (RFC 7541), always connection errors: the shared table is lost (RFC 9113 §4.3) ----
    /** Index 0, or past the end of the static and dynamic tables (7541 §2.3.3, §6.1). */
    HPACK_INVALID_INDEX(true, H2ErrorCode.COMPRESSION_ERROR, "HPACK index out of range"),
    /** An integer that does not fit 31 bits, or with too many continuation bytes (7541 §5.1). */
    HPACK_INTEGER_OVERFLOW(true, H2ErrorCode.COMPRESSION_ERROR, "HPACK integer overflow"),
    /** A Huffman string with EOS, or padding longer than 7 bits or not all ones (7541 §5.2). */
    HPACK_INVALID_HUFFMAN(true, H2ErrorCode.COMPRESSION_ERROR, "invalid Huffman string"),
    /** A dynamic table size update above SETTINGS_HEADER_TABLE_SIZE (7541 §6.3). */
    HPACK_TABLE_SIZE_TOO_LARGE(true, H2ErrorCode.COMPRESSION_ERROR, "dynamic table size update too large"),
    /** A dynamic table size update after the first field of a block (7541 §4.2). */
    HPACK_LATE_TABLE_SIZE_UPDATE(true, H2ErrorCode.COMPRESSION_ERROR, "dynamic table size update after a field"),
    /** The header block ended inside a representation (7541 §2.3.3). */
    HPACK_TRUNCATED_BLOCK(true, H2ErrorCode.COMPRESSION_ERROR, "header block ends inside a field"),
    /**
     * The header list grew past {@link H2Limits#maxHeaderListSize()}, measured as the fields are
     * decoded and checked at each string's length prefix, before its bytes are buffered: HPACK
     * bombs (a small block that expands to a huge list, CVE-2016-6581) and CONTINUATION floods
     * of fields (2024, VU#421644) are refused early (RFC 9113 §10.5.1).
     */
    HEADER_LIST_TOO_LARGE(true, H2ErrorCode.ENHANCE_YOUR_CALM, "header list too large"),

    // ---- streams (RFC 9113 §5.1) ----
    /** A client opened an even-numbered stream, or a server an odd one (§5.1.1). */
    INVALID_STREAM_ID(true, H2ErrorCode.PROTOCOL_ERROR, "stream id of the wrong parity"),
    /** A new stream id not greater than every id the peer opened before (§5.1.1). */
    STREAM_ID_NOT_INCREASING(true, H2ErrorCode.PROTOCOL_ERROR, "stream id not increasing"),
    /** DATA, RST_STREAM, WINDOW_UPDATE or CONTINUATION on an idle stream (§5.1). */
    FRAME_ON_IDLE_STREAM(true, H2ErrorCode.PROTOCOL_ERROR, "frame on an idle stream"),
    /** DATA or HEADERS on a stream the peer half-closed, or reset (§5.1): a stream error. */
    STREAM_CLOSED(false, H2ErrorCode.STREAM_CLOSED, "frame on a closed stream"),
    /** DATA or HEADERS on a stream closed after both ends sent END_STREAM (§5.1, "closed"). */
    FRAME_AFTER_END_STREAM(true, H2ErrorCode.STREAM_CLOSED, "frame after END_STREAM on a closed stream"),
    /** More streams than SETTINGS_MAX_CONCURRENT_STREAMS (§5.1.2). */
    TOO_MANY_STREAMS(false, H2ErrorCode.REFUSED_STREAM, "too many concurrent streams"),
    /** A stream that depends on itself (§5.3.1). */
    STREAM_DEPENDS_ON_ITSELF(false, H2ErrorCode.PROTOCOL_ERROR, "stream depends on itself"),
    /** A second HEADERS without END_STREAM: trailers must end the stream (§8.1). */
    TRAILERS_WITHOUT_END_STREAM(false, H2ErrorCode.PROTOCOL_ERROR, "trailers without END_STREAM"),
    /** DATA on a stream of ours (client role) before its response head (§8.1). */
    DATA_BEFORE_HEADERS(false, H2ErrorCode.PROTOCOL_ERROR, "DATA before the response head"),

    // ---- flow control (RFC 9113 §5.2, §6.9) ----
    /** A stream sent more DATA than its window allowed (§6.9.1). */
    STREAM_WINDOW_EXCEEDED(false, H2ErrorCode.FLOW_CONTROL_ERROR, "stream flow-control window exceeded"),
    /** The peer sent more DATA than the connection window allowed (§6.9.1). */
    CONNECTION_WINDOW_EXCEEDED(true, H2ErrorCode.FLOW_CONTROL_ERROR, "connection flow-control window exceeded"),
    /** WINDOW_UPDATE that takes a stream's window past 2^31-1 (§6.9.1). */
    STREAM_WINDOW_OVERFLOW(false, H2ErrorCode.FLOW_CONTROL_ERROR, "stream window above 2^31-1"),
    /** WINDOW_UPDATE (or a new SETTINGS_INITIAL_WINDOW_SIZE) that takes a window past 2^31-1 (§6.9.1, §6.9.2). */
    CONNECTION_WINDOW_OVERFLOW(true, H2ErrorCode.FLOW_CONTROL_ERROR, "window above 2^31-1"),

    // ---- SETTINGS (RFC 9113 §6.5.3) ----
    /** Our SETTINGS were not acknowledged in time; the engine's timer says so (§6.5.3). */
    SETTINGS_NOT_ACKNOWLEDGED(true, H2ErrorCode.SETTINGS_TIMEOUT, "SETTINGS not acknowledged in time"),

    // ---- security limits (H2Limits) ----
    /**
     * More stream resets in a window than {@link H2Limits#maxResetsPerWindow()}: resets by the
     * client (rapid reset, CVE-2023-44487) and resets by us provoked by the client's frames
     * (MadeYouReset, CVE-2025-8671) draw on the same budget.
     */
    RESET_FLOOD(true, H2ErrorCode.ENHANCE_YOUR_CALM, "too many stream resets"),
    /**
     * More control frames queued for a peer that does not read than
     * {@link H2Limits#maxQueuedControlFrames()}: PING flood (CVE-2019-9512), RST flood
     * (CVE-2019-9514), SETTINGS flood (CVE-2019-9515).
     */
    CONTROL_FRAME_FLOOD(true, H2ErrorCode.ENHANCE_YOUR_CALM, "too many control frames queued"),
    /** More empty DATA/HEADERS/CONTINUATION frames in a row than allowed (CVE-2019-9518). */
    EMPTY_FRAME_FLOOD(true, H2ErrorCode.ENHANCE_YOUR_CALM, "too many empty frames"),
    /** More CONTINUATION frames in one header block than allowed (CONTINUATION flood, 2024, VU#421644). */
    CONTINUATION_FLOOD(true, H2ErrorCode.ENHANCE_YOUR_CALM, "too many CONTINUATION frames"),

    // ---- the message, and its downgrade to HTTP/1.1 (RFC 9113 §8), all stream errors ----
    /** A field name with an upper-case letter (§8.2.1). */
    UPPERCASE_HEADER_NAME(false, H2ErrorCode.PROTOCOL_ERROR, "upper-case header name"),
    /** A field name of length zero (CVE-2019-9516, "0-length headers leak"). */
    EMPTY_HEADER_NAME(false, H2ErrorCode.PROTOCOL_ERROR, "empty header name"),
    /** A field name with a character that is not a token character: CR, LF, NUL, SP, ':'... (§8.2.1). */
    INVALID_HEADER_NAME(false, H2ErrorCode.PROTOCOL_ERROR, "invalid character in header name"),
    /** A field value with CR, LF, NUL or another control character but HTAB (§8.2.1, RFC 9110 §5.5). */
    INVALID_HEADER_VALUE(false, H2ErrorCode.PROTOCOL_ERROR, "invalid character in header value"),
    /** A field value starting or ending with SP or HTAB (§8.2.1). */
    HEADER_VALUE_WHITESPACE(false, H2ErrorCode.PROTOCOL_ERROR, "header value with leading or trailing whitespace"),
    /** Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding or Upgrade (§8.2.2). */
    CONNECTION_SPECIFIC_HEADER(false, H2ErrorCode.PROTOCOL_ERROR, "connection-specific header field"),
    /** TE with a value other than "trailers" (§8.2.2). */
    TE_NOT_TRAILERS(false, H2ErrorCode.PROTOCOL_ERROR, "TE other than trailers"),
    /** A pseudo-header not defined for this message, e.g. :status in a request or :protocol (§8.3). */
    UNKNOWN_PSEUDO_HEADER(false, H2ErrorCode.PROTOCOL_ERROR, "unknown pseudo-header"),
    /** The same pseudo-header twice (§8.3.1). */
    DUPLICATE_PSEUDO_HEADER(false, H2ErrorCode.PROTOCOL_ERROR, "duplicate pseudo-header"),
    /** A pseudo-header after a regular field (§8.3). */
    LATE_PSEUDO_HEADER(false, H2ErrorCode.PROTOCOL_ERROR, "pseudo-header after a regular field"),
    /** A request without :method, :scheme or :path, or a response without :status (§8.3.1, §8.3.2). */
    MISSING_PSEUDO_HEADER(false, H2ErrorCode.PROTOCOL_ERROR, "missing pseudo-header"),
    /** A pseudo-header in trailers (§8.1). */
    PSEUDO_HEADER_IN_TRAILERS(false, H2ErrorCode.PROTOCOL_ERROR, "pseudo-header in trailers"),
    /** :path empty, or not starting with '/' but for OPTIONS '*' (§8.3.1). */
    INVALID_PATH(false, H2ErrorCode.PROTOCOL_ERROR, "invalid :path"),
    /** :scheme other than http or https: there is no HTTP/1.1 origin for it. */
    UNSUPPORTED_SCHEME(false, H2ErrorCode.PROTOCOL_ERROR, "unsupported :scheme"),
    /** CONNECT with :scheme or :path, or without :authority (§8.5). */
    INVALID_CONNECT(false, H2ErrorCode.PROTOCOL_ERROR, "invalid CONNECT request"),
    /** Neither :authority nor Host: an HTTP/1.1 request needs a Host (RFC 9112 §3.2). */
    MISSING_AUTHORITY(false, H2ErrorCode.PROTOCOL_ERROR, "neither :authority nor Host"),
    /** :authority and Host both present and different (§8.3.1). */
    AUTHORITY_HOST_MISMATCH(false, H2ErrorCode.PROTOCOL_ERROR, ":authority and Host differ"),
    /** :status that is not three digits from 100 to 599 (§8.3.2). */
    INVALID_STATUS(false, H2ErrorCode.PROTOCOL_ERROR, "invalid :status"),
    /** Content-Length, Host or Transfer-Encoding in trailers (RFC 9110 §6.5.1). */
    FORBIDDEN_TRAILER(false, H2ErrorCode.PROTOCOL_ERROR, "forbidden trailer field"),
    /** DATA that disagrees with Content-Length, on overflow or at the end of the stream (§8.1.1). */
    CONTENT_LENGTH_MISMATCH(false, H2ErrorCode.PROTOCOL_ERROR, "DATA disagrees with content-length"),
    /**
     * The head, written as HTTP/1.1, breaks an HTTP/1.1 rule (an invalid method token, target,
     * Host or Content-Length...): {@link H2Exception#h1Error()} says which.
     */
    INVALID_HTTP1_HEAD(false, H2ErrorCode.PROTOCOL_ERROR, "not a valid HTTP/1.1 head");

    private final boolean connection;
    private final int code;
    private final String reason;

    H2Error(boolean connection, int code, String reason) {
        this.connection = connection;
        this.code = code;
        this.reason = reason;
    }

    /** True if this ends the connection (GOAWAY), false if it ends one stream (RST_STREAM). */
    public boolean connectionError() {
        return connection;
    }

    /** The error code sent in GOAWAY or RST_STREAM ({@link H2ErrorCode}). */
    public int code() {
        return code;
    }

    /** A short human-readable description, fit for a log line. */
    public String reason() {
        return reason;
    }
}
