package io.pingora4j.server.accesslog;

/**
 * What the proxy learnt about a request beyond its {@link io.pingora4j.spi.Session}: the last
 * upstream attempt's status and times, and the error that ended the request. Read by the
 * {@code {upstream_status}}, {@code {upstream_response_time}}, {@code {upstream_connect_time}},
 * {@code {upstream_processing_time}} and {@code {error}} variables, on the request's loop.
 */
public interface UpstreamFacts {

    /** The origin's final status, or 0 when no origin answered. */
    int upstreamStatus();

    /** From the request sent upstream to the response's last byte (nanoseconds); -1 when unknown. */
    long upstreamResponseNanos();

    /** TCP connect time of a new upstream connection (nanoseconds); -1 when pooled or none. */
    long upstreamConnectNanos();

    /** From the request sent upstream to the response head (nanoseconds); -1 when unknown. */
    long upstreamProcessingNanos();

    /** What ended the request in error ("CONNECT_REFUSED: ..."), or null when it succeeded. */
    String error();
}
