package io.pingora4j.codec.h1;

import static io.pingora4j.codec.h1.Transcript.requestError;
import static io.pingora4j.codec.h1.Transcript.requests;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The request rules of RFC 9112 as the parser enforces them: one behaviour per test. */
class RequestParserTest {

    private static RequestHead parseHead(String s) {
        RequestParser p = new RequestParser();
        ByteBuffer in = ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(H1Event.HEAD, p.next(in));
        return p.head();
    }

    @Nested
    class Heads {
        @Test
        void parsesMethodTargetVersionAndFieldsInOrder() {
            RequestHead h = parseHead("GET /a/b?x=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nX-Empty:\r\n\r\n");
            assertEquals(HttpMethod.GET, h.method());
            assertEquals("/a/b?x=1", h.target());
            assertEquals("/a/b", h.path());
            assertEquals("x=1", h.query());
            assertEquals(MessageHead.HTTP_1_1, h.version());
            assertEquals(3, h.headers().size());
            assertEquals("Accept", h.headers().name(1));
            assertEquals("*/*", h.headers().value(1));
            assertEquals("", h.headers().value(2));
        }

        @Test
        void trimsOptionalWhitespaceAroundValues() {
            RequestHead h = parseHead("GET / HTTP/1.1\r\nHost: a\r\nX: \t v a l \t \r\n\r\n");
            assertEquals("v a l", h.headers().get("x"));
        }

        @Test
        void recognisesWellKnownHeadersWithoutStrings() {
            RequestHead h = parseHead("POST / HTTP/1.1\r\nhOsT: a\r\nCONTENT-LENGTH: 0\r\nConnection: close\r\n"
                    + "Upgrade: websocket\r\nExpect: 100-continue\r\nTE: trailers\r\nTrailer: X\r\nKeep-Alive: 5\r\n\r\n");
            HeaderBlock f = h.headers();
            assertEquals(KnownHeader.HOST, f.kind(0));
            assertEquals(KnownHeader.CONTENT_LENGTH, f.kind(1));
            assertEquals(KnownHeader.CONNECTION, f.kind(2));
            assertEquals(KnownHeader.UPGRADE, f.kind(3));
            assertEquals(KnownHeader.EXPECT, f.kind(4));
            assertEquals(KnownHeader.TE, f.kind(5));
            assertEquals(KnownHeader.TRAILER, f.kind(6));
            assertEquals(KnownHeader.KEEP_ALIVE, f.kind(7));
        }

        @Test
        void recognisesExtensionMethods() {
            RequestHead h = parseHead("PROPFIND /dav HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(HttpMethod.OTHER, h.method());
            assertEquals("PROPFIND", h.methodName());
        }

        @Test
        void methodsAreCaseSensitive() {
            RequestHead h = parseHead("get / HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(HttpMethod.OTHER, h.method());
        }

        @Test
        void ignoresEmptyLinesBeforeTheRequestLine() {
            List<String> t = requests("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
            assertTrue(t.get(0).startsWith("HEAD GET GET /"), t.toString());
        }

        @Test
        void slicesPointIntoTheInputUntilDetached() {
            RequestParser p = new RequestParser();
            ByteBuffer in = ByteBuffer.wrap("GET /x HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            p.next(in);
            p.head().detach();
            in.put(0, (byte) 'X').put(17, (byte) 'Z');
            assertEquals("GET", p.head().methodName());
            assertEquals("Host", p.head().headers().name(0));
        }
    }

    @Nested
    class Limits {
        @Test
        void requestLineOverLimitIs414() {
            String target = "/" + "a".repeat(8 * 1024);
            assertEquals(H1Error.REQUEST_LINE_TOO_LONG, requestError("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n"));
            assertEquals(414, H1Error.REQUEST_LINE_TOO_LONG.status());
        }

        @Test
        void requestLineOverLimitIsRefusedBeforeItsEnd() {
            String partial = "GET /" + "a".repeat(9000);
            List<String> t = Transcript.run(new RequestParser(), Transcript.bytes(partial), Transcript.Feed.whole(), false);
            assertEquals("ERROR REQUEST_LINE_TOO_LONG", Transcript.last(t));
        }

        @Test
        void requestLineAtLimitIsAccepted() {
            H1Limits limits = H1Limits.DEFAULTS.withMaxInitialLine(30);
            String line = "GET /" + "a".repeat(30 - 14) + " HTTP/1.1"; // exactly 30 bytes
            assertEquals(30, line.length());
            assertNull(requestError(limits, line + "\r\nHost: a\r\n\r\n"));
            assertEquals(H1Error.REQUEST_LINE_TOO_LONG, requestError(limits, "GET /" + "a".repeat(17) + " HTTP/1.1\r\nHost: a\r\n\r\n"));
        }

        @Test
        void headerSectionOverLimitIs431() {
            String big = "X: " + "v".repeat(33 * 1024) + "\r\n";
            assertEquals(H1Error.HEADER_SECTION_TOO_LARGE, requestError("GET / HTTP/1.1\r\nHost: a\r\n" + big + "\r\n"));
            assertEquals(431, H1Error.HEADER_SECTION_TOO_LARGE.status());
        }

        @Test
        void moreThanMaxHeaderCountIs431() {
            StringBuilder sb = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
            for (int i = 0; i < 100; i++) {
                sb.append("X-").append(i).append(": v\r\n");
            }
            assertEquals(H1Error.TOO_MANY_HEADERS, requestError(sb + "\r\n"));
            assertEquals(431, H1Error.TOO_MANY_HEADERS.status());
        }

        @Test
        void exactlyMaxHeaderCountIsAccepted() {
            StringBuilder sb = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
            for (int i = 0; i < 99; i++) {
                sb.append("X-").append(i).append(": v\r\n");
            }
            assertNull(requestError(sb + "\r\n"));
        }

        @Test
        void contentLengthOverMaxBodySizeIs413() {
            H1Limits limits = H1Limits.DEFAULTS.withMaxBodySize(10);
            assertEquals(H1Error.BODY_TOO_LARGE, requestError(limits, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n"));
            assertEquals(413, H1Error.BODY_TOO_LARGE.status());
        }

        @Test
        void chunkedBodyOverMaxBodySizeIs413() {
            H1Limits limits = H1Limits.DEFAULTS.withMaxBodySize(10);
            assertEquals(H1Error.BODY_TOO_LARGE, requestError(limits,
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nabcdef\r\n0\r\n\r\n"));
        }

        @Test
        void chunkSizeLineOverLimitIsRefused() {
            String ext = ";a=" + "b".repeat(1100);
            assertEquals(H1Error.CHUNK_LINE_TOO_LONG,
                    requestError("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1" + ext + "\r\nx\r\n0\r\n\r\n"));
        }

        @Test
        void limitsAreValidated() {
            assertThrows(IllegalArgumentException.class, () -> H1Limits.DEFAULTS.withMaxHeaderCount(0));
        }
    }

    @Nested
    class LineEndings {
        @Test
        void bareLfEndingTheRequestLineIsRefused() {
            assertEquals(H1Error.BARE_LF, requestError("GET / HTTP/1.1\nHost: a\r\n\r\n"));
        }

        @Test
        void bareLfEndingAFieldLineIsRefused() {
            assertEquals(H1Error.BARE_LF, requestError("GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n"));
        }

        @Test
        void bareLfEndingTheHeadIsRefused() {
            assertEquals(H1Error.BARE_LF, requestError("GET / HTTP/1.1\r\nHost: a\r\n\n"));
        }

        @Test
        void bareCrInAValueIsRefused() {
            assertEquals(H1Error.BARE_CR, requestError("GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n"));
        }

        @Test
        void bareCrInTheRequestLineIsRefused() {
            assertEquals(H1Error.BARE_CR, requestError("GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n"));
        }

        @Test
        void obsFoldIsRefused() {
            assertEquals(H1Error.OBS_FOLD, requestError("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n"));
        }

        @Test
        void whitespaceBeforeTheFirstFieldIsRefused() {
            assertEquals(H1Error.OBS_FOLD, requestError("GET / HTTP/1.1\r\n Host: a\r\n\r\n"));
        }
    }

    @Nested
    class FieldSyntax {
        @Test
        void whitespaceBetweenNameAndColonIsRefused() {
            assertEquals(H1Error.WHITESPACE_BEFORE_COLON, requestError("GET / HTTP/1.1\r\nHost : a\r\n\r\n"));
            assertEquals(H1Error.WHITESPACE_BEFORE_COLON, requestError("GET / HTTP/1.1\r\nHost: a\r\nX\t: b\r\n\r\n"));
        }

        @Test
        void lineWithoutColonIsRefused() {
            assertEquals(H1Error.MISSING_COLON, requestError("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n"));
        }

        @Test
        void emptyNameIsRefused() {
            assertEquals(H1Error.EMPTY_HEADER_NAME, requestError("GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n"));
        }

        @Test
        void nonTokenCharacterInNameIsRefused() {
            assertEquals(H1Error.INVALID_HEADER_NAME, requestError("GET / HTTP/1.1\r\nHost: a\r\nX(y): v\r\n\r\n"));
            assertEquals(H1Error.INVALID_HEADER_NAME, requestError("GET / HTTP/1.1\r\nHost: a\r\nX\u0000Y: v\r\n\r\n"));
        }

        @Test
        void nulInValueIsRefused() {
            assertEquals(H1Error.INVALID_HEADER_VALUE, requestError("GET / HTTP/1.1\r\nHost: a\r\nX: a\u0000b\r\n\r\n"));
        }

        @Test
        void controlCharacterInValueIsRefused() {
            assertEquals(H1Error.INVALID_HEADER_VALUE, requestError("GET / HTTP/1.1\r\nHost: a\r\nX: a\u0001b\r\n\r\n"));
            assertEquals(H1Error.INVALID_HEADER_VALUE, requestError("GET / HTTP/1.1\r\nHost: a\r\nX: a\u007fb\r\n\r\n"));
        }

        @Test
        void obsTextInValueIsAccepted() {
            RequestHead h = parseHead("GET / HTTP/1.1\r\nHost: a\r\nX: caf\u00e9\r\n\r\n");
            assertEquals("caf\u00e9", h.headers().get("X"));
        }
    }

    @Nested
    class RequestLine {
        @Test
        void spaceInsideTheTargetIsRefused() {
            assertEquals(H1Error.INVALID_REQUEST_LINE, requestError("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n"));
        }

        @Test
        void doubleSpaceAfterMethodIsRefused() {
            assertEquals(H1Error.INVALID_REQUEST_LINE, requestError("GET  / HTTP/1.1\r\nHost: a\r\n\r\n"));
        }

        @Test
        void trailingSpaceAfterVersionIsRefused() {
            assertEquals(H1Error.INVALID_REQUEST_LINE, requestError("GET / HTTP/1.1 \r\nHost: a\r\n\r\n"));
        }

        @Test
        void tabInTargetIsRefused() {
            assertEquals(H1Error.INVALID_TARGET, requestError("GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n"));
        }

        @Test
        void fragmentInTargetIsRefused() {
            assertEquals(H1Error.INVALID_TARGET, requestError("GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n"));
        }

        @Test
        void nonTokenMethodIsRefused() {
            assertEquals(H1Error.INVALID_METHOD, requestError("G(T / HTTP/1.1\r\nHost: a\r\n\r\n"));
        }

        @Test
        void lineStartingWithSpaceIsRefused() {
            assertEquals(H1Error.INVALID_REQUEST_LINE, requestError(" GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
        }

        @Test
        void http09SimpleRequestIs505() {
            assertEquals(H1Error.UNSUPPORTED_VERSION, requestError("GET /index.html\r\n\r\n"));
            assertEquals(505, H1Error.UNSUPPORTED_VERSION.status());
        }

        @Test
        void http09VersionIs505() {
            assertEquals(H1Error.UNSUPPORTED_VERSION, requestError("GET / HTTP/0.9\r\nHost: a\r\n\r\n"));
        }

        @Test
        void http2VersionIs505() {
            assertEquals(H1Error.UNSUPPORTED_VERSION, requestError("GET / HTTP/2.0\r\nHost: a\r\n\r\n"));
        }

        @Test
        void http12VersionIs505() {
            assertEquals(H1Error.UNSUPPORTED_VERSION, requestError("GET / HTTP/1.2\r\nHost: a\r\n\r\n"));
        }

        @Test
        void malformedVersionIs400() {
            assertEquals(H1Error.INVALID_VERSION, requestError("GET / HTTP/1.10\r\nHost: a\r\n\r\n"));
            assertEquals(H1Error.INVALID_VERSION, requestError("GET / http/1.1\r\nHost: a\r\n\r\n"));
            assertEquals(H1Error.INVALID_VERSION, requestError("GET / HTTP/1\r\nHost: a\r\n\r\n"));
        }

        @Test
        void http10IsAcceptedWithoutHost() {
            RequestHead h = parseHead("GET / HTTP/1.0\r\n\r\n");
            assertEquals(MessageHead.HTTP_1_0, h.version());
        }
    }

    @Nested
    class TargetForms {
        @Test
        void absoluteFormTakesTheAuthorityFromTheTarget() {
            RequestHead h = parseHead("GET http://origin.example:8080/p?q=1 HTTP/1.1\r\nHost: other\r\n\r\n");
            assertEquals(RequestHead.TargetForm.ABSOLUTE, h.targetForm());
            assertEquals("origin.example:8080", h.authority());
            assertEquals("/p?q=1", h.pathAndQuery());
            assertEquals("/p", h.path());
        }

        @Test
        void absoluteFormWithoutPathMeansSlash() {
            RequestHead h = parseHead("GET https://a.example HTTP/1.1\r\nHost: a.example\r\n\r\n");
            assertEquals("/", h.pathAndQuery());
        }

        @Test
        void absoluteFormWithUserinfoIsRefused() {
            assertEquals(H1Error.INVALID_ABSOLUTE_FORM, requestError("GET http://user@a/ HTTP/1.1\r\nHost: a\r\n\r\n"));
        }

        @Test
        void absoluteFormWithOtherSchemeIsRefused() {
            assertEquals(H1Error.INVALID_ABSOLUTE_FORM, requestError("GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n"));
        }

        @Test
        void absoluteFormWithEmptyAuthorityIsRefused() {
            assertEquals(H1Error.INVALID_ABSOLUTE_FORM, requestError("GET http:///p HTTP/1.1\r\nHost: a\r\n\r\n"));
        }

        @Test
        void asteriskFormIsAcceptedForOptions() {
            RequestHead h = parseHead("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(RequestHead.TargetForm.ASTERISK, h.targetForm());
        }

        @Test
        void asteriskFormIsRefusedForOtherMethods() {
            assertEquals(H1Error.ASTERISK_FORM_NOT_OPTIONS, requestError("GET * HTTP/1.1\r\nHost: a\r\n\r\n"));
        }

        @Test
        void connectTakesAuthorityForm() {
            RequestHead h = parseHead("CONNECT db.example:5432 HTTP/1.1\r\nHost: db.example:5432\r\n\r\n");
            assertEquals(RequestHead.TargetForm.AUTHORITY, h.targetForm());
            assertEquals("db.example:5432", h.authority());
        }

        @Test
        void connectWithOriginFormIsRefused() {
            assertEquals(H1Error.INVALID_AUTHORITY_FORM, requestError("CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n"));
        }

        @Test
        void authorityFormWithoutConnectIsRefused() {
            assertEquals(H1Error.INVALID_AUTHORITY_FORM, requestError("GET a.example:443 HTTP/1.1\r\nHost: a\r\n\r\n"));
        }

        @Test
        void targetOfNoFormIsRefused() {
            assertEquals(H1Error.INVALID_TARGET, requestError("GET index.html HTTP/1.1\r\nHost: a\r\n\r\n"));
        }
    }

    @Nested
    class Host {
        @Test
        void http11WithoutHostIsRefused() {
            assertEquals(H1Error.MISSING_HOST, requestError("GET / HTTP/1.1\r\nX: y\r\n\r\n"));
        }

        @Test
        void twoHostsAreRefused() {
            assertEquals(H1Error.DUPLICATE_HOST, requestError("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n"));
        }

        @Test
        void hostWithSpaceOrSlashIsRefused() {
            assertEquals(H1Error.INVALID_HOST, requestError("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"));
            assertEquals(H1Error.INVALID_HOST, requestError("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"));
            assertEquals(H1Error.INVALID_HOST, requestError("GET / HTTP/1.1\r\nHost: u@a\r\n\r\n"));
        }

        @Test
        void hostWithIpv6LiteralAndPortIsAccepted() {
            assertEquals("[::1]:8080", parseHead("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n").authority());
        }

        @Test
        void emptyHostIsAccepted() {
            assertEquals("", parseHead("GET / HTTP/1.1\r\nHost:\r\n\r\n").authority());
        }
    }

    @Nested
    class ContentLength {
        @Test
        void bodyOfContentLengthBytes() {
            List<String> t = requests("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET");
            assertEquals("BODY hello", t.get(1));
            assertEquals("END", t.get(2));
        }

        @Test
        void contentLengthAndTransferEncodingTogetherAreRefused() {
            assertEquals(H1Error.CONTENT_LENGTH_WITH_TRANSFER_ENCODING,
                    requestError("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"));
        }

        @Test
        void differingContentLengthsAreRefused() {
            assertEquals(H1Error.CONFLICTING_CONTENT_LENGTH,
                    requestError("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"));
        }

        @Test
        void differingContentLengthsInOneListAreRefused() {
            assertEquals(H1Error.CONFLICTING_CONTENT_LENGTH,
                    requestError("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n"));
        }

        @Test
        void identicalContentLengthsAreAccepted() {
            RequestHead h = parseHead("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5, 5\r\n\r\n");
            assertEquals(5, h.contentLength());
        }

        @Test
        void signedContentLengthIsRefused() {
            assertEquals(H1Error.INVALID_CONTENT_LENGTH, requestError("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n"));
            assertEquals(H1Error.INVALID_CONTENT_LENGTH, requestError("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"));
        }

        @Test
        void contentLengthWithInnerSpaceIsRefused() {
            assertEquals(H1Error.INVALID_CONTENT_LENGTH, requestError("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n"));
        }

        @Test
        void emptyContentLengthIsRefused() {
            assertEquals(H1Error.INVALID_CONTENT_LENGTH, requestError("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n"));
            assertEquals(H1Error.INVALID_CONTENT_LENGTH, requestError("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,\r\n\r\n"));
        }

        @Test
        void overflowingContentLengthIsRefused() {
            assertEquals(H1Error.INVALID_CONTENT_LENGTH,
                    requestError("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775808\r\n\r\n"));
        }

        @Test
        void hexContentLengthIsRefused() {
            assertEquals(H1Error.INVALID_CONTENT_LENGTH, requestError("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\n"));
        }

        @Test
        void largestContentLengthIsAccepted() {
            assertEquals(Long.MAX_VALUE,
                    parseHead("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775807\r\n\r\n").contentLength());
        }

        @Test
        void requestWithNeitherHasNoBody() {
            List<String> t = requests("POST / HTTP/1.1\r\nHost: a\r\n\r\n");
            assertTrue(t.get(0).contains("framing=NONE"), t.get(0));
            assertEquals("END", t.get(1));
        }
    }

    @Nested
    class TransferEncoding {
        private H1Error te(String value) {
            return requestError("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: " + value + "\r\n\r\n0\r\n\r\n");
        }

        @Test
        void chunkedIsAcceptedInAnyCase() {
            assertNull(te("chunked"));
            assertNull(te("Chunked"));
        }

        @Test
        void otherFinalCodingIs501() {
            assertEquals(H1Error.UNSUPPORTED_TRANSFER_ENCODING, te("gzip"));
            assertEquals(501, H1Error.UNSUPPORTED_TRANSFER_ENCODING.status());
        }

        @Test
        void xchunkedIs501() {
            assertEquals(H1Error.UNSUPPORTED_TRANSFER_ENCODING, te("xchunked"));
        }

        @Test
        void chunkedThenIdentityIs501() {
            assertEquals(H1Error.UNSUPPORTED_TRANSFER_ENCODING, te("chunked, identity"));
        }

        @Test
        void chunkedTwiceIs501() {
            assertEquals(H1Error.UNSUPPORTED_TRANSFER_ENCODING,
                    requestError("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"));
        }

        @Test
        void verticalTabBeforeChunkedIsRefused() {
            assertEquals(H1Error.INVALID_HEADER_VALUE, te("\u000bchunked"));
        }

        @Test
        void transferEncodingInHttp10IsRefused() {
            assertEquals(H1Error.TRANSFER_ENCODING_IN_HTTP10,
                    requestError("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
        }
    }

    @Nested
    class Chunked {
        private List<String> chunked(String body) {
            return requests("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
        }

        private H1Error chunkedError(String body) {
            return Transcript.errorOf(chunked(body));
        }

        @Test
        void chunksAreDeliveredAsBody() {
            List<String> t = chunked("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
            assertEquals("BODY hello world", t.get(1));
            assertEquals("END", t.get(2));
        }

        @Test
        void upperCaseHexAndLeadingZerosAreAccepted() {
            assertEquals("BODY " + "x".repeat(26), chunked("001A\r\n" + "x".repeat(26) + "\r\n0\r\n\r\n").get(1));
        }

        @Test
        void extensionsAreAcceptedAndIgnored() {
            List<String> t = chunked("5;a=b;c=\"d;\\\"e\" ; f\r\nhello\r\n0;last\r\n\r\n");
            assertEquals("BODY hello", t.get(1));
        }

        @Test
        void trailersAreDelivered() {
            List<String> t = chunked("1\r\nx\r\n0\r\nX-Checksum: abc\r\nX-Other: d\r\n\r\n");
            assertEquals("TRAILERS [X-Checksum: abc | X-Other: d]", t.get(2));
            assertEquals("END", t.get(3));
        }

        @Test
        void framingFieldsAsTrailersAreRefused() {
            assertEquals(H1Error.FORBIDDEN_TRAILER, chunkedError("0\r\nContent-Length: 5\r\n\r\n"));
            assertEquals(H1Error.FORBIDDEN_TRAILER, chunkedError("0\r\nTransfer-Encoding: chunked\r\n\r\n"));
        }

        @Test
        void nonHexChunkSizeIsRefused() {
            assertEquals(H1Error.INVALID_CHUNK_SIZE, chunkedError("5g\r\nhello\r\n0\r\n\r\n"));
        }

        @Test
        void hexPrefixedChunkSizeIsRefused() {
            assertEquals(H1Error.INVALID_CHUNK_SIZE, chunkedError("0x5\r\nhello\r\n0\r\n\r\n"));
        }

        @Test
        void missingChunkSizeIsRefused() {
            assertEquals(H1Error.MISSING_CHUNK_SIZE, chunkedError("\r\nhello\r\n0\r\n\r\n"));
            assertEquals(H1Error.MISSING_CHUNK_SIZE, chunkedError(";ext\r\nhello\r\n0\r\n\r\n"));
        }

        @Test
        void overflowingChunkSizeIsRefused() {
            assertEquals(H1Error.CHUNK_SIZE_OVERFLOW, chunkedError("10000000000000000\r\n"));
        }

        @Test
        void whitespaceInsideChunkSizeIsRefused() {
            assertEquals(H1Error.INVALID_CHUNK_SIZE, chunkedError("5 5\r\nhello\r\n0\r\n\r\n"));
            assertEquals(H1Error.INVALID_CHUNK_SIZE, chunkedError("5 \r\nhello\r\n0\r\n\r\n"));
        }

        @Test
        void chunkDataNotFollowedByCrlfIsRefused() {
            assertEquals(H1Error.MISSING_CHUNK_DATA_CRLF, chunkedError("5\r\nhelloXX\r\n0\r\n\r\n"));
            assertEquals(H1Error.MISSING_CHUNK_DATA_CRLF, chunkedError("5\r\nhello\rX0\r\n\r\n"));
        }

        @Test
        void lfAloneEndingTheChunkSizeLineIsRefused() {
            assertEquals(H1Error.BARE_LF, chunkedError("5\nhello\r\n0\r\n\r\n"));
        }

        @Test
        void loneLfInsideAChunkExtensionIsRefused() {
            assertEquals(H1Error.INVALID_CHUNK_EXTENSION, chunkedError("5;a\nhello\r\n0\r\n\r\n"));
        }

        @Test
        void unterminatedQuotedExtensionIsRefused() {
            assertEquals(H1Error.INVALID_CHUNK_EXTENSION, chunkedError("5;a=\"b\r\nhello\r\n0\r\n\r\n"));
        }

        @Test
        void controlCharacterInQuotedExtensionIsRefused() {
            assertEquals(H1Error.INVALID_CHUNK_EXTENSION, chunkedError("5;a=\"\u0001\"\r\nhello\r\n0\r\n\r\n"));
        }

        @Test
        void emptyExtensionNameIsRefused() {
            assertEquals(H1Error.INVALID_CHUNK_EXTENSION, chunkedError("5;\r\nhello\r\n0\r\n\r\n"));
            assertEquals(H1Error.INVALID_CHUNK_EXTENSION, chunkedError("5;=b\r\nhello\r\n0\r\n\r\n"));
        }

        @Test
        void bareCrAfterChunkSizeIsRefused() {
            assertEquals(H1Error.BARE_CR, chunkedError("5\rhello\r\n0\r\n\r\n"));
        }

        @Test
        void truncatedChunkedBodyIsAPrematureClose() {
            assertEquals(H1Error.PREMATURE_CLOSE, chunkedError("5\r\nhel"));
        }
    }

    @Nested
    class ConnectionManagement {
        @Test
        void http11IsPersistentByDefault() {
            assertTrue(parseHead("GET / HTTP/1.1\r\nHost: a\r\n\r\n").keepAlive());
        }

        @Test
        void http11WithCloseIsNotPersistent() {
            assertFalse(parseHead("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Close\r\n\r\n").keepAlive());
        }

        @Test
        void http10IsNotPersistentByDefault() {
            assertFalse(parseHead("GET / HTTP/1.0\r\n\r\n").keepAlive());
        }

        @Test
        void http10WithKeepAliveIsPersistent() {
            assertTrue(parseHead("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keepAlive());
        }

        @Test
        void connectionUpgradeIsRecognised() {
            RequestHead h = parseHead("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
            assertTrue(h.connectionUpgrade());
            assertTrue(h.upgrade());
        }

        @Test
        void expect100ContinueIsRecognised() {
            RequestHead h = parseHead("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nExpect: 100-Continue\r\n\r\n");
            assertTrue(h.expectContinue());
            assertFalse(h.expectUnsupported());
        }

        @Test
        void otherExpectationsAreFlagged() {
            RequestHead h = parseHead("PUT / HTTP/1.1\r\nHost: a\r\nExpect: something\r\n\r\n");
            assertFalse(h.expectContinue());
            assertTrue(h.expectUnsupported());
        }

        @Test
        void pipelinedRequestsParseOneAfterAnother() {
            List<String> t = requests("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhiGET /3 HTTP/1.1\r\nHost: a\r\n\r\n");
            assertTrue(t.get(0).startsWith("HEAD GET GET /1"), t.toString());
            assertTrue(t.get(2).startsWith("HEAD POST POST /2"), t.toString());
            assertEquals("BODY hi", t.get(3));
            assertTrue(t.get(5).startsWith("HEAD GET GET /3"), t.toString());
            assertEquals("CLOSED", Transcript.last(t));
        }

        @Test
        void closeInsideAHeadIsAPrematureClose() {
            assertEquals(H1Error.PREMATURE_CLOSE, requestError("GET / HTTP/1.1\r\nHost"));
        }

        @Test
        void closeInsideAFixedBodyIsAPrematureClose() {
            assertEquals(H1Error.PREMATURE_CLOSE, requestError("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhel"));
        }

        @Test
        void closeBetweenMessagesIsClean() {
            assertEquals("CLOSED", Transcript.last(requests("GET / HTTP/1.1\r\nHost: a\r\n\r\n")));
        }

        @Test
        void afterAnErrorTheParserRefusesMoreInput() {
            RequestParser p = new RequestParser();
            ByteBuffer bad = ByteBuffer.wrap("GET / HTTP/1.1\r\nHost : a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThrows(HttpParseException.class, () -> p.next(bad));
            ByteBuffer good = ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            HttpParseException e = assertThrows(HttpParseException.class, () -> p.next(good));
            assertEquals(H1Error.WHITESPACE_BEFORE_COLON, e.error());
        }

        @Test
        void tunnelCarriesBytesOpaquelyAfterSwitch() {
            RequestParser p = new RequestParser();
            ByteBuffer in = ByteBuffer.wrap("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n\u0081\u0005hello"
                    .getBytes(StandardCharsets.ISO_8859_1));
            assertEquals(H1Event.HEAD, p.next(in));
            assertEquals(H1Event.END, p.next(in));
            p.switchToTunnel();
            assertEquals(H1Event.BODY, p.next(in));
            assertEquals(7, p.bodyLength());
            assertEquals(H1Event.END, p.inputClosed());
        }
    }

    @Test
    void parseErrorsMapToStatusesForClients() {
        HttpParseException e = new HttpParseException(H1Error.REQUEST_LINE_TOO_LONG, false);
        assertEquals(414, e.status());
        assertEquals(H1Error.REQUEST_LINE_TOO_LONG, e.error());
    }
}
