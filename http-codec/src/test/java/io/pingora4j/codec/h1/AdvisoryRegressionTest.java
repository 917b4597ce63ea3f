package io.pingora4j.codec.h1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One regression per published HTTP/1.1 parsing advisory (and per classic smuggling shape): the
 * attack input as the advisory described it, and the exact {@link H1Error} it is refused with.
 *
 * <p>Every case also checks that the refusal is final: the bad message never reaches END, so the
 * bytes smuggled after it are never parsed as a message of their own, and a parser that refused
 * once refuses everything after (RFC 9112 §11.2: the connection must be closed). Each case is run
 * with the whole input at once and again a byte at a time, which must agree.
 */
class AdvisoryRegressionTest {

    /** A request line and Host, before the header under test. */
    private static final String POST = "POST /upload HTTP/1.1\r\nHost: example.com\r\n";
    /** A valid chunked request head; the chunked body under test follows. */
    private static final String CHUNKED = POST + "Transfer-Encoding: chunked\r\n\r\n";
    /** What an attacker hopes the back end reads as a second request. */
    private static final String SMUGGLED = "GET /admin HTTP/1.1\r\nHost: example.com\r\n\r\n";
    private static final String SMUGGLED_RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

    // ------------------------------------------------------------------ Netty

    @Test
    void cve_2019_16869_whitespaceBeforeColon() {
        assertRequestRefused(H1Error.WHITESPACE_BEFORE_COLON,
                POST + "Transfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.WHITESPACE_BEFORE_COLON,
                POST + "Transfer-Encoding\t: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.WHITESPACE_BEFORE_COLON, POST + "Content-Length  : 5\r\n\r\nhello");
    }

    @Test
    void cve_2019_20444_headerLineWithoutColon() {
        assertRequestRefused(H1Error.MISSING_COLON, POST + "Transfer-Encoding\r\nContent-Length: 5\r\n\r\nhello");
        assertRequestRefused(H1Error.MISSING_COLON, POST + "Transfer-Encoding chunked\r\n\r\n0\r\n\r\n");
    }

    @Test
    void cve_2019_20445_multipleDifferingContentLength() {
        assertRequestRefused(H1Error.CONFLICTING_CONTENT_LENGTH,
                POST + "Content-Length: 0\r\nContent-Length: 43\r\n\r\n");
        assertRequestRefused(H1Error.CONFLICTING_CONTENT_LENGTH, POST + "Content-Length: 43, 0\r\n\r\n");
    }

    @Test
    void cve_2019_20445_contentLengthWithTransferEncoding() {
        assertRequestRefused(H1Error.CONTENT_LENGTH_WITH_TRANSFER_ENCODING,
                POST + "Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.CONTENT_LENGTH_WITH_TRANSFER_ENCODING,
                POST + "Transfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n0\r\n\r\n");
    }

    @Test
    void cve_2020_7238_leadingSpaceBeforeTransferEncoding() {
        // as the first field line, where RFC 9112 §2.2 lets a server reject or skip it ...
        assertRequestRefused(H1Error.OBS_FOLD,
                "POST / HTTP/1.1\r\n Transfer-Encoding: chunked\r\nHost: h\r\nContent-Length: 1\r\n\r\n0\r\n\r\n");
        // ... and after another field, where it is obs-fold
        assertRequestRefused(H1Error.OBS_FOLD,
                POST + " Transfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.OBS_FOLD,
                POST + "\tTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n0\r\n\r\n");
    }

    @Test
    void cve_2021_43797_controlCharacterAfterHeaderName() {
        for (char c : new char[] {0x00, 0x01, 0x0b, 0x0c, 0x1f, 0x7f}) {
            assertRequestRefused(H1Error.INVALID_HEADER_NAME,
                    POST + "Transfer-Encoding" + c + ": chunked\r\nContent-Length: 1\r\n\r\n0\r\n\r\n");
        }
    }

    @Test
    void cve_2021_43797_controlCharacterBeforeHeaderName() {
        for (char c : new char[] {0x00, 0x01, 0x0b, 0x0c, 0x1f, 0x7f}) {
            assertRequestRefused(H1Error.INVALID_HEADER_NAME,
                    POST + c + "Transfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n0\r\n\r\n");
        }
    }

    @Test
    void cve_2025_58056_bareLfInsideChunkExtension() {
        // Netty took the LF as the end of the chunk-size line; a proxy reading it as part of the
        // extension sees different chunk boundaries
        assertRequestRefused(H1Error.INVALID_CHUNK_EXTENSION, CHUNKED + "1;a\nX\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.INVALID_CHUNK_EXTENSION, CHUNKED + "1;a=b\nX\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.INVALID_CHUNK_EXTENSION, CHUNKED + "1;a=\"b\nX\"\r\nX\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.INVALID_CHUNK_EXTENSION, CHUNKED + "1 ;a\nX\r\n0\r\n\r\n");
    }

    // ------------------------------------------------------------------ llhttp (Node.js)

    @Test
    void cve_2019_15605_obfuscatedTransferEncodingWithContentLength() {
        // hackerone 735748: "eee, chunked" with a Content-Length that smuggles the next request
        assertRequestRefused(H1Error.CONTENT_LENGTH_WITH_TRANSFER_ENCODING,
                POST + "Content-Length: 10\r\nTransfer-Encoding: eee, chunked\r\n\r\nHELLOWORLD" + SMUGGLED);
        assertRequestRefused(H1Error.UNSUPPORTED_TRANSFER_ENCODING,
                POST + "Transfer-Encoding: eee, chunked\r\n\r\n0\r\n\r\n");
    }

    @Test
    void cve_2020_8287_duplicateTransferEncoding() {
        assertRequestRefused(H1Error.UNSUPPORTED_TRANSFER_ENCODING,
                POST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: eee\r\n\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.UNSUPPORTED_TRANSFER_ENCODING,
                POST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    }

    @Test
    void cve_2021_22959_spaceBeforeColonInContentLength() {
        assertRequestRefused(H1Error.WHITESPACE_BEFORE_COLON, POST + "Content-Length : 1\r\n\r\nA");
    }

    @Test
    void cve_2021_22960_cve_2022_32213_invalidChunkExtension() {
        // Node's test-http-chunked-smuggling: a bare LF right after ';'
        assertRequestRefused(H1Error.INVALID_CHUNK_EXTENSION, CHUNKED + "2;\nxx\r\n4c\r\n0\r\n\r\n" + SMUGGLED);
        assertRequestRefused(H1Error.INVALID_CHUNK_EXTENSION, CHUNKED + "2;\u0001=x\r\nxx\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.INVALID_CHUNK_EXTENSION, CHUNKED + "2;a=\"\u0000\"\r\nxx\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.INVALID_CHUNK_EXTENSION, CHUNKED + "2;a=b c\r\nxx\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.INVALID_CHUNK_EXTENSION, CHUNKED + "2;a=\"b\"c\r\nxx\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.INVALID_CHUNK_EXTENSION, CHUNKED + "2;a \r\nxx\r\n0\r\n\r\n");
    }

    @Test
    void cve_2022_32213_chunkedFollowedByAnotherCoding() {
        assertRequestRefused(H1Error.UNSUPPORTED_TRANSFER_ENCODING,
                POST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked-false\r\n\r\n1\r\nA\r\n0\r\n\r\n");
    }

    @Test
    void cve_2022_32214_bareLfLineEndings() {
        assertRequestRefused(H1Error.BARE_LF, "POST / HTTP/1.1\nHost: h\r\n\r\n");
        assertRequestRefused(H1Error.BARE_LF, POST + "Transfer-Encoding: chunked\nContent-Length: 1\r\n\r\n");
        assertRequestRefused(H1Error.BARE_LF, POST + "X: y\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.BARE_LF, POST + "Content-Length: 0\r\n\n");
        assertRequestRefused(H1Error.BARE_LF, CHUNKED + "1\nA\r\n0\r\n\r\n");
    }

    @Test
    void cve_2022_32215_multiLineTransferEncoding() {
        assertRequestRefused(H1Error.OBS_FOLD,
                POST + "Transfer-Encoding: chunked\r\n , chunked-false\r\n\r\n1\r\nA\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.OBS_FOLD,
                POST + "Transfer-Encoding: identity\r\n\tchunked\r\nContent-Length: 1\r\n\r\nA");
    }

    @Test
    void cve_2022_35256_cve_2023_30589_bareCrEndsHeaderLine() {
        // a CR alone must not end a field line, or "X-Abc: \rxTransfer-Encoding: chunked" is two fields
        assertRequestRefused(H1Error.BARE_CR, POST + "X-Abc: \rxTransfer-Encoding: chunked\r\n\r\n1\r\nA\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.BARE_CR, POST + "X-Abc: a\rTransfer-Encoding: chunked\r\n\r\n1\r\nA\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.BARE_CR, "GET /\r HTTP/1.1\r\nHost: h\r\n\r\n");
    }

    @Test
    void cve_2024_27982_spaceBeforeContentLength() {
        assertRequestRefused(H1Error.OBS_FOLD, POST + " Content-Length: 10\r\n\r\nHELLOWORLD");
    }

    // ------------------------------------------------------------------ waitress, protocol-http1, h11

    @Test
    void cve_2022_24761_chunkSizeWithHexPrefix() {
        assertRequestRefused(H1Error.INVALID_CHUNK_SIZE, CHUNKED + "0x5\r\nhello\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.INVALID_CHUNK_SIZE, CHUNKED + "0X5\r\nhello\r\n0\r\n\r\n");
    }

    @Test
    void cve_2022_24761_chunkSizeWithSign() {
        // no hex digit starts the line: the size is missing (the '+' Python's int() accepted)
        assertRequestRefused(H1Error.MISSING_CHUNK_SIZE, CHUNKED + "+5\r\nhello\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.MISSING_CHUNK_SIZE, CHUNKED + "-5\r\nhello\r\n0\r\n\r\n");
    }

    @Test
    void chunkSizeWithLeadingOrInnerJunk() {
        assertRequestRefused(H1Error.MISSING_CHUNK_SIZE, CHUNKED + " 5\r\nhello\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.INVALID_CHUNK_SIZE, CHUNKED + "5 5\r\nhello\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.INVALID_CHUNK_SIZE, CHUNKED + "5_0\r\nhello\r\n0\r\n\r\n");
    }

    @Test
    void cve_2022_24761_contentLengthWithSignOrHexPrefix() {
        assertRequestRefused(H1Error.INVALID_CONTENT_LENGTH, POST + "Content-Length: +5\r\n\r\nhello");
        assertRequestRefused(H1Error.INVALID_CONTENT_LENGTH, POST + "Content-Length: -5\r\n\r\nhello");
        assertRequestRefused(H1Error.INVALID_CONTENT_LENGTH, POST + "Content-Length: 0x5\r\n\r\nhello");
        assertRequestRefused(H1Error.INVALID_CONTENT_LENGTH, POST + "Content-Length: 5 5\r\n\r\nhello");
        assertRequestRefused(H1Error.INVALID_CONTENT_LENGTH, POST + "Content-Length: 5.0\r\n\r\nhello");
    }

    @Test
    void cve_2022_24761_chunkExtensionWithInvalidCharacters() {
        assertRequestRefused(H1Error.INVALID_CHUNK_EXTENSION, CHUNKED + "5;\u0000\r\nhello\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.INVALID_CHUNK_EXTENSION, CHUNKED + "5;a=\u007f\r\nhello\r\n0\r\n\r\n");
    }

    @Test
    void cve_2025_43859_chunkDataNotFollowedByCrlf() {
        // h11 skipped any two bytes after chunk data
        assertRequestRefused(H1Error.MISSING_CHUNK_DATA_CRLF, CHUNKED + "5\r\nhelloXX0\r\n\r\n");
        assertRequestRefused(H1Error.MISSING_CHUNK_DATA_CRLF, CHUNKED + "5\r\nhello\rX0\r\n\r\n");
        assertRequestRefused(H1Error.MISSING_CHUNK_DATA_CRLF, CHUNKED + "5\r\nhello\n0\r\n\r\n");
    }

    @Test
    void cve_2025_22871_bareLfEndsChunkSizeLine() {
        // Go net/http took a bare LF as the end of a chunk-size line
        assertRequestRefused(H1Error.BARE_LF, CHUNKED + "5\nhello\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.BARE_CR, CHUNKED + "5\rhello\r\n0\r\n\r\n");
    }

    // ------------------------------------------------------------------ HAProxy

    @Test
    void cve_2019_18277_verticalTabBeforeChunked() {
        assertRequestRefused(H1Error.INVALID_HEADER_VALUE,
                POST + "Transfer-Encoding: \u000bchunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.INVALID_HEADER_VALUE,
                POST + "Transfer-Encoding: chunked\u000c\r\n\r\n0\r\n\r\n");
    }

    @Test
    void cve_2023_25725_emptyHeaderName() {
        assertRequestRefused(H1Error.EMPTY_HEADER_NAME, POST + ":\r\nContent-Length: 5\r\n\r\nhello");
        assertRequestRefused(H1Error.EMPTY_HEADER_NAME, POST + ": x\r\nContent-Length: 5\r\n\r\nhello");
    }

    @Test
    void cve_2023_40225_emptyContentLength() {
        assertRequestRefused(H1Error.INVALID_CONTENT_LENGTH, POST + "Content-Length:\r\n\r\n" + SMUGGLED);
        assertRequestRefused(H1Error.INVALID_CONTENT_LENGTH, POST + "Content-Length: \r\n\r\n" + SMUGGLED);
        assertRequestRefused(H1Error.INVALID_CONTENT_LENGTH,
                POST + "Content-Length: 5\r\nContent-Length:\r\n\r\nhello");
        assertRequestRefused(H1Error.INVALID_CONTENT_LENGTH, POST + "Content-Length: 5,\r\n\r\nhello");
        assertRequestRefused(H1Error.INVALID_CONTENT_LENGTH, POST + "Content-Length: ,5\r\n\r\nhello");
    }

    // ------------------------------------------------------------------ Transfer-Encoding values

    @Test
    void xchunkedIsNotChunked() {
        HttpParseException e = assertRequestRefused(H1Error.UNSUPPORTED_TRANSFER_ENCODING,
                POST + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n");
        assertEquals(501, e.status());
    }

    @Test
    void chunkedFollowedByIdentityIsRefused() {
        assertRequestRefused(H1Error.UNSUPPORTED_TRANSFER_ENCODING,
                POST + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.UNSUPPORTED_TRANSFER_ENCODING,
                POST + "Transfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.UNSUPPORTED_TRANSFER_ENCODING,
                POST + "Transfer-Encoding: chunked,\r\n\r\n0\r\n\r\n");
    }

    @Test
    void cve_2019_16789_exoticWhitespaceAroundChunked() {
        // waitress: bytes a proxy does not take for whitespace made "chunked" still match
        assertRequestRefused(H1Error.UNSUPPORTED_TRANSFER_ENCODING,
                POST + "Transfer-Encoding: \u0085chunked\r\n\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.UNSUPPORTED_TRANSFER_ENCODING,
                POST + "Transfer-Encoding: chunked\u00a0\r\n\r\n0\r\n\r\n");
    }

    @Test
    void transferEncodingInHttp10() {
        assertRequestRefused(H1Error.TRANSFER_ENCODING_IN_HTTP10,
                "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.TRANSFER_ENCODING_IN_HTTP10,
                "POST / HTTP/1.0\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    }

    @Test
    void forbiddenFieldsInTrailers() {
        assertRequestRefused(H1Error.FORBIDDEN_TRAILER, CHUNKED + "0\r\nContent-Length: 5\r\n\r\nhello");
        assertRequestRefused(H1Error.FORBIDDEN_TRAILER, CHUNKED + "0\r\nTransfer-Encoding: chunked\r\n\r\n");
        assertRequestRefused(H1Error.FORBIDDEN_TRAILER, CHUNKED + "0\r\nHost: evil\r\n\r\n");
        assertRequestRefused(H1Error.OBS_FOLD, CHUNKED + "0\r\nX: a\r\n b\r\n\r\n");
    }

    // ------------------------------------------------------------------ sizes that wrap

    @Test
    void chunkSizeOverflow() {
        assertRequestRefused(H1Error.CHUNK_SIZE_OVERFLOW, CHUNKED + "ffffffffffffffff1\r\nA\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.CHUNK_SIZE_OVERFLOW, CHUNKED + "10000000000000000\r\nA\r\n0\r\n\r\n");
        assertRequestRefused(H1Error.CHUNK_SIZE_OVERFLOW, CHUNKED + "8000000000000000\r\nA\r\n0\r\n\r\n");
    }

    @Test
    void contentLengthOverflow() {
        assertRequestRefused(H1Error.INVALID_CONTENT_LENGTH, POST + "Content-Length: 18446744073709551617\r\n\r\nA");
        assertRequestRefused(H1Error.INVALID_CONTENT_LENGTH, POST + "Content-Length: 9223372036854775808\r\n\r\nA");
    }

    // ------------------------------------------------------------------ classic smuggling shapes

    @Test
    void teClSmuggling() {
        // the front end reads the chunked body "GPOST ..."; a CL back end would read 4 bytes, then "GPOST"
        assertRequestRefused(H1Error.CONTENT_LENGTH_WITH_TRANSFER_ENCODING,
                POST + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 4\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n"
                        + "5c\r\nGPOST / HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                        + "Content-Length: 15\r\n\r\nx=1\r\n0\r\n\r\n");
    }

    @Test
    void clTeSmuggling() {
        assertRequestRefused(H1Error.CONTENT_LENGTH_WITH_TRANSFER_ENCODING,
                POST + "Content-Length: 13\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nSMUGGLED");
    }

    @Test
    void duplicateHost() {
        assertRequestRefused(H1Error.DUPLICATE_HOST, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
    }

    static Stream<Arguments> teTeObfuscations() {
        // PortSwigger's TE.TE list, each with a Content-Length the other hop would use
        String cl = "Content-Length: 4\r\n";
        String body = "\r\n5c\r\nGPOST / HTTP/1.1\r\n\r\n0\r\n\r\n";
        return Stream.of(
                Arguments.of("xchunked", cl + "Transfer-Encoding: xchunked\r\n" + body,
                        H1Error.CONTENT_LENGTH_WITH_TRANSFER_ENCODING),
                Arguments.of("space before colon", cl + "Transfer-Encoding : chunked\r\n" + body,
                        H1Error.WHITESPACE_BEFORE_COLON),
                Arguments.of("second TE", cl + "Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n" + body,
                        H1Error.CONTENT_LENGTH_WITH_TRANSFER_ENCODING),
                Arguments.of("tab before value", cl + "Transfer-Encoding:\tchunked\r\n" + body,
                        H1Error.CONTENT_LENGTH_WITH_TRANSFER_ENCODING),
                Arguments.of("leading space", cl + " Transfer-Encoding: chunked\r\n" + body, H1Error.OBS_FOLD),
                Arguments.of("LF inside previous field", cl + "X: X\nTransfer-Encoding: chunked\r\n" + body,
                        H1Error.BARE_LF),
                Arguments.of("LF before colon", cl + "Transfer-Encoding\n: chunked\r\n" + body, H1Error.BARE_LF),
                Arguments.of("second TE, no CL", "Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n" + body,
                        H1Error.UNSUPPORTED_TRANSFER_ENCODING),
                Arguments.of("upper-case coding, no CL", "Transfer-Encoding: CHUNKED, x\r\n" + body,
                        H1Error.UNSUPPORTED_TRANSFER_ENCODING));
    }

    @ParameterizedTest(name = "teTeObfuscation: {0}")
    @MethodSource("teTeObfuscations")
    void teTeObfuscation(String name, String fields, H1Error expected) {
        assertRequestRefused(expected, POST + fields);
    }

    // ------------------------------------------------------------------ responses from an origin

    @Test
    void originResponseWithContentLengthAndTransferEncoding() {
        HttpParseException e = assertResponseRefused(H1Error.CONTENT_LENGTH_WITH_TRANSFER_ENCODING,
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nhello");
        assertTrue(e.upstream());
        assertEquals(502, e.status());
        // framing is refused whatever the status says about a body
        assertResponseRefused(H1Error.CONTENT_LENGTH_WITH_TRANSFER_ENCODING,
                "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n");
    }

    @Test
    void originResponseFramingAttacksAreUpstreamErrors() {
        assertResponseRefused(H1Error.CONFLICTING_CONTENT_LENGTH,
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!");
        assertResponseRefused(H1Error.UNSUPPORTED_TRANSFER_ENCODING,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n");
        assertResponseRefused(H1Error.TRANSFER_ENCODING_IN_HTTP10,
                "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        assertResponseRefused(H1Error.BARE_LF, "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n");
        assertResponseRefused(H1Error.OBS_FOLD, "HTTP/1.1 200 OK\r\nX: a\r\n Content-Length: 0\r\n\r\n");
        assertResponseRefused(H1Error.INVALID_CHUNK_EXTENSION,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;a\nX\r\n0\r\n\r\n");
    }

    // ------------------------------------------------------------------ harness

    /** Asserts the request is refused with {@code expected}, finally, whole and byte by byte. */
    private static HttpParseException assertRequestRefused(H1Error expected, String attack) {
        return assertRefused(RequestParser::new, expected, attack, SMUGGLED);
    }

    private static HttpParseException assertResponseRefused(H1Error expected, String attack) {
        return assertRefused(ResponseParser::new, expected, attack, SMUGGLED_RESPONSE);
    }

    private static HttpParseException assertRefused(Supplier<H1Parser> parsers, H1Error expected, String attack,
                                                    String after) {
        String what = "input " + ParserFuzzTest.escape(attack);
        byte[] input = Transcript.bytes(attack + after);
        H1Parser parser = parsers.get();
        ByteBuffer buf = ByteBuffer.wrap(input);
        List<H1Event> events = new ArrayList<>();
        HttpParseException refused = null;
        for (int calls = 0; refused == null; calls++) {
            if (calls > input.length + 10) {
                fail("parser does not make progress on " + what + ": " + events);
            }
            try {
                H1Event e = parser.next(buf);
                if (e == H1Event.NEED_MORE) {
                    fail("accepted " + what + ": " + events);
                }
                events.add(e);
            } catch (HttpParseException e) {
                refused = e;
            }
        }
        assertEquals(expected, refused.error(), what);
        boolean upstream = parser instanceof ResponseParser;
        assertEquals(upstream, refused.upstream(), what);
        assertEquals(upstream ? 502 : expected.status(), refused.status(), what);

        // the bad message never completed, so nothing after it was taken for a message
        assertFalse(events.contains(H1Event.END), what + " completed: " + events);
        assertTrue(events.stream().filter(e -> e == H1Event.HEAD).count() <= 1, what + ": " + events);
        assertTrue(buf.position() <= attack.length(), what + ": consumed past the attack");

        // and the parser refuses everything from now on, consuming nothing
        ByteBuffer more = ByteBuffer.wrap(Transcript.bytes(after));
        assertSame(refused, assertThrows(HttpParseException.class, () -> parser.next(more)), what);
        assertEquals(0, more.position(), what);
        assertSame(refused, assertThrows(HttpParseException.class, parser::inputClosed), what);

        // the same verdict when the bytes trickle in one at a time
        List<String> trickled = Transcript.run(parsers.get(), input, Transcript.Feed.pieces(1), true);
        assertEquals("ERROR " + expected, Transcript.last(trickled), what + " byte by byte: " + trickled);
        assertFalse(trickled.contains("END"), what + " byte by byte: " + trickled);
        return refused;
    }
}
