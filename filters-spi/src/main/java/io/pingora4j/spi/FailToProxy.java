package io.pingora4j.spi;

/**
 * How a failed request ends for the client (the result of {@link ProxyHttp#failToProxy}).
 *
 * @param status               the status sent to the client if no response has been started yet;
 *                             0 sends nothing (the connection is closed)
 * @param reuseDownstream      whether the client connection may carry another request afterwards;
 *                             the engine closes it anyway when the error left the stream in an
 *                             unknown state (a request body not fully read, a response half sent)
 */
public record FailToProxy(int status, boolean reuseDownstream) {
}
