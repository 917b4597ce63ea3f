package io.pingora4j.spi;

/**
 * Why a request could not be proxied, and where it went wrong. Thrown by phases (a filter may throw
 * one to fail the request with a status) and created by the engine; it ends in
 * {@link ProxyHttp#failToProxy}, which maps it to what the client sees.
 *
 * <p>Errors the engine creates carry no stack trace: they are expected events (an origin down, a
 * client gone), and filling traces for them would make an outage slower.
 */
public final class ProxyError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Which side of the proxy the error came from. */
    public enum Source { DOWNSTREAM, UPSTREAM, INTERNAL }

    /** What went wrong, with the status a client is answered with by default. */
    public enum Kind {
        /** The origin refused the connection (or no route to it). */
        CONNECT_REFUSED(502),
        /** The connection to the origin did not complete in time. */
        CONNECT_TIMEOUT(504),
        /** Another failure while connecting (DNS, TLS handshake...). */
        CONNECT_FAILED(502),
        /** No byte arrived in time: from the origin, 504; from the client, 408. */
        READ_TIMEOUT(504),
        /** A peer did not take our bytes in time. */
        WRITE_TIMEOUT(504),
        /** The connection closed or reset before the message was complete. */
        CONNECTION_CLOSED(502),
        /**
         * The origin refused the request before processing any of it (HTTP/2 REFUSED_STREAM, or a
         * stream above the last one a GOAWAY accepted, RFC 9113 §8.7): it may be sent again,
         * whatever its method, to the same origin too. The engine marks it retryable.
         */
        STREAM_REFUSED(502),
        /** A message that broke HTTP's rules; the status is the codec's for a request, 502 for a response. */
        INVALID_HTTP(400),
        /** A filter chose the status (e.g. 403 from an IP rule, 413 from a size limit). */
        HTTP_STATUS(500),
        /** No upstream peer could be chosen (no route, every backend down). */
        NO_UPSTREAM(502),
        /** A bug or an unexpected exception in a filter. */
        INTERNAL(500);

        private final int defaultStatus;

        Kind(int defaultStatus) {
            this.defaultStatus = defaultStatus;
        }

        public int defaultStatus() {
            return defaultStatus;
        }
    }

    private final Source source;
    private final Kind kind;
    private final int status;
    private boolean retryable;

    private ProxyError(Source source, Kind kind, int status, String message, Throwable cause, boolean trace) {
        super(message, cause, false, trace);
        this.source = source;
        this.kind = kind;
        this.status = status;
    }

    /** An error of {@code kind} from {@code source}, answered with the kind's default status. */
    public static ProxyError of(Source source, Kind kind, String message) {
        return new ProxyError(source, kind, kind.defaultStatus(), message, null, false);
    }

    /** An error of {@code kind} with an explicit client status. */
    public static ProxyError of(Source source, Kind kind, int status, String message) {
        return new ProxyError(source, kind, status, message, null, false);
    }

    /** An error caused by an exception; the cause's trace is kept, it is likely a bug. */
    public static ProxyError of(Source source, Kind kind, String message, Throwable cause) {
        return new ProxyError(source, kind, kind.defaultStatus(), message, cause, cause != null);
    }

    /** Fails the request with {@code status}: what a filter throws to refuse a request. */
    public static ProxyError status(int status, String message) {
        return new ProxyError(Source.INTERNAL, Kind.HTTP_STATUS, status, message, null, false);
    }

    public Source source() {
        return source;
    }

    public Kind kind() {
        return kind;
    }

    /** The status a client is answered with unless {@link ProxyHttp#failToProxy} decides otherwise. */
    public int status() {
        return status;
    }

    /**
     * Whether the engine may try again: ask {@link ProxyHttp#upstreamPeer} once more and resend.
     * Set by {@link ProxyHttp#failToConnect} or {@link ProxyHttp#errorWhileProxy}; the engine
     * never retries a request it cannot replay.
     */
    public boolean retryable() {
        return retryable;
    }

    /** Marks this error retryable (or not); returns this. */
    public ProxyError retryable(boolean value) {
        this.retryable = value;
        return this;
    }

    @Override
    public String toString() {
        return "ProxyError[" + source + " " + kind + " " + status + "]: " + getMessage();
    }
}
