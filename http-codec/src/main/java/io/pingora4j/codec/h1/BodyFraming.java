package io.pingora4j.codec.h1;

/** How a message's body is delimited (RFC 9112 §6.3). */
public enum BodyFraming {
    /** No body at all: a request without Content-Length/Transfer-Encoding, HEAD responses, 1xx, 204, 304. */
    NONE,
    /** Content-Length bytes follow (possibly zero). */
    CONTENT_LENGTH,
    /** Transfer-Encoding: chunked. */
    CHUNKED,
    /** A response with neither: the body runs until the origin closes; the connection cannot be reused. */
    UNTIL_CLOSE,
    /** After 101 Switching Protocols or a 2xx to CONNECT: bytes flow opaquely both ways until close. */
    TUNNEL
}
