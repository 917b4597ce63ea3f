package io.pingora4j.codec.h1;

/**
 * A response's status line and fields (RFC 9112 §4).
 *
 * <p>Not thread-safe: owned by one event loop.
 */
public final class ResponseHead extends MessageHead {

    int status = 200;
    int reasonRef;
    int reasonLen;

    /** A 200 OK response, for building one in code. */
    public ResponseHead() {
        setStatus(200);
    }

    public int status() {
        return status;
    }

    /** True for 1xx responses other than 101: a final response follows on the same exchange. */
    public boolean interim() {
        return status >= 100 && status < 200 && status != 101;
    }

    /** The reason phrase as received (may be empty). Allocates. */
    public String reason() {
        return headers.string(reasonRef, reasonLen);
    }

    /** Sets the status and its standard reason phrase. */
    public void setStatus(int status) {
        setStatus(status, reasonPhrase(status));
    }

    /** Sets the status and reason phrase. */
    public void setStatus(int status, CharSequence reason) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status must be three digits, got " + status);
        }
        for (int k = 0; k < reason.length(); k++) {
            char c = reason.charAt(k);
            if (c > 0xff || !HttpChars.FIELD_CHAR[c]) {
                throw new IllegalArgumentException("reason phrase has an invalid character at " + k);
            }
        }
        this.status = status;
        reasonRef = headers.appendScratch(reason, 0, reason.length());
        reasonLen = reason.length();
    }

    /**
     * Replaces this head with a copy of {@code other} (status, reason, version, fields, framing),
     * in this head's own storage: {@code other}'s buffer may be reused afterwards.
     */
    public void copyFrom(ResponseHead other) {
        HeaderBlock h = headers;
        h.copyFrom(other.headers);
        status = other.status;
        reasonRef = other.reasonRef; // same layout: the status line's refs hold in the copy
        reasonLen = other.reasonLen;
        version = other.version;
        framing = other.framing;
        contentLength = other.contentLength;
        connectionClose = other.connectionClose;
        connectionKeepAlive = other.connectionKeepAlive;
        connectionUpgrade = other.connectionUpgrade;
        headLength = 0;
    }

    /** Resets to an empty 200 response, keeping storage. */
    public void reset() {
        resetHead();
        setStatus(200);
    }

    void resetResponse() {
        resetHead();
        status = 0;
        reasonLen = 0;
    }

    /** The standard reason phrase of a status (RFC 9110 §15), or "" for an unregistered one. */
    public static String reasonPhrase(int status) {
        switch (status) {
            case 100: return "Continue";
            case 101: return "Switching Protocols";
            case 103: return "Early Hints";
            case 200: return "OK";
            case 201: return "Created";
            case 202: return "Accepted";
            case 203: return "Non-Authoritative Information";
            case 204: return "No Content";
            case 205: return "Reset Content";
            case 206: return "Partial Content";
            case 300: return "Multiple Choices";
            case 301: return "Moved Permanently";
            case 302: return "Found";
            case 303: return "See Other";
            case 304: return "Not Modified";
            case 307: return "Temporary Redirect";
            case 308: return "Permanent Redirect";
            case 400: return "Bad Request";
            case 401: return "Unauthorized";
            case 403: return "Forbidden";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 406: return "Not Acceptable";
            case 408: return "Request Timeout";
            case 409: return "Conflict";
            case 410: return "Gone";
            case 411: return "Length Required";
            case 412: return "Precondition Failed";
            case 413: return "Content Too Large";
            case 414: return "URI Too Long";
            case 415: return "Unsupported Media Type";
            case 416: return "Range Not Satisfiable";
            case 417: return "Expectation Failed";
            case 421: return "Misdirected Request";
            case 422: return "Unprocessable Content";
            case 425: return "Too Early";
            case 426: return "Upgrade Required";
            case 428: return "Precondition Required";
            case 429: return "Too Many Requests";
            case 431: return "Request Header Fields Too Large";
            case 500: return "Internal Server Error";
            case 501: return "Not Implemented";
            case 502: return "Bad Gateway";
            case 503: return "Service Unavailable";
            case 504: return "Gateway Timeout";
            case 505: return "HTTP Version Not Supported";
            default: return "";
        }
    }

    @Override
    public String toString() {
        return (version == HTTP_1_1 ? "HTTP/1.1 " : "HTTP/1.0 ") + status + " " + reason() + "\r\n" + headers;
    }
}
