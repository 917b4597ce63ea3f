package io.pingora4j.codec.h2;

import io.pingora4j.codec.h1.H1Event;
import io.pingora4j.codec.h1.H1Limits;
import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.HttpMethod;
import io.pingora4j.codec.h1.HttpParseException;
import io.pingora4j.codec.h1.KnownHeader;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.RequestParser;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.codec.h1.ResponseParser;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The strict HTTP/2 to HTTP/1.1 downgrade of one header block, fed field by field by the HPACK
 * decoder: the h2 rules are checked here (RFC 9113 §8.2, §8.3), and the fields are laid out as
 * the text of an HTTP/1.1 head, which the h1 parser then reads. So a head from an h2 stream is an
 * ordinary h1 {@link RequestHead} (or {@link ResponseHead}), passed by every rule the h1 parser
 * enforces, with its fields as zero-copy slices of this class's text buffer; filters cannot tell
 * it from one that came over HTTP/1.1.
 *
 * <p>The layout: the request line from the pseudo-headers (CONNECT: the authority as target),
 * {@code host} from {@code :authority}, the regular fields in order, the {@code cookie} crumbs
 * joined with "; " (§8.2.3), and for a request that has a body but no content-length a
 * {@code transfer-encoding: chunked} line, which makes the parser decide chunked framing and is
 * removed again from the parsed head: the head says "a body of unknown length follows", the way
 * an h1 engine already forwards one.
 *
 * <p>The first rule a block breaks is remembered, and the rest of the block is only decoded (the
 * HPACK table must stay in step), then refused as a stream error.
 *
 * <p>Not thread-safe: one per connection. Allocates nothing once its buffers have grown.
 */
final class HeadDowngrade implements HpackDecoder.FieldSink {

    enum Kind { REQUEST, RESPONSE, TRAILERS, DISCARD }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final boolean[] NAME_CHAR = new boolean[256];
    private static final boolean[] VALUE_CHAR = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) NAME_CHAR[c] = true;
        for (int c = 'a'; c <= 'z'; c++) NAME_CHAR[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) NAME_CHAR[c] = true;
        for (int c = 0x21; c <= 0x7e; c++) VALUE_CHAR[c] = true;
        for (int c = 0x80; c <= 0xff; c++) VALUE_CHAR[c] = true;
        VALUE_CHAR[' '] = true;
        VALUE_CHAR['\t'] = true;
    }

    private static final byte[] HTTP_1_1 = ascii(" HTTP/1.1\r\n");
    private static final byte[] STATUS_PREFIX = ascii("HTTP/1.1 ");
    private static final byte[] HOST = ascii("host: ");
    private static final byte[] COOKIE = ascii("cookie: ");
    private static final byte[] CHUNKED = ascii("transfer-encoding: chunked\r\n");
    private static final byte[] CRLF = ascii("\r\n");

    // pseudo-header slots
    private static final int METHOD = 0;
    private static final int SCHEME = 1;
    private static final int AUTHORITY = 2;
    private static final int PATH = 3;
    private static final int STATUS = 4;

    private final RequestParser requestParser;
    private final ResponseParser responseParser;
    private final HeaderBlock trailers = new HeaderBlock();
    private final ByteChars nameChars = new ByteChars();
    private final ByteChars valueChars = new ByteChars();

    private Kind kind = Kind.DISCARD;
    private H2Error error;

    private byte[] pseudo = new byte[256];
    private int pseudoLength;
    private final int[] pseudoAt = new int[5];
    private final int[] pseudoLen = new int[5];
    private boolean regularSeen;
    private boolean startWritten;
    private boolean hostSeen;
    private boolean contentLengthSeen;
    private H2Error startError;

    private byte[] text = new byte[1024];
    private ByteBuffer textBuffer = ByteBuffer.wrap(text);
    private int textLength;
    private byte[] cookie = new byte[128];
    private int cookieLength;
    private int cookieCount;

    HeadDowngrade(int maxHeaderListSize) {
        // a downgraded head is never larger than the HPACK list it came from (32 bytes a field
        // there, 4 here), but for the lines this class adds
        int section = maxHeaderListSize + 256;
        H1Limits limits = new H1Limits(maxHeaderListSize + 64, section, maxHeaderListSize / 32 + 4,
                H1Limits.DEFAULT_MAX_CHUNK_LINE, H1Limits.UNLIMITED_BODY);
        this.requestParser = new RequestParser(limits);
        this.responseParser = new ResponseParser(limits);
    }

    /** Starts a block of this kind. */
    void begin(Kind k) {
        kind = k;
        error = null;
        pseudoLength = 0;
        Arrays.fill(pseudoAt, -1);
        regularSeen = false;
        startWritten = false;
        hostSeen = false;
        contentLengthSeen = false;
        startError = null;
        textLength = 0;
        cookieLength = 0;
        cookieCount = 0;
        if (k == Kind.TRAILERS) {
            trailers.reset();
        }
    }

    Kind kind() {
        return kind;
    }

    /** The first rule the block broke so far, or null. */
    H2Error error() {
        return error;
    }

    /** Marks the block refused (a rule the connection found, e.g. the stream's state); fields are ignored. */
    void refuse(H2Error e) {
        if (error == null) {
            error = e;
        }
    }

    @Override
    public void onField(byte[] n, int nameAt, int nameLength, byte[] v, int valueAt, int valueLength,
                        boolean neverIndexed) {
        if (kind == Kind.DISCARD || error != null) {
            return;
        }
        if (nameLength == 0) {
            error = H2Error.EMPTY_HEADER_NAME;
            return;
        }
        if (!checkValue(v, valueAt, valueLength)) {
            return;
        }
        if (n[nameAt] == ':') {
            pseudoField(n, nameAt, nameLength, v, valueAt, valueLength);
            return;
        }
        for (int k = nameAt; k < nameAt + nameLength; k++) {
            int c = n[k] & 0xff;
            if (!NAME_CHAR[c]) {
                error = c >= 'A' && c <= 'Z' ? H2Error.UPPERCASE_HEADER_NAME : H2Error.INVALID_HEADER_NAME;
                return;
            }
        }
        regularSeen = true;
        int known = classify(n, nameAt, nameLength);
        switch (known) {
            case KnownHeader.CONNECTION:
            case KnownHeader.KEEP_ALIVE:
            case KnownHeader.PROXY_CONNECTION:
            case KnownHeader.TRANSFER_ENCODING:
            case KnownHeader.UPGRADE:
                error = H2Error.CONNECTION_SPECIFIC_HEADER;
                return;
            case KnownHeader.TE:
                if (!equals(v, valueAt, valueLength, TRAILERS_VALUE)) {
                    error = H2Error.TE_NOT_TRAILERS;
                    return;
                }
                break;
            default:
                break;
        }
        if (kind == Kind.TRAILERS) {
            if (known == KnownHeader.CONTENT_LENGTH || known == KnownHeader.HOST) {
                error = H2Error.FORBIDDEN_TRAILER;
                return;
            }
            trailers.add(nameChars.set(n, nameAt, nameLength), valueChars.set(v, valueAt, valueLength));
            return;
        }
        if (!startWritten && !writeStart()) {
            // a pseudo-header may be missing because it comes late: that is the error to report
            startError = error;
            error = null;
            startWritten = true;
        }
        if (startError != null) {
            return;
        }
        if (known == KnownHeader.HOST && kind == Kind.REQUEST) {
            if (pseudoAt[AUTHORITY] >= 0) {
                if (!regionEquals(v, valueAt, valueLength, pseudo, pseudoAt[AUTHORITY], pseudoLen[AUTHORITY])) {
                    error = H2Error.AUTHORITY_HOST_MISMATCH;
                }
                return; // the same authority: already written from :authority
            }
            hostSeen = true;
        } else if (known == KnownHeader.CONTENT_LENGTH) {
            contentLengthSeen = true;
        } else if (known == COOKIE_KIND && kind == Kind.REQUEST) {
            addCookie(v, valueAt, valueLength);
            return;
        }
        ensureText(nameLength + valueLength + 4);
        System.arraycopy(n, nameAt, text, textLength, nameLength);
        textLength += nameLength;
        text[textLength++] = ':';
        text[textLength++] = ' ';
        System.arraycopy(v, valueAt, text, textLength, valueLength);
        textLength += valueLength;
        text[textLength++] = '\r';
        text[textLength++] = '\n';
    }

    /** Field value rules shared by pseudo and regular fields (§8.2.1). */
    private boolean checkValue(byte[] v, int valueAt, int valueLength) {
        int end = valueAt + valueLength;
        // eight bytes a step while none is a control byte or DEL; the loop below finds which one was
        int k = valueAt;
        for (; k + 8 <= end; k += 8) {
            long w = (long) LONGS.get(v, k);
            long del = w ^ 0x7F7F7F7F7F7F7F7FL;
            if (((((w - 0x2020202020202020L) & ~w) | ((del - 0x0101010101010101L) & ~del)) & 0x8080808080808080L) != 0) {
                break;
            }
        }
        for (; k < end; k++) {
            if (!VALUE_CHAR[v[k] & 0xff]) {
                error = H2Error.INVALID_HEADER_VALUE;
                return false;
            }
        }
        if (valueLength > 0 && (isWhitespace(v[valueAt]) || isWhitespace(v[end - 1]))) {
            error = H2Error.HEADER_VALUE_WHITESPACE;
            return false;
        }
        return true;
    }

    private void pseudoField(byte[] n, int nameAt, int nameLength, byte[] v, int valueAt, int valueLength) {
        if (kind == Kind.TRAILERS) {
            error = H2Error.PSEUDO_HEADER_IN_TRAILERS;
            return;
        }
        if (regularSeen) {
            error = H2Error.LATE_PSEUDO_HEADER;
            return;
        }
        int slot = -1;
        if (kind == Kind.REQUEST) {
            if (equals(n, nameAt, nameLength, P_METHOD)) {
                slot = METHOD;
            } else if (equals(n, nameAt, nameLength, P_SCHEME)) {
                slot = SCHEME;
            } else if (equals(n, nameAt, nameLength, P_AUTHORITY)) {
                slot = AUTHORITY;
            } else if (equals(n, nameAt, nameLength, P_PATH)) {
                slot = PATH;
            }
        } else if (equals(n, nameAt, nameLength, P_STATUS)) {
            slot = STATUS;
        }
        if (slot < 0) {
            error = H2Error.UNKNOWN_PSEUDO_HEADER;
            return;
        }
        if (pseudoAt[slot] >= 0) {
            error = H2Error.DUPLICATE_PSEUDO_HEADER;
            return;
        }
        if (pseudoLength + valueLength > pseudo.length) {
            pseudo = Arrays.copyOf(pseudo, Math.max(pseudo.length * 2, pseudoLength + valueLength));
        }
        System.arraycopy(v, valueAt, pseudo, pseudoLength, valueLength);
        pseudoAt[slot] = pseudoLength;
        pseudoLen[slot] = valueLength;
        pseudoLength += valueLength;
    }

    /** Writes the start line (and Host) once every pseudo-header is in; false if they are not valid. */
    private boolean writeStart() {
        startWritten = true;
        return kind == Kind.REQUEST ? writeRequestLine() : writeStatusLine();
    }

    private boolean writeRequestLine() {
        if (pseudoAt[METHOD] < 0) {
            error = H2Error.MISSING_PSEUDO_HEADER;
            return false;
        }
        boolean connect = pseudoEquals(METHOD, M_CONNECT);
        if (connect) {
            // §8.5: :method and :authority only
            if (pseudoAt[SCHEME] >= 0 || pseudoAt[PATH] >= 0 || pseudoAt[AUTHORITY] < 0) {
                error = H2Error.INVALID_CONNECT;
                return false;
            }
        } else {
            if (pseudoAt[SCHEME] < 0 || pseudoAt[PATH] < 0) {
                error = H2Error.MISSING_PSEUDO_HEADER;
                return false;
            }
            if (!pseudoEquals(SCHEME, S_HTTPS) && !pseudoEquals(SCHEME, S_HTTP)) {
                error = H2Error.UNSUPPORTED_SCHEME;
                return false;
            }
            int len = pseudoLen[PATH];
            byte first = len == 0 ? 0 : pseudo[pseudoAt[PATH]];
            boolean asterisk = len == 1 && first == '*' && pseudoEquals(METHOD, M_OPTIONS);
            if (len == 0 || (first != '/' && !asterisk)) {
                error = H2Error.INVALID_PATH;
                return false;
            }
        }
        int target = connect ? AUTHORITY : PATH;
        ensureText(pseudoLen[METHOD] + pseudoLen[target] + HTTP_1_1.length + 1
                + HOST.length + pseudoLen[AUTHORITY] + 2);
        putPseudo(METHOD);
        text[textLength++] = ' ';
        putPseudo(target);
        put(HTTP_1_1);
        if (pseudoAt[AUTHORITY] >= 0) {
            put(HOST);
            putPseudo(AUTHORITY);
            put(CRLF);
        }
        return true;
    }

    private boolean writeStatusLine() {
        if (pseudoAt[STATUS] < 0) {
            error = H2Error.MISSING_PSEUDO_HEADER;
            return false;
        }
        int status = status();
        if (status < 0 || status == 101) {
            error = H2Error.INVALID_STATUS; // 101 has no place in HTTP/2 (§8.6)
            return false;
        }
        String reason = ResponseHead.reasonPhrase(status);
        ensureText(STATUS_PREFIX.length + 3 + 1 + reason.length() + 2);
        put(STATUS_PREFIX);
        putPseudo(STATUS);
        text[textLength++] = ' ';
        for (int k = 0; k < reason.length(); k++) {
            text[textLength++] = (byte) reason.charAt(k);
        }
        put(CRLF);
        return true;
    }

    /** The :status as a number from 100 to 599, or -1. */
    private int status() {
        if (pseudoLen[STATUS] != 3) {
            return -1;
        }
        int at = pseudoAt[STATUS];
        int d0 = pseudo[at] - '0';
        int d1 = pseudo[at + 1] - '0';
        int d2 = pseudo[at + 2] - '0';
        if (d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) {
            return -1;
        }
        return d0 * 100 + d1 * 10 + d2;
    }

    private void addCookie(byte[] v, int valueAt, int valueLength) {
        int need = cookieLength + valueLength + 2;
        if (need > cookie.length) {
            cookie = Arrays.copyOf(cookie, Math.max(cookie.length * 2, need));
        }
        if (cookieCount > 0) {
            cookie[cookieLength++] = ';';
            cookie[cookieLength++] = ' ';
        }
        System.arraycopy(v, valueAt, cookie, cookieLength, valueLength);
        cookieLength += valueLength;
        cookieCount++;
    }

    /**
     * The request head of a complete block.
     *
     * @param endStream the HEADERS frame ended the stream: the request has no body
     * @throws H2Exception a stream error
     */
    RequestHead finishRequest(int streamId, boolean endStream) {
        if (error == null && !startWritten) {
            writeStart();
        }
        if (error == null) {
            error = startError;
        }
        if (error == null && pseudoAt[AUTHORITY] < 0 && !hostSeen) {
            error = H2Error.MISSING_AUTHORITY;
        }
        if (error != null) {
            throw new H2Exception(error, streamId);
        }
        if (cookieCount > 0) {
            ensureText(COOKIE.length + cookieLength + 2);
            put(COOKIE);
            System.arraycopy(cookie, 0, text, textLength, cookieLength);
            textLength += cookieLength;
            put(CRLF);
        }
        boolean unknownLength = !endStream && !contentLengthSeen;
        endHead(unknownLength);
        RequestParser p = requestParser;
        p.reset();
        try {
            if (p.next(textBuffer) != H1Event.HEAD) {
                throw new H2Exception(H2Error.INVALID_HTTP1_HEAD, streamId);
            }
        } catch (HttpParseException e) {
            throw new H2Exception(H2Error.INVALID_HTTP1_HEAD, streamId, e.error());
        }
        RequestHead head = p.head();
        if (unknownLength) {
            head.headers().removeKind(KnownHeader.TRANSFER_ENCODING); // framing stays CHUNKED
        }
        return head;
    }

    /**
     * The response head of a complete block (client role).
     *
     * @param requestMethod the method of the request it answers (HEAD: no body follows)
     * @throws H2Exception a stream error
     */
    ResponseHead finishResponse(int streamId, boolean endStream, HttpMethod requestMethod) {
        if (error == null && !startWritten) {
            writeStart();
        }
        if (error == null) {
            error = startError;
        }
        if (error != null) {
            throw new H2Exception(error, streamId);
        }
        int status = status();
        boolean interim = status < 200;
        if (interim && endStream) {
            throw new H2Exception(H2Error.INVALID_STATUS, streamId); // an interim response cannot end the stream
        }
        boolean noBody = endStream || requestMethod == HttpMethod.HEAD || status == 204 || status == 304;
        boolean unknownLength = !interim && !noBody && !contentLengthSeen;
        endHead(unknownLength);
        ResponseParser p = responseParser;
        p.reset();
        p.expectResponseTo(endStream ? HttpMethod.HEAD : requestMethod);
        try {
            if (p.next(textBuffer) != H1Event.HEAD) {
                throw new H2Exception(H2Error.INVALID_HTTP1_HEAD, streamId);
            }
        } catch (HttpParseException e) {
            throw new H2Exception(H2Error.INVALID_HTTP1_HEAD, streamId, e.error());
        }
        ResponseHead head = p.head();
        if (unknownLength) {
            head.headers().removeKind(KnownHeader.TRANSFER_ENCODING);
        }
        return head;
    }

    /**
     * The trailer fields of a complete block.
     *
     * @throws H2Exception a stream error
     */
    HeaderBlock finishTrailers(int streamId) {
        if (error != null) {
            throw new H2Exception(error, streamId);
        }
        return trailers;
    }

    private void endHead(boolean chunked) {
        ensureText(CHUNKED.length + 2);
        if (chunked) {
            put(CHUNKED);
        }
        put(CRLF);
        textBuffer.limit(textLength).position(0);
    }

    private void put(byte[] b) {
        System.arraycopy(b, 0, text, textLength, b.length);
        textLength += b.length;
    }

    private void putPseudo(int slot) {
        System.arraycopy(pseudo, pseudoAt[slot], text, textLength, pseudoLen[slot]);
        textLength += pseudoLen[slot];
    }

    private void ensureText(int more) {
        if (textLength + more > text.length) {
            text = Arrays.copyOf(text, Math.max(text.length * 2, textLength + more));
            textBuffer = ByteBuffer.wrap(text);
        }
        textBuffer.clear();
    }

    private boolean pseudoEquals(int slot, byte[] value) {
        return pseudoAt[slot] >= 0 && regionEquals(value, 0, value.length, pseudo, pseudoAt[slot], pseudoLen[slot]);
    }

    private static boolean regionEquals(byte[] a, int at, int len, byte[] b, int bAt, int bLen) {
        if (len != bLen) {
            return false;
        }
        for (int k = 0; k < len; k++) {
            if (a[at + k] != b[bAt + k]) {
                return false;
            }
        }
        return true;
    }

    private static boolean equals(byte[] buf, int at, int len, byte[] constant) {
        return regionEquals(buf, at, len, constant, 0, constant.length);
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t';
    }

    /** A code for the lower-case names this class acts on (KnownHeader codes, and cookie). */
    private static final int COOKIE_KIND = 100;

    static int classify(byte[] b, int at, int len) {
        switch (len) {
            case 2: return is(b, at, len, "te") ? KnownHeader.TE : KnownHeader.NONE;
            case 4: return is(b, at, len, "host") ? KnownHeader.HOST : KnownHeader.NONE;
            case 6: return is(b, at, len, "cookie") ? COOKIE_KIND : KnownHeader.NONE;
            case 7: return is(b, at, len, "upgrade") ? KnownHeader.UPGRADE : KnownHeader.NONE;
            case 10:
                if (b[at] == 'c') {
                    return is(b, at, len, "connection") ? KnownHeader.CONNECTION : KnownHeader.NONE;
                }
                return is(b, at, len, "keep-alive") ? KnownHeader.KEEP_ALIVE : KnownHeader.NONE;
            case 14: return is(b, at, len, "content-length") ? KnownHeader.CONTENT_LENGTH : KnownHeader.NONE;
            case 16: return is(b, at, len, "proxy-connection") ? KnownHeader.PROXY_CONNECTION : KnownHeader.NONE;
            case 17: return is(b, at, len, "transfer-encoding") ? KnownHeader.TRANSFER_ENCODING : KnownHeader.NONE;
            default: return KnownHeader.NONE;
        }
    }

    private static boolean is(byte[] b, int at, int len, String lower) {
        for (int k = 0; k < len; k++) {
            if (b[at + k] != lower.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static final byte[] TRAILERS_VALUE = ascii("trailers");
    private static final byte[] P_METHOD = ascii(":method");
    private static final byte[] P_SCHEME = ascii(":scheme");
    private static final byte[] P_AUTHORITY = ascii(":authority");
    private static final byte[] P_PATH = ascii(":path");
    private static final byte[] P_STATUS = ascii(":status");
    private static final byte[] M_CONNECT = ascii("CONNECT");
    private static final byte[] M_OPTIONS = ascii("OPTIONS");
    private static final byte[] S_HTTP = ascii("http");
    private static final byte[] S_HTTPS = ascii("https");

    /** A CharSequence window over bytes, reused, for HeaderBlock.add without a String. */
    static final class ByteChars implements CharSequence {
        private byte[] b;
        private int at;
        private int len;

        ByteChars set(byte[] bytes, int from, int length) {
            this.b = bytes;
            this.at = from;
            this.len = length;
            return this;
        }

        @Override
        public int length() {
            return len;
        }

        @Override
        public char charAt(int index) {
            return (char) (b[at + index] & 0xff);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return toString().substring(start, end);
        }

        @Override
        public String toString() {
            return new String(b, at, len, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }
}
