package io.pingora4j.codec.h1;

/**
 * The only exception the parsers throw for bad input. It carries no stack trace: it is control
 * flow on a hostile-input path, and filling a trace per malformed request would be a cheap
 * way for a client to burn CPU.
 */
public final class HttpParseException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final H1Error error;
    private final boolean upstream;

    public HttpParseException(H1Error error, boolean upstream) {
        super((upstream ? "upstream response: " : "") + error.reason(), null, false, false);
        this.error = error;
        this.upstream = upstream;
    }

    public H1Error error() {
        return error;
    }

    /** True when the message came from an origin (a response), false for a client's request. */
    public boolean upstream() {
        return upstream;
    }

    /** The status to answer the client with: the error's own for a request, 502 for a bad origin response. */
    public int status() {
        return upstream ? 502 : error.status();
    }
}
