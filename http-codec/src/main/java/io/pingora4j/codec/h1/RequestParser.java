package io.pingora4j.codec.h1;

import static io.pingora4j.codec.h1.HttpChars.CR;
import static io.pingora4j.codec.h1.HttpChars.SP;

import java.nio.ByteBuffer;

/**
 * Parses requests as a server receives them from clients (RFC 9112 §3, §6).
 *
 * <p>Beyond the shared rules of {@link H1Parser}: the request line (method token, a target in one
 * of the four forms with the method it belongs to, HTTP/1.0 or 1.1 only), exactly one valid Host
 * in HTTP/1.1, and body framing from Content-Length or chunked — never both, never
 * Transfer-Encoding in HTTP/1.0. A request with neither has no body.
 *
 * <p>Not thread-safe: owned by the event loop that owns the client connection.
 */
public final class RequestParser extends H1Parser {

    private final RequestHead head = new RequestHead();

    public RequestParser() {
        this(H1Limits.DEFAULTS);
    }

    public RequestParser(H1Limits limits) {
        super(limits, false);
    }

    @Override
    public RequestHead head() {
        return head;
    }

    @Override
    void beginMessage() {
        head.resetRequest();
    }

    @Override
    boolean skipsLeadingEmptyLines() {
        return true;
    }

    @Override
    void parseStartLine(ByteBuffer in, int from, int to, int base) {
        int p = HttpChars.skipTokenChars(in, from, to); // at 'to' (the CR) at the latest
        int b = in.get(p) & 0xff;
        if (p == from) {
            throw fail(H1Error.INVALID_REQUEST_LINE);
        }
        if (b != SP) {
            throw fail(p == to ? H1Error.INVALID_REQUEST_LINE : H1Error.INVALID_METHOD);
        }
        int methodLen = p - from;
        head.method = HttpMethod.of(in, from, methodLen);
        head.methodRef = from - base;
        head.methodLen = methodLen;

        int targetStart = ++p;
        p = HttpChars.skipTargetChars(in, p, to);
        while (p < to) {
            int c = in.get(p) & 0xff;
            if (c == SP) {
                break;
            }
            if (!HttpChars.TARGET_CHAR[c]) {
                throw fail(c == CR ? H1Error.BARE_CR : H1Error.INVALID_TARGET);
            }
            p++;
        }
        int targetLen = p - targetStart;
        if (targetLen == 0) {
            throw fail(H1Error.INVALID_REQUEST_LINE);
        }
        if (p == to) {
            // "GET /path" with no version is HTTP/0.9's simple request, which we do not speak
            throw fail(H1Error.UNSUPPORTED_VERSION);
        }
        int versionStart = p + 1;
        for (int q = versionStart; q < to; q++) {
            if (in.get(q) == SP) {
                throw fail(H1Error.INVALID_REQUEST_LINE); // a space inside the target, or after the version
            }
        }
        head.version = parseVersion(in, versionStart, to, H1Error.INVALID_VERSION);
        head.targetRef = targetStart - base;
        head.targetLen = targetLen;
        classifyTarget(in, targetStart, targetLen, base);
    }

    /** RFC 9112 §3.2: which form the target has, and whether the method allows it. */
    private void classifyTarget(ByteBuffer in, int at, int len, int base) {
        int first = in.get(at);
        head.pathRef = at - base;
        head.pathLen = len;
        if (head.method == HttpMethod.CONNECT) {
            if (!isAuthority(in, at, len)) {
                throw fail(H1Error.INVALID_AUTHORITY_FORM);
            }
            head.form = RequestHead.TargetForm.AUTHORITY;
            head.targetAuthorityRef = at - base;
            head.targetAuthorityLen = len;
            return;
        }
        if (first == '/') {
            head.form = RequestHead.TargetForm.ORIGIN;
            return;
        }
        if (first == '*' && len == 1) {
            if (head.method != HttpMethod.OPTIONS) {
                throw fail(H1Error.ASTERISK_FORM_NOT_OPTIONS);
            }
            head.form = RequestHead.TargetForm.ASTERISK;
            return;
        }
        int schemeEnd = schemeEnd(in, at, len);
        if (schemeEnd > 0) {
            int schemeLen = schemeEnd - at;
            boolean http = schemeLen == 4 && HttpChars.equalsLower(in, at, 4, HTTP);
            boolean https = schemeLen == 5 && HttpChars.equalsLower(in, at, 5, HTTPS);
            if (!http && !https) {
                throw fail(H1Error.INVALID_ABSOLUTE_FORM);
            }
            int authStart = schemeEnd + 3;
            int end = at + len;
            int p = authStart;
            while (p < end && in.get(p) != '/' && in.get(p) != '?') {
                if (!HttpChars.HOST_CHAR[in.get(p) & 0xff]) {
                    throw fail(H1Error.INVALID_ABSOLUTE_FORM); // userinfo ('@') included (RFC 9110 §4.2.4)
                }
                p++;
            }
            if (p == authStart) {
                throw fail(H1Error.INVALID_ABSOLUTE_FORM);
            }
            head.form = RequestHead.TargetForm.ABSOLUTE;
            head.targetAuthorityRef = authStart - base;
            head.targetAuthorityLen = p - authStart;
            head.pathRef = p - base;
            head.pathLen = end - p;
            return;
        }
        throw fail(isAuthority(in, at, len) ? H1Error.INVALID_AUTHORITY_FORM : H1Error.INVALID_TARGET);
    }

    /** Index of the ':' of a leading {@code scheme "://"}, or -1. */
    private static int schemeEnd(ByteBuffer in, int at, int len) {
        int end = at + len;
        int p = at;
        if (!isAlpha(in.get(p))) {
            return -1;
        }
        while (p < end) {
            int c = in.get(p);
            if (c == ':') {
                return p + 2 < end && in.get(p + 1) == '/' && in.get(p + 2) == '/' ? p : -1;
            }
            if (!isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.') {
                return -1;
            }
            p++;
        }
        return -1;
    }

    /** host ":" port, as CONNECT needs (RFC 9112 §3.2.3). */
    private static boolean isAuthority(ByteBuffer in, int at, int len) {
        int end = at + len;
        int colon = -1;
        for (int p = at; p < end; p++) {
            int c = in.get(p) & 0xff;
            if (!HttpChars.HOST_CHAR[c]) {
                return false;
            }
            if (c == ':') {
                colon = p;
            }
        }
        if (colon <= at || colon == end - 1) {
            return false;
        }
        for (int p = colon + 1; p < end; p++) {
            if (!isDigit(in.get(p))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlpha(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
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
            case KnownHeader.HOST:
                if (++hostCount > 1) {
                    throw fail(H1Error.DUPLICATE_HOST);
                }
                for (int p = from; p < to; p++) {
                    if (!HttpChars.HOST_CHAR[in.get(p) & 0xff]) {
                        throw fail(H1Error.INVALID_HOST);
                    }
                }
                break;
            case KnownHeader.EXPECT:
                if (HttpChars.equalsLower(in, from, to - from, CONTINUE)) {
                    head.expectContinue = true;
                } else {
                    head.expectOther = true;
                }
                break;
            case KnownHeader.UPGRADE:
                head.upgrade = true;
                break;
            default:
                break;
        }
    }

    @Override
    State completeHead() {
        if (head.version == MessageHead.HTTP_1_1 && hostCount == 0) {
            throw fail(H1Error.MISSING_HOST);
        }
        if (checkTransferCoding()) {
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
        head.framing = BodyFraming.NONE;
        return State.END_PENDING;
    }

    private static final byte[] HTTP = RequestHead.ascii("http");
    private static final byte[] HTTPS = RequestHead.ascii("https");
}
