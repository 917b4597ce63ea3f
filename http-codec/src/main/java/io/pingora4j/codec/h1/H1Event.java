package io.pingora4j.codec.h1;

/** What one call to a parser's {@code next} produced. */
public enum H1Event {
    /** Nothing more can be parsed from the bytes given; call again when more arrive. */
    NEED_MORE,
    /** A head was parsed; the parser's head object describes it until the next HEAD. */
    HEAD,
    /** A run of body bytes: see the parser's {@code bodyStart()} / {@code bodyLength()}. */
    BODY,
    /** A chunked message's trailer section: see the parser's {@code trailers()}. */
    TRAILERS,
    /** The message is complete. The parser is ready for the next one. */
    END,
    /** {@code inputClosed()} between messages: a clean end of the connection. */
    CLOSED
}
