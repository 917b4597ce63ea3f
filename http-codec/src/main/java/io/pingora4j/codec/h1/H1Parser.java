package io.pingora4j.codec.h1;

import static io.pingora4j.codec.h1.HttpChars.CR;
import static io.pingora4j.codec.h1.HttpChars.HTAB;
import static io.pingora4j.codec.h1.HttpChars.LF;
import static io.pingora4j.codec.h1.HttpChars.SP;

import java.nio.ByteBuffer;

/**
 * The incremental HTTP/1.x message parser shared by {@link RequestParser} and {@link ResponseParser}.
 *
 * <h2>Contract</h2>
 * Call {@link #next(ByteBuffer)} with the bytes received so far, from the buffer's position to
 * its limit. Each call returns one {@link H1Event}:
 * <ul>
 *   <li>{@code HEAD}: the head was parsed and its bytes consumed; the slices in {@link #head()} point
 *       into the buffer where those bytes were (see {@link MessageHead#detach()}).</li>
 *   <li>{@code BODY}: the bytes {@code [bodyStart(), bodyStart()+bodyLength())} of the buffer are body,
 *       and were consumed.</li>
 *   <li>{@code TRAILERS}: see {@link #trailers()}; {@code END}: the message is complete.</li>
 *   <li>{@code NEED_MORE}: give the same unconsumed bytes again, with more after them. The caller may
 *       move them (compact the buffer) in between; the parser keeps offsets relative to them and
 *       never scans a byte twice looking for a line end, so one byte at a time costs linear time.</li>
 * </ul>
 * Per message the events are HEAD, BODY*, TRAILERS?, END. Pipelined messages follow one another
 * in the same buffer. {@link #inputClosed()} tells the parser the peer closed.
 *
 * <p>Bad input throws {@link HttpParseException}; the parser then refuses further input, since a
 * connection that carried a malformed message must be closed (RFC 9112 §11.2).
 *
 * <p>Not thread-safe: owned by the event loop that owns the connection. Steady-state parsing
 * allocates nothing: heads, field arrays and scratch storage are reused.
 */
public abstract sealed class H1Parser permits RequestParser, ResponseParser {

    enum State {
        IDLE, HEAD, END_PENDING, FIXED_BODY,
        CHUNK_SIZE_FIRST, CHUNK_SIZE, CHUNK_SIZE_BWS, CHUNK_EXT_NAME_BWS, CHUNK_EXT_NAME, CHUNK_EXT_AFTER_NAME,
        CHUNK_EXT_VALUE_BWS, CHUNK_EXT_TOKEN_VALUE, CHUNK_EXT_QUOTED, CHUNK_EXT_QUOTED_PAIR,
        CHUNK_EXT_QUOTE_END, CHUNK_EXT_AFTER_VALUE, CHUNK_SIZE_LF, CHUNK_DATA, CHUNK_DATA_CR, CHUNK_DATA_LF, TRAILERS,
        UNTIL_CLOSE, TUNNEL, FAILED
    }

    final H1Limits limits;
    final boolean upstream;
    State state = State.IDLE;
    private HttpParseException failure;

    // line scanning, shared by the head and the trailer section; offsets from the section start
    private int lineStartRel;
    private int scanRel;
    private int fieldBytes;
    private boolean startLineDone;
    private int skippedEmptyLines;

    // per-message framing facts gathered from fields
    int teCount;
    boolean teUnsupported;
    int hostCount;

    // body
    private long remaining;
    private long bodyReceived;
    private int chunkLineBytes;
    private int bodyStart;
    private int bodyLength;
    private final HeaderBlock trailers = new HeaderBlock();

    H1Parser(H1Limits limits, boolean upstream) {
        this.limits = limits;
        this.upstream = upstream;
    }

    /** The head of the current message, valid from HEAD until the next message's HEAD. */
    public abstract MessageHead head();

    /** Index in the buffer of the body bytes the last {@code BODY} event delivered. */
    public int bodyStart() {
        return bodyStart;
    }

    /** Length of the body bytes the last {@code BODY} event delivered. */
    public int bodyLength() {
        return bodyLength;
    }

    /** The trailer fields of the last {@code TRAILERS} event (slices of the buffer, like a head's). */
    public HeaderBlock trailers() {
        return trailers;
    }

    /**
     * True when the body just delivered completed the message by its framing (a Content-Length body
     * fully read): the next event is END, whatever bytes follow.
     */
    public boolean bodyComplete() {
        return state == State.END_PENDING;
    }

    /** True between messages: nothing of a next message has been seen yet. */
    public boolean idle() {
        return state == State.IDLE || (state == State.HEAD && !startLineDone && scanRel == 0);
    }

    /**
     * From now on every byte is opaque tunnel data (BODY events until {@link #inputClosed()}):
     * for a request after the origin accepted CONNECT or answered 101.
     */
    public void switchToTunnel() {
        checkNotFailed();
        state = State.TUNNEL;
    }

    /** Forgets all state, to reuse this parser for a new connection. */
    public void reset() {
        state = State.IDLE;
        failure = null;
        resetLines();
        skippedEmptyLines = 0;
    }

    /**
     * The peer closed its side. Returns END if that completes the message (a close-delimited body
     * or a tunnel), CLOSED if no message was in progress.
     *
     * @throws HttpParseException {@link H1Error#PREMATURE_CLOSE} if a message was cut short
     */
    public H1Event inputClosed() {
        checkNotFailed();
        switch (state) {
            case UNTIL_CLOSE:
            case TUNNEL:
                state = State.IDLE;
                return H1Event.END;
            case END_PENDING:
                state = State.IDLE;
                return H1Event.END;
            case IDLE:
                return H1Event.CLOSED;
            case HEAD:
                if (!startLineDone && scanRel == 0) {
                    return H1Event.CLOSED;
                }
                throw fail(H1Error.PREMATURE_CLOSE);
            default:
                throw fail(H1Error.PREMATURE_CLOSE);
        }
    }

    /** Parses what it can of {@code in[position, limit)}; see the class comment. */
    public final H1Event next(ByteBuffer in) {
        switch (state) {
            case FAILED:
                throw failure;
            case IDLE:
                if (!in.hasRemaining()) {
                    return H1Event.NEED_MORE;
                }
                beginMessage();
                state = State.HEAD;
                // fall through
            case HEAD:
                return parseHead(in);
            case END_PENDING:
                state = State.IDLE;
                return H1Event.END;
            case FIXED_BODY:
                return fixedBody(in);
            case UNTIL_CLOSE:
            case TUNNEL:
                return rawBody(in);
            case CHUNK_DATA:
                return chunkData(in);
            case TRAILERS:
                return parseTrailers(in);
            default:
                return chunkFraming(in);
        }
    }

    // ------------------------------------------------------------------ heads

    /** Resets the head before a new message. */
    abstract void beginMessage();

    /** Parses the start line {@code in[from, to)} (without CRLF); offsets are taken from {@code base}. */
    abstract void parseStartLine(ByteBuffer in, int from, int to, int base);

    /** Accept empty lines before the start line (servers should, RFC 9112 §2.2). */
    abstract boolean skipsLeadingEmptyLines();

    /** Checks the parsed head as a whole and decides framing; returns the state after HEAD. */
    abstract State completeHead();

    /** A known field was appended to the head: record what framing needs. */
    abstract void onKnownField(int kind, ByteBuffer in, int valueFrom, int valueTo);

    private H1Event parseHead(ByteBuffer in) {
        int start = in.position();
        int limit = in.limit();
        MessageHead head = head();
        for (;;) {
            int lineStart = start + lineStartRel;
            if (startLineDone && scanRel == lineStartRel) {
                int fast = fieldLineInOnePass(in, lineStart, limit, start, head.headers);
                if (fast > 0) {
                    lineStartRel = fast + 1 - start;
                    scanRel = lineStartRel;
                    continue;
                }
            }
            int lf = HttpChars.findLf(in, start + scanRel, limit);
            if (lf < 0) {
                scanRel = limit - start;
                int pending = limit - lineStart;
                if (!startLineDone) {
                    if (pending > limits.maxInitialLine() + 1) {
                        throw fail(upstream ? H1Error.STATUS_LINE_TOO_LONG : H1Error.REQUEST_LINE_TOO_LONG);
                    }
                } else if (pending > 1 && fieldBytes + pending > limits.maxHeaderSection()) {
                    // a partial line of one byte may be the CR of the blank line, which is not counted
                    throw fail(H1Error.HEADER_SECTION_TOO_LARGE);
                }
                return H1Event.NEED_MORE;
            }
            scanRel = lf + 1 - start;
            if (lf == lineStart || in.get(lf - 1) != CR) {
                throw fail(H1Error.BARE_LF);
            }
            int end = lf - 1;
            if (!startLineDone) {
                if (end == lineStart && skipsLeadingEmptyLines()) {
                    // an empty line before the request line is dropped at once (RFC 9112 §2.2)
                    if (++skippedEmptyLines > limits.maxInitialLine() / 2) {
                        throw fail(H1Error.REQUEST_LINE_TOO_LONG);
                    }
                    in.position(lf + 1);
                    start = lf + 1;
                    lineStartRel = 0;
                    scanRel = 0;
                    continue;
                }
                if (end - lineStart > limits.maxInitialLine()) {
                    throw fail(upstream ? H1Error.STATUS_LINE_TOO_LONG : H1Error.REQUEST_LINE_TOO_LONG);
                }
                parseStartLine(in, lineStart, end, start);
                startLineDone = true;
            } else if (end == lineStart) {
                int length = lf + 1 - start;
                head.headers.bind(in, start, length);
                head.headLength = length;
                in.position(lf + 1);
                State after = completeHead();
                resetLines();
                skippedEmptyLines = 0;
                enterBody(after);
                return H1Event.HEAD;
            } else {
                fieldBytes += lf + 1 - lineStart;
                if (fieldBytes > limits.maxHeaderSection()) {
                    throw fail(H1Error.HEADER_SECTION_TOO_LARGE);
                }
                if (head.headers.size() >= limits.maxHeaderCount()) {
                    throw fail(H1Error.TOO_MANY_HEADERS);
                }
                parseFieldLine(in, lineStart, end, start, head.headers, false);
            }
            lineStartRel = lf + 1 - start;
        }
    }

    /**
     * The common field line in one pass, with no separate search for its LF: a token, ':', optional
     * whitespace, field characters, CR LF, all within {@code [p, limit)}. Returns the LF's index with
     * the field recorded, or -1 to leave the line to the careful path (find the LF, then
     * {@link #parseFieldLine}): an incomplete line, the blank line, or anything out of the ordinary,
     * which that path reports exactly. Tried once per line, so every byte is still read a bounded
     * number of times however the input is split.
     */
    private int fieldLineInOnePass(ByteBuffer in, int p, int limit, int base, HeaderBlock block) {
        int nameEnd = HttpChars.skipTokenChars(in, p, limit);
        if (nameEnd == p || nameEnd >= limit || in.get(nameEnd) != ':') {
            return -1;
        }
        int q = nameEnd + 1;
        while (q < limit && HttpChars.isWhitespace(in.get(q))) {
            q++;
        }
        int valueStart = q;
        for (;;) {
            q = HttpChars.skipFieldChars(in, q, limit);
            if (q >= limit) {
                return -1;
            }
            if (!HttpChars.FIELD_CHAR[in.get(q) & 0xff]) {
                break;
            }
            q++;
        }
        if (q + 1 >= limit || in.get(q) != CR || in.get(q + 1) != LF) {
            return -1;
        }
        int lineBytes = q + 2 - p;
        if (fieldBytes + lineBytes > limits.maxHeaderSection() || block.size() >= limits.maxHeaderCount()) {
            return -1; // the careful path refuses it with the right error
        }
        fieldBytes += lineBytes;
        int valueEnd = q;
        while (valueEnd > valueStart && HttpChars.isWhitespace(in.get(valueEnd - 1))) {
            valueEnd--;
        }
        int nameLen = nameEnd - p;
        int kind = KnownHeader.classify(in, p, nameLen);
        block.appendParsed(p - base, nameLen, valueStart - base, valueEnd - valueStart, kind);
        if (kind != KnownHeader.NONE) {
            onKnownField(kind, in, valueStart, valueEnd);
        }
        return q + 1;
    }

    /** One "name: value" line {@code in[p, end)}, end being the CR (RFC 9112 §5, RFC 9110 §5.5). */
    private void parseFieldLine(ByteBuffer in, int p, int end, int base, HeaderBlock block, boolean trailer) {
        int b = in.get(p) & 0xff;
        if (b == SP || b == HTAB) {
            throw fail(H1Error.OBS_FOLD);
        }
        int nameStart = p;
        p = HttpChars.skipTokenChars(in, p, end); // at 'end' (the CR) at the latest
        b = in.get(p) & 0xff;
        if (b != ':') {
            throw fail(nameError(in, p, end));
        }
        if (p == nameStart) {
            throw fail(H1Error.EMPTY_HEADER_NAME);
        }
        int nameLen = p - nameStart;
        p++;
        while (p < end && HttpChars.isWhitespace(in.get(p))) {
            p++;
        }
        int valueStart = p;
        p = HttpChars.skipFieldChars(in, p, end);
        for (; p < end; p++) {
            int c = in.get(p) & 0xff;
            if (!HttpChars.FIELD_CHAR[c]) {
                throw fail(c == CR ? H1Error.BARE_CR : H1Error.INVALID_HEADER_VALUE);
            }
        }
        int valueEnd = end;
        while (valueEnd > valueStart && HttpChars.isWhitespace(in.get(valueEnd - 1))) {
            valueEnd--;
        }
        int kind = KnownHeader.classify(in, nameStart, nameLen);
        block.appendParsed(nameStart - base, nameLen, valueStart - base, valueEnd - valueStart, kind);
        if (kind != KnownHeader.NONE) {
            if (trailer) {
                if (kind == KnownHeader.CONTENT_LENGTH || kind == KnownHeader.TRANSFER_ENCODING
                        || kind == KnownHeader.HOST) {
                    throw fail(H1Error.FORBIDDEN_TRAILER);
                }
            } else {
                onKnownField(kind, in, valueStart, valueEnd);
            }
        }
    }

    /** Why a field name ended somewhere other than at a colon. */
    private static H1Error nameError(ByteBuffer in, int p, int end) {
        if (p == end) {
            return H1Error.MISSING_COLON;
        }
        int b = in.get(p);
        if (b == SP || b == HTAB) {
            int q = p;
            while (q < end && HttpChars.isWhitespace(in.get(q))) {
                q++;
            }
            if (q < end && in.get(q) == ':') {
                return H1Error.WHITESPACE_BEFORE_COLON;
            }
        }
        for (int q = p; q < end; q++) {
            if (in.get(q) == ':') {
                return H1Error.INVALID_HEADER_NAME;
            }
        }
        return b == CR ? H1Error.BARE_CR : H1Error.MISSING_COLON;
    }

    // ------------------------------------------------------------------ framing facts, shared

    /** Content-Length: 1*DIGIT, or a list of identical values (RFC 9110 §8.6). */
    final void onContentLength(ByteBuffer in, int p, int end) {
        long value = -1;
        for (;;) {
            if (p == end || !isDigit(in.get(p))) {
                throw fail(H1Error.INVALID_CONTENT_LENGTH);
            }
            long n = 0;
            while (p < end && isDigit(in.get(p))) {
                int d = in.get(p) - '0';
                if (n > (Long.MAX_VALUE - d) / 10) {
                    throw fail(H1Error.INVALID_CONTENT_LENGTH);
                }
                n = n * 10 + d;
                p++;
            }
            if (value >= 0 && n != value) {
                throw fail(H1Error.CONFLICTING_CONTENT_LENGTH);
            }
            value = n;
            while (p < end && HttpChars.isWhitespace(in.get(p))) {
                p++;
            }
            if (p == end) {
                break;
            }
            if (in.get(p) != ',') {
                throw fail(H1Error.INVALID_CONTENT_LENGTH);
            }
            p++;
            while (p < end && HttpChars.isWhitespace(in.get(p))) {
                p++;
            }
        }
        MessageHead head = head();
        if (head.contentLength >= 0 && head.contentLength != value) {
            throw fail(H1Error.CONFLICTING_CONTENT_LENGTH);
        }
        head.contentLength = value;
    }

    /** Transfer-Encoding: we accept exactly "chunked" (RFC 9112 §6.1; as nginx, anything else is 501). */
    final void onTransferEncoding(ByteBuffer in, int from, int to) {
        teCount++;
        if (!HttpChars.equalsLower(in, from, to - from, CHUNKED)) {
            teUnsupported = true;
        }
    }

    /** Connection options: close, keep-alive, upgrade (RFC 9110 §7.6.1). */
    final void onConnection(ByteBuffer in, int p, int end) {
        MessageHead head = head();
        while (p < end) {
            while (p < end && (in.get(p) == ',' || HttpChars.isWhitespace(in.get(p)))) {
                p++;
            }
            int s = p;
            while (p < end && in.get(p) != ',') {
                p++;
            }
            int e = p;
            while (e > s && HttpChars.isWhitespace(in.get(e - 1))) {
                e--;
            }
            int len = e - s;
            if (HttpChars.equalsLower(in, s, len, CLOSE)) {
                head.connectionClose = true;
            } else if (HttpChars.equalsLower(in, s, len, KEEP_ALIVE)) {
                head.connectionKeepAlive = true;
            } else if (HttpChars.equalsLower(in, s, len, UPGRADE)) {
                head.connectionUpgrade = true;
            }
        }
    }

    /** The framing rules both directions share once the head is complete; returns true if chunked. */
    final boolean checkTransferCoding() {
        MessageHead head = head();
        if (teCount == 0) {
            return false;
        }
        if (head.version == MessageHead.HTTP_1_0) {
            throw fail(H1Error.TRANSFER_ENCODING_IN_HTTP10);
        }
        if (head.contentLength >= 0) {
            throw fail(H1Error.CONTENT_LENGTH_WITH_TRANSFER_ENCODING);
        }
        if (teCount > 1 || teUnsupported) {
            throw fail(H1Error.UNSUPPORTED_TRANSFER_ENCODING);
        }
        return true;
    }

    /** Parses "HTTP/" DIGIT "." DIGIT at {@code in[p, p+8)}; returns 10 or 11. */
    final int parseVersion(ByteBuffer in, int p, int end, H1Error malformed) {
        if (end - p != 8 || in.get(p) != 'H' || in.get(p + 1) != 'T' || in.get(p + 2) != 'T'
                || in.get(p + 3) != 'P' || in.get(p + 4) != '/' || !isDigit(in.get(p + 5))
                || in.get(p + 6) != '.' || !isDigit(in.get(p + 7))) {
            throw fail(malformed);
        }
        int major = in.get(p + 5) - '0';
        int minor = in.get(p + 7) - '0';
        if (major != 1 || minor > 1) {
            throw fail(H1Error.UNSUPPORTED_VERSION);
        }
        return minor == 1 ? MessageHead.HTTP_1_1 : MessageHead.HTTP_1_0;
    }

    static boolean isDigit(int b) {
        return b >= '0' && b <= '9';
    }

    final HttpParseException fail(H1Error error) {
        failure = new HttpParseException(error, upstream);
        state = State.FAILED;
        return failure;
    }

    private void checkNotFailed() {
        if (state == State.FAILED) {
            throw failure;
        }
    }

    private void resetLines() {
        lineStartRel = 0;
        scanRel = 0;
        fieldBytes = 0;
        startLineDone = false;
        teCount = 0;
        teUnsupported = false;
        hostCount = 0;
    }

    // ------------------------------------------------------------------ bodies

    private void enterBody(State after) {
        bodyReceived = 0;
        if (after == State.FIXED_BODY) {
            remaining = head().contentLength;
            state = remaining == 0 ? State.END_PENDING : State.FIXED_BODY;
        } else if (after == State.CHUNK_SIZE_FIRST) {
            chunkLineBytes = 0;
            state = State.CHUNK_SIZE_FIRST;
        } else {
            state = after;
        }
    }

    private H1Event fixedBody(ByteBuffer in) {
        int n = (int) Math.min(remaining, in.remaining());
        if (n == 0) {
            return H1Event.NEED_MORE;
        }
        deliver(in, n);
        remaining -= n;
        if (remaining == 0) {
            state = State.END_PENDING;
        }
        return H1Event.BODY;
    }

    private H1Event rawBody(ByteBuffer in) {
        int n = in.remaining();
        if (n == 0) {
            return H1Event.NEED_MORE;
        }
        if (state == State.UNTIL_CLOSE) {
            // a close-delimited body is a body like any other; a tunnel is not a body
            bodyReceived += n;
            if (bodyReceived > limits.maxBodySize()) {
                throw fail(H1Error.BODY_TOO_LARGE);
            }
        }
        deliver(in, n);
        return H1Event.BODY;
    }

    private H1Event chunkData(ByteBuffer in) {
        int n = (int) Math.min(remaining, in.remaining());
        if (n == 0) {
            return H1Event.NEED_MORE;
        }
        deliver(in, n);
        remaining -= n;
        if (remaining == 0) {
            state = State.CHUNK_DATA_CR;
        }
        return H1Event.BODY;
    }

    private void deliver(ByteBuffer in, int n) {
        bodyStart = in.position();
        bodyLength = n;
        in.position(bodyStart + n);
    }

    /**
     * The chunk-size line and the CRLF after chunk data, a byte at a time, consuming as it goes
     * (RFC 9112 §7.1):
     * {@code chunk-size [ *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] ) ] CRLF}.
     */
    private H1Event chunkFraming(ByteBuffer in) {
        int p = in.position();
        int limit = in.limit();
        State s = state;
        try {
            while (p < limit) {
                int b = in.get(p) & 0xff;
                p++;
                if (s == State.CHUNK_DATA_CR) {
                    if (b != CR) {
                        throw fail(H1Error.MISSING_CHUNK_DATA_CRLF);
                    }
                    s = State.CHUNK_DATA_LF;
                    continue;
                }
                if (s == State.CHUNK_DATA_LF) {
                    if (b != LF) {
                        throw fail(H1Error.MISSING_CHUNK_DATA_CRLF);
                    }
                    s = State.CHUNK_SIZE_FIRST;
                    chunkLineBytes = 0;
                    continue;
                }
                if (++chunkLineBytes > limits.maxChunkLine()) {
                    throw fail(H1Error.CHUNK_LINE_TOO_LONG);
                }
                switch (s) {
                    case CHUNK_SIZE_FIRST: {
                        int d = HttpChars.HEX[b];
                        if (d < 0) {
                            throw fail(H1Error.MISSING_CHUNK_SIZE);
                        }
                        remaining = d;
                        s = State.CHUNK_SIZE;
                        break;
                    }
                    case CHUNK_SIZE: {
                        int d = HttpChars.HEX[b];
                        if (d >= 0) {
                            if (remaining > (Long.MAX_VALUE >>> 4)) {
                                throw fail(H1Error.CHUNK_SIZE_OVERFLOW);
                            }
                            remaining = (remaining << 4) | d;
                        } else if (b == CR) {
                            s = State.CHUNK_SIZE_LF;
                        } else if (b == ';') {
                            s = State.CHUNK_EXT_NAME_BWS;
                        } else if (b == SP || b == HTAB) {
                            s = State.CHUNK_SIZE_BWS;
                        } else if (b == LF) {
                            throw fail(H1Error.BARE_LF);
                        } else {
                            throw fail(H1Error.INVALID_CHUNK_SIZE);
                        }
                        break;
                    }
                    case CHUNK_SIZE_BWS:
                        if (b == ';') {
                            s = State.CHUNK_EXT_NAME_BWS;
                        } else if (b != SP && b != HTAB) {
                            throw fail(H1Error.INVALID_CHUNK_SIZE);
                        }
                        break;
                    case CHUNK_EXT_NAME_BWS:
                        if (HttpChars.TCHAR[b]) {
                            s = State.CHUNK_EXT_NAME;
                        } else if (b != SP && b != HTAB) {
                            throw fail(H1Error.INVALID_CHUNK_EXTENSION);
                        }
                        break;
                    case CHUNK_EXT_NAME:
                        if (b == CR) {
                            s = State.CHUNK_SIZE_LF;
                        } else if (b == '=') {
                            s = State.CHUNK_EXT_VALUE_BWS;
                        } else if (b == ';') {
                            s = State.CHUNK_EXT_NAME_BWS;
                        } else if (b == SP || b == HTAB) {
                            s = State.CHUNK_EXT_AFTER_NAME;
                        } else if (!HttpChars.TCHAR[b]) {
                            throw fail(H1Error.INVALID_CHUNK_EXTENSION);
                        }
                        break;
                    case CHUNK_EXT_AFTER_NAME:
                        if (b == '=') {
                            s = State.CHUNK_EXT_VALUE_BWS;
                        } else if (b == ';') {
                            s = State.CHUNK_EXT_NAME_BWS;
                        } else if (b != SP && b != HTAB) {
                            throw fail(H1Error.INVALID_CHUNK_EXTENSION);
                        }
                        break;
                    case CHUNK_EXT_VALUE_BWS:
                        if (b == '"') {
                            s = State.CHUNK_EXT_QUOTED;
                        } else if (HttpChars.TCHAR[b]) {
                            s = State.CHUNK_EXT_TOKEN_VALUE;
                        } else if (b != SP && b != HTAB) {
                            throw fail(H1Error.INVALID_CHUNK_EXTENSION);
                        }
                        break;
                    case CHUNK_EXT_TOKEN_VALUE:
                        if (b == CR) {
                            s = State.CHUNK_SIZE_LF;
                        } else if (b == ';') {
                            s = State.CHUNK_EXT_NAME_BWS;
                        } else if (b == SP || b == HTAB) {
                            s = State.CHUNK_EXT_AFTER_VALUE;
                        } else if (!HttpChars.TCHAR[b]) {
                            throw fail(H1Error.INVALID_CHUNK_EXTENSION);
                        }
                        break;
                    case CHUNK_EXT_QUOTED:
                        if (b == '"') {
                            s = State.CHUNK_EXT_QUOTE_END;
                        } else if (b == '\\') {
                            s = State.CHUNK_EXT_QUOTED_PAIR;
                        } else if (!HttpChars.QDTEXT[b]) {
                            throw fail(H1Error.INVALID_CHUNK_EXTENSION); // CR, LF, controls inside quotes
                        }
                        break;
                    case CHUNK_EXT_QUOTED_PAIR:
                        if (b != HTAB && b != SP && (b < 0x21 || b == 0x7f)) {
                            throw fail(H1Error.INVALID_CHUNK_EXTENSION);
                        }
                        s = State.CHUNK_EXT_QUOTED;
                        break;
                    case CHUNK_EXT_QUOTE_END:
                        if (b == CR) {
                            s = State.CHUNK_SIZE_LF;
                        } else if (b == ';') {
                            s = State.CHUNK_EXT_NAME_BWS;
                        } else if (b == SP || b == HTAB) {
                            s = State.CHUNK_EXT_AFTER_VALUE;
                        } else {
                            throw fail(H1Error.INVALID_CHUNK_EXTENSION);
                        }
                        break;
                    case CHUNK_EXT_AFTER_VALUE:
                        // only BWS before another ';' may follow: no whitespace before the CRLF
                        if (b == ';') {
                            s = State.CHUNK_EXT_NAME_BWS;
                        } else if (b != SP && b != HTAB) {
                            throw fail(H1Error.INVALID_CHUNK_EXTENSION);
                        }
                        break;
                    case CHUNK_SIZE_LF:
                        if (b != LF) {
                            throw fail(H1Error.BARE_CR);
                        }
                        if (remaining == 0) {
                            in.position(p);
                            state = State.TRAILERS;
                            return parseTrailers(in);
                        }
                        bodyReceived += remaining;
                        if (bodyReceived > limits.maxBodySize() || bodyReceived < 0) {
                            throw fail(H1Error.BODY_TOO_LARGE);
                        }
                        in.position(p);
                        state = State.CHUNK_DATA;
                        return chunkData(in);
                    default:
                        throw new IllegalStateException(s.name());
                }
            }
            in.position(p);
            state = s;
            return H1Event.NEED_MORE;
        } catch (HttpParseException e) {
            in.position(p);
            throw e;
        }
    }

    /** The trailer section after the last chunk: field lines, then an empty line (RFC 9112 §7.1.2). */
    private H1Event parseTrailers(ByteBuffer in) {
        int start = in.position();
        int limit = in.limit();
        if (lineStartRel == 0 && scanRel == 0) {
            trailers.reset();
        }
        for (;;) {
            int lineStart = start + lineStartRel;
            int lf = HttpChars.findLf(in, start + scanRel, limit);
            if (lf < 0) {
                scanRel = limit - start;
                int pending = limit - lineStart;
                if (pending > 1 && fieldBytes + pending > limits.maxHeaderSection()) {
                    throw fail(H1Error.HEADER_SECTION_TOO_LARGE);
                }
                return H1Event.NEED_MORE;
            }
            scanRel = lf + 1 - start;
            if (lf == lineStart || in.get(lf - 1) != CR) {
                throw fail(H1Error.BARE_LF);
            }
            int end = lf - 1;
            if (end == lineStart) {
                in.position(lf + 1);
                boolean any = trailers.size() > 0;
                trailers.bind(in, start, lf + 1 - start);
                resetLines();
                state = State.END_PENDING;
                return any ? H1Event.TRAILERS : next(in);
            }
            fieldBytes += lf + 1 - lineStart;
            if (fieldBytes > limits.maxHeaderSection()) {
                throw fail(H1Error.HEADER_SECTION_TOO_LARGE);
            }
            if (trailers.size() >= limits.maxHeaderCount()) {
                throw fail(H1Error.TOO_MANY_HEADERS);
            }
            parseFieldLine(in, lineStart, end, start, trailers, true);
            lineStartRel = lf + 1 - start;
        }
    }

    static final byte[] CHUNKED = RequestHead.ascii("chunked");
    static final byte[] CLOSE = RequestHead.ascii("close");
    static final byte[] KEEP_ALIVE = RequestHead.ascii("keep-alive");
    static final byte[] UPGRADE = RequestHead.ascii("upgrade");
    static final byte[] CONTINUE = RequestHead.ascii("100-continue");
}
