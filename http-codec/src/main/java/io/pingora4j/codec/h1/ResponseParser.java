package io.pingora4j.codec.h1;

import static io.pingora4j.codec.h1.HttpChars.CR;
import static io.pingora4j.codec.h1.HttpChars.SP;

import java.nio.ByteBuffer;

/**
 * Parses responses as a proxy receives them from origins (RFC 9112 §4, §6.3).
 *
 * <p>The body depends on the request it answers, so tell the parser with
 * {@link #expectResponseTo(HttpMethod)} before each response (GET is assumed otherwise).
 * Interim 1xx responses (100, 103) are delivered as HEAD then END, and the final response
 * follows; 101 and a 2xx to CONNECT turn the rest of the connection into a tunnel (BODY until
 * close). Responses to HEAD, 204 and 304 have no body; a response with neither Content-Length
 * nor chunked coding runs until the origin closes.
 *
 * <p>Framing must be unambiguous here too: both Content-Length and Transfer-Encoding, a coding
 * other than chunked, or Transfer-Encoding in HTTP/1.0 is an upstream error (502), never passed on.
 *
 * <p>Not thread-safe: owned by the event loop that owns the origin connection.
 */
public final class ResponseParser extends H1Parser {

    private final ResponseHead head = new ResponseHead();
    private HttpMethod requestMethod = HttpMethod.GET;

    public ResponseParser() {
        this(H1Limits.DEFAULTS);
    }

    public ResponseParser(H1Limits limits) {
        super(limits, true);
    }

    @Override
    public ResponseHead head() {
        return head;
    }

    /** The method of the request the next response answers. */
    public void expectResponseTo(HttpMethod method) {
        this.requestMethod = method;
    }

    @Override
    void beginMessage() {
        head.resetResponse();
    }

    @Override
    boolean skipsLeadingEmptyLines() {
        return false;
    }

    @Override
    void parseStartLine(ByteBuffer in, int from, int to, int base) {
        // HTTP-version SP 3DIGIT SP [ reason-phrase ]; a missing "SP reason" is tolerated
        if (to - from < 12 || in.get(from + 8) != SP) {
            throw fail(H1Error.INVALID_STATUS_LINE);
        }
        head.version = parseVersion(in, from, from + 8, H1Error.INVALID_STATUS_LINE);
        int d0 = in.get(from + 9) - '0';
        int d1 = in.get(from + 10) - '0';
        int d2 = in.get(from + 11) - '0';
        if (d0 < 1 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) {
            throw fail(H1Error.INVALID_STATUS_LINE);
        }
        head.status = d0 * 100 + d1 * 10 + d2;
        int p = from + 12;
        if (p == to) {
            head.reasonRef = p - base;
            head.reasonLen = 0;
            return;
        }
        if (in.get(p) != SP) {
            throw fail(H1Error.INVALID_STATUS_LINE);
        }
        p++;
        head.reasonRef = p - base;
        head.reasonLen = to - p;
        for (; p < to; p++) {
            int c = in.get(p) & 0xff;
            if (!HttpChars.FIELD_CHAR[c]) {
                throw fail(c == CR ? H1Error.BARE_CR : H1Error.INVALID_STATUS_LINE);
            }
        }
    }

    @Override
    void onKnownField(int kind, ByteBuffer in, int from, int to) {
        switch (kind) {
            case KnownHeader.CONTENT_LENGTH:
                onContentLength(in, from, to);
                break;
            case KnownHeader.TRANSFER_ENCODING:
                onTransferEncoding(in, from, to);
                break;
            case KnownHeader.CONNECTION:
                onConnection(in, from, to);
                break;
            default:
                break;
        }
    }

    @Override
    State completeHead() {
        boolean chunked = checkTransferCoding(); // ambiguous framing is refused whatever the status
        int status = head.status;
        if (status < 200) {
            if (status == 101) {
                head.framing = BodyFraming.TUNNEL;
                return State.TUNNEL;
            }
            head.framing = BodyFraming.NONE;
            return State.END_PENDING;
        }
        if (requestMethod == HttpMethod.HEAD || status == 204 || status == 304) {
            head.framing = BodyFraming.NONE;
            return State.END_PENDING;
        }
        if (requestMethod == HttpMethod.CONNECT && status < 300) {
            head.framing = BodyFraming.TUNNEL;
            return State.TUNNEL;
        }
        if (chunked) {
            head.framing = BodyFraming.CHUNKED;
            return State.CHUNK_SIZE_FIRST;
        }
        if (head.contentLength >= 0) {
            if (head.contentLength > limits.maxBodySize()) {
                throw fail(H1Error.BODY_TOO_LARGE);
            }
            head.framing = BodyFraming.CONTENT_LENGTH;
            return State.FIXED_BODY;
        }
        head.framing = BodyFraming.UNTIL_CLOSE;
        return State.UNTIL_CLOSE;
    }
}
