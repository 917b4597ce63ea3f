package io.pingora4j.codec.h2;

import io.pingora4j.codec.h1.H1Error;

/**
 * The only exception the HTTP/2 codec throws for bad input. Like the h1 parser's, it carries no
 * stack trace: it is control flow on a hostile-input path.
 */
public final class H2Exception extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final H2Error error;
    private final int streamId;
    private final transient H1Error h1Error;

    public H2Exception(H2Error error, int streamId) {
        this(error, streamId, null);
    }

    public H2Exception(H2Error error, int streamId, H1Error h1Error) {
        super(message(error, streamId, h1Error), null, false, false);
        this.error = error;
        this.streamId = streamId;
        this.h1Error = h1Error;
    }

    private static String message(H2Error error, int streamId, H1Error h1Error) {
        String s = error.reason() + " (" + H2ErrorCode.name(error.code())
                + (error.connectionError() ? "" : ", stream " + streamId) + ")";
        return h1Error == null ? s : s + ": " + h1Error.reason();
    }

    public H2Error error() {
        return error;
    }

    /** The stream a stream error is about; 0 for a connection error found outside any stream. */
    public int streamId() {
        return streamId;
    }

    /** For {@link H2Error#INVALID_HTTP1_HEAD}: the HTTP/1.1 rule the downgraded head broke; else null. */
    public H1Error h1Error() {
        return h1Error;
    }

    /** True if the whole connection must go (GOAWAY). */
    public boolean connectionError() {
        return error.connectionError();
    }
}
