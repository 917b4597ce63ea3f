/**
 * HTTP/1.1 (RFC 9112) message parsing and serialisation, with no I/O.
 *
 * <p>Bytes go in through {@link io.pingora4j.codec.h1.RequestParser#next} or
 * {@link io.pingora4j.codec.h1.ResponseParser#next}; events come out ({@link io.pingora4j.codec.h1.H1Event}).
 * A parsed head refers to the caller's buffer: a header is an (offset, length) slice until a
 * {@code String} is asked for. {@link io.pingora4j.codec.h1.H1Writer} writes a (possibly edited)
 * head back out, copying unchanged fields straight from their slices.
 *
 * <p>Every rule the parser enforces is a distinct {@link io.pingora4j.codec.h1.H1Error} with the
 * status code a server answers it with; every size bound is a named, configurable field of
 * {@link io.pingora4j.codec.h1.H1Limits}.
 */
package io.pingora4j.codec.h1;
