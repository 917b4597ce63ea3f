package io.pingora4j.codec.h1;

/**
 * Every way an HTTP/1.x message can be refused, each with the status a server answers a client
 * with. An error found in a response from an origin is an upstream failure, which a proxy answers
 * with 502 instead ({@link HttpParseException#status()}).
 *
 * <p>The comment on each constant cites the rule; where an advisory showed the rule matters, its
 * id is named too, and the regression test for it carries the same name.
 */
public enum H1Error {
    // ---- size limits ----
    /** Request line longer than {@link H1Limits#maxInitialLine()} (RFC 9112 §3). */
    REQUEST_LINE_TOO_LONG(414, "request line too long"),
    /** Status line longer than {@link H1Limits#maxInitialLine()}. */
    STATUS_LINE_TOO_LONG(502, "status line too long"),
    /** Header section over {@link H1Limits#maxHeaderSection()} (RFC 6585 §5). */
    HEADER_SECTION_TOO_LARGE(431, "header section too large"),
    /** More than {@link H1Limits#maxHeaderCount()} fields (RFC 6585 §5). */
    TOO_MANY_HEADERS(431, "too many header fields"),
    /** Body over {@link H1Limits#maxBodySize()} (RFC 9110 §15.5.14). */
    BODY_TOO_LARGE(413, "body too large"),
    /** Chunk-size line over {@link H1Limits#maxChunkLine()}. */
    CHUNK_LINE_TOO_LONG(400, "chunk-size line too long"),

    // ---- line structure (RFC 9112 §2.2) ----
    /** An LF not preceded by CR ends a line (CVE-2022-32214 class). */
    BARE_LF(400, "bare LF line ending"),
    /** A CR not followed by LF. */
    BARE_CR(400, "bare CR"),

    // ---- request line (RFC 9112 §3) ----
    /** Not method SP request-target SP HTTP-version: empty parts, extra spaces (spaces in the target). */
    INVALID_REQUEST_LINE(400, "malformed request line"),
    /** Method is not a token. */
    INVALID_METHOD(400, "invalid method"),
    /** Request target has a control character, DEL, '#', or is of no known form. */
    INVALID_TARGET(400, "invalid request target"),
    /** asterisk-form used with a method other than OPTIONS (RFC 9112 §3.2.4). */
    ASTERISK_FORM_NOT_OPTIONS(400, "asterisk-form target is only for OPTIONS"),
    /** CONNECT without authority-form, or authority-form without CONNECT (RFC 9112 §3.2.3). */
    INVALID_AUTHORITY_FORM(400, "authority-form target is required for CONNECT and only for it"),
    /** absolute-form that is not http(s)://authority[path] or carries userinfo (RFC 9110 §4.2.4). */
    INVALID_ABSOLUTE_FORM(400, "invalid absolute-form target"),
    /** HTTP-version is not "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3). */
    INVALID_VERSION(400, "malformed HTTP version"),
    /** A version other than 1.0 / 1.1, including HTTP/0.9's request line without one (RFC 9110 §15.6.6). */
    UNSUPPORTED_VERSION(505, "HTTP version not supported"),

    // ---- status line (RFC 9112 §4) ----
    INVALID_STATUS_LINE(502, "malformed status line"),

    // ---- field lines (RFC 9112 §5, RFC 9110 §5) ----
    /** obs-fold: a field line starting with SP or HTAB (RFC 9112 §5.2; CVE-2022-32215 class). */
    OBS_FOLD(400, "obsolete line folding"),
    /** Whitespace between field name and colon (RFC 9112 §5.1; CVE-2019-16869). */
    WHITESPACE_BEFORE_COLON(400, "whitespace between header name and colon"),
    /** A field line with no colon (CVE-2019-20444). */
    MISSING_COLON(400, "header line without colon"),
    /** A field line starting with a colon (CVE-2023-25725). */
    EMPTY_HEADER_NAME(400, "empty header name"),
    /** A field name with a character outside tchar, e.g. a control character (CVE-2021-43797 class). */
    INVALID_HEADER_NAME(400, "invalid character in header name"),
    /** A field value with NUL, or a control character other than HTAB (RFC 9110 §5.5). */
    INVALID_HEADER_VALUE(400, "invalid character in header value"),

    // ---- Host (RFC 9112 §3.2) ----
    MISSING_HOST(400, "HTTP/1.1 request without Host"),
    DUPLICATE_HOST(400, "more than one Host"),
    INVALID_HOST(400, "invalid Host"),

    // ---- body framing (RFC 9112 §6) ----
    /** Content-Length that is not 1*DIGIT: sign, inner space, empty (CVE-2023-40225), overflow. */
    INVALID_CONTENT_LENGTH(400, "invalid Content-Length"),
    /** Several Content-Length values that differ (RFC 9110 §8.6; CVE-2019-20445). */
    CONFLICTING_CONTENT_LENGTH(400, "conflicting Content-Length values"),
    /** Both Content-Length and Transfer-Encoding (RFC 9112 §6.3 item 3; CVE-2019-20445). */
    CONTENT_LENGTH_WITH_TRANSFER_ENCODING(400, "both Content-Length and Transfer-Encoding"),
    /** Transfer-Encoding in an HTTP/1.0 message (RFC 9112 §6.1). */
    TRANSFER_ENCODING_IN_HTTP10(400, "Transfer-Encoding in an HTTP/1.0 message"),
    /** Transfer-Encoding other than exactly "chunked": xchunked, "chunked, identity", gzip... (RFC 9112 §6.1). */
    UNSUPPORTED_TRANSFER_ENCODING(501, "unsupported Transfer-Encoding"),

    // ---- chunked coding (RFC 9112 §7.1) ----
    /** chunk-size absent: the line starts with something other than a hex digit ("+5", ";ext", CRLF). */
    MISSING_CHUNK_SIZE(400, "missing chunk size"),
    /** chunk-size followed by something that is not an extension or CRLF ("0x5", "5 5", "5g"; CVE-2022-24761 class). */
    INVALID_CHUNK_SIZE(400, "invalid chunk size"),
    /** chunk-size beyond 2^63-1. */
    CHUNK_SIZE_OVERFLOW(400, "chunk size overflow"),
    /** Malformed chunk extension: bad token, bad quoting, a lone LF inside (CVE-2025-58056). */
    INVALID_CHUNK_EXTENSION(400, "invalid chunk extension"),
    /** chunk-data not followed by CRLF. */
    MISSING_CHUNK_DATA_CRLF(400, "chunk data not followed by CRLF"),
    /** A trailer field that must not be a trailer: Content-Length, Transfer-Encoding, Host (RFC 9110 §6.5.1). */
    FORBIDDEN_TRAILER(400, "forbidden trailer field"),

    // ---- connection ----
    /** The peer closed the connection in the middle of a message: the message is truncated. */
    PREMATURE_CLOSE(400, "connection closed before the message was complete");

    private final int status;
    private final String reason;

    H1Error(int status, String reason) {
        this.status = status;
        this.reason = reason;
    }

    /** The status a server answers a client's request that broke this rule with. */
    public int status() {
        return status;
    }

    /** A short human-readable description, fit for a log line or an error page. */
    public String reason() {
        return reason;
    }
}
