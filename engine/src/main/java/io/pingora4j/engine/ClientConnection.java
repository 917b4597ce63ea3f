package io.pingora4j.engine;

/**
 * A client connection a loop owns, whatever it speaks (HTTP/1.1 or HTTP/2): what the loop needs
 * to shut it down. Not thread-safe: owned by one event loop.
 */
interface ClientConnection {

    /** Graceful shutdown: no new requests; close once the ones in flight are done. */
    void drain();

    /** The proxy serving this connection's requests: the listener's that accepted it. */
    io.pingora4j.spi.ProxyHttp<Object> proxy();

    /** Closes at once, dropping whatever is queued (the loop is stopping). */
    void shutdownNow();
}
