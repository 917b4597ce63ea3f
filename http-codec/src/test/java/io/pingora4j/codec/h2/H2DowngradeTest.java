package io.pingora4j.codec.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.codec.h1.H1Error;
import io.pingora4j.codec.h1.HttpMethod;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The strict h2 to h1 downgrade: every request that may not be forwarded to an HTTP/1.1 origin
 * is refused as a stream error PROTOCOL_ERROR (RST_STREAM), the engine is told
 * ({@code onRefusedStream}), and the connection goes on serving the next stream.
 */
class H2DowngradeTest {

    private static final String RST_PROTOCOL_ERROR = "RST_STREAM stream=1 code=1";

    static Stream<Arguments> refusals() {
        return Stream.of(
            Arguments.of(H2Error.UPPERCASE_HEADER_NAME, RawClient.request("X-Upper", "1")),
            Arguments.of(H2Error.INVALID_HEADER_NAME, RawClient.request("x\rname", "1")),
            Arguments.of(H2Error.INVALID_HEADER_NAME, RawClient.request("x\nname", "1")),
            Arguments.of(H2Error.INVALID_HEADER_NAME, RawClient.request("x\0name", "1")),
            Arguments.of(H2Error.INVALID_HEADER_NAME, RawClient.request("x name", "1")),
            Arguments.of(H2Error.INVALID_HEADER_NAME, RawClient.request("x:name", "1")),
            Arguments.of(H2Error.INVALID_HEADER_VALUE, RawClient.request("x", "a\rb")),
            Arguments.of(H2Error.INVALID_HEADER_VALUE, RawClient.request("x", "a\nb")),
            Arguments.of(H2Error.INVALID_HEADER_VALUE, RawClient.request("x", "a\0b")),
            Arguments.of(H2Error.INVALID_HEADER_VALUE, RawClient.request("x", "a\u0001b")),
            Arguments.of(H2Error.INVALID_HEADER_VALUE, RawClient.request("x", "a longer value\nsmuggled: 1")),
            Arguments.of(H2Error.INVALID_HEADER_VALUE, RawClient.request("x", "a longer value with DEL \u007f")),
            Arguments.of(H2Error.INVALID_HEADER_VALUE, new String[] {":method", "GET", ":scheme", "https",
                ":path", "/a\r\nx: y", ":authority", "h"}),
            Arguments.of(H2Error.HEADER_VALUE_WHITESPACE, RawClient.request("x", " a")),
            Arguments.of(H2Error.HEADER_VALUE_WHITESPACE, RawClient.request("x", "a\t")),
            Arguments.of(H2Error.EMPTY_HEADER_NAME, RawClient.request("", "v")),
            Arguments.of(H2Error.CONNECTION_SPECIFIC_HEADER, RawClient.request("connection", "close")),
            Arguments.of(H2Error.CONNECTION_SPECIFIC_HEADER, RawClient.request("keep-alive", "5")),
            Arguments.of(H2Error.CONNECTION_SPECIFIC_HEADER, RawClient.request("proxy-connection", "close")),
            Arguments.of(H2Error.CONNECTION_SPECIFIC_HEADER, RawClient.request("transfer-encoding", "chunked")),
            Arguments.of(H2Error.CONNECTION_SPECIFIC_HEADER, RawClient.request("upgrade", "h2c")),
            Arguments.of(H2Error.TE_NOT_TRAILERS, RawClient.request("te", "gzip")),
            Arguments.of(H2Error.TE_NOT_TRAILERS, RawClient.request("te", "trailers, deflate")),
            Arguments.of(H2Error.MISSING_PSEUDO_HEADER, new String[] {":scheme", "https", ":path", "/",
                ":authority", "h"}),
            Arguments.of(H2Error.MISSING_PSEUDO_HEADER, new String[] {":method", "GET", ":path", "/",
                ":authority", "h"}),
            Arguments.of(H2Error.MISSING_PSEUDO_HEADER, new String[] {":method", "GET", ":scheme", "https",
                ":authority", "h"}),
            Arguments.of(H2Error.DUPLICATE_PSEUDO_HEADER, RawClient.request(":path", "/again")),
            Arguments.of(H2Error.LATE_PSEUDO_HEADER, new String[] {":method", "GET", ":scheme", "https",
                "x", "1", ":path", "/", ":authority", "h"}),
            Arguments.of(H2Error.UNKNOWN_PSEUDO_HEADER, RawClient.request(":status", "200")),
            Arguments.of(H2Error.UNKNOWN_PSEUDO_HEADER, RawClient.request(":protocol", "websocket")),
            Arguments.of(H2Error.UNKNOWN_PSEUDO_HEADER, RawClient.request(":foo", "bar")),
            Arguments.of(H2Error.INVALID_PATH, new String[] {":method", "GET", ":scheme", "https", ":path", "",
                ":authority", "h"}),
            Arguments.of(H2Error.INVALID_PATH, new String[] {":method", "GET", ":scheme", "https", ":path", "a/b",
                ":authority", "h"}),
            Arguments.of(H2Error.INVALID_PATH, new String[] {":method", "GET", ":scheme", "https", ":path", "*",
                ":authority", "h"}),
            Arguments.of(H2Error.UNSUPPORTED_SCHEME, new String[] {":method", "GET", ":scheme", "ftp", ":path", "/",
                ":authority", "h"}),
            Arguments.of(H2Error.INVALID_CONNECT, new String[] {":method", "CONNECT", ":authority", "h:443",
                ":path", "/"}),
            Arguments.of(H2Error.INVALID_CONNECT, new String[] {":method", "CONNECT", ":authority", "h:443",
                ":scheme", "https"}),
            Arguments.of(H2Error.INVALID_CONNECT, new String[] {":method", "CONNECT"}),
            Arguments.of(H2Error.MISSING_AUTHORITY, new String[] {":method", "GET", ":scheme", "https", ":path", "/"}),
            Arguments.of(H2Error.AUTHORITY_HOST_MISMATCH, RawClient.request("host", "evil.example")),
            Arguments.of(H2Error.INVALID_HTTP1_HEAD, new String[] {":method", "G(T", ":scheme", "https",
                ":path", "/", ":authority", "h"}),
            Arguments.of(H2Error.INVALID_HTTP1_HEAD, new String[] {":method", "GET", ":scheme", "https",
                ":path", "/a b", ":authority", "h"}),
            Arguments.of(H2Error.INVALID_HTTP1_HEAD, RawClient.request("content-length", "abc")),
            Arguments.of(H2Error.INVALID_HTTP1_HEAD, new String[] {":method", "GET", ":scheme", "https",
                ":path", "/", ":authority", "a@b"}));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("refusals")
    void malformedRequestIsRefusedAndTheConnectionGoesOn(H2Error expected, String[] fields) {
        RawClient c = new RawClient();
        c.headers(1, true, fields);
        assertEquals(List.of(RST_PROTOCOL_ERROR), c.sendAndKeepErrors());
        List<String> events = c.server.events;
        assertEquals(1, events.size(), events.toString());
        assertTrue(events.get(0).startsWith("refused 1 " + expected), events.toString());
        c.headers(3, true, RawClient.request());
        assertEquals(List.of(), c.sendAndKeepErrors());
        assertEquals("request 3 GET / end=true", c.server.events.get(1));
    }

    @Test
    void headerBlockSplitIntoContinuationAtEveryByteGivesTheSameRequest() {
        byte[] block = RawClient.block(RawClient.request("user-agent", "test/1.0", "cookie", "a=1", "cookie", "b=2",
                "x-long", "v".repeat(300)));
        for (int k = 0; k <= block.length; k++) {
            RawClient c = new RawClient();
            c.frame(H2Frames.HEADERS, H2Frames.FLAG_END_STREAM, 1, java.util.Arrays.copyOfRange(block, 0, k));
            c.frame(H2Frames.CONTINUATION, H2Frames.FLAG_END_HEADERS, 1,
                    java.util.Arrays.copyOfRange(block, k, block.length));
            assertEquals(List.of(), c.sendAndKeepErrors(), "split at " + k);
            RequestHead h = c.server.requests.get(1);
            assertEquals("a=1; b=2", h.headers().get("cookie"), "split at " + k);
            assertEquals(300, h.headers().get("x-long").length(), "split at " + k);
            assertEquals("test/1.0", h.headers().get("user-agent"), "split at " + k);
        }
    }

    @Test
    void h1RuleBrokenIsNamedInTheRefusal() {
        RawClient c = new RawClient();
        c.headers(1, true, RawClient.request("content-length", "1, 2"));
        c.send();
        assertEquals("refused 1 INVALID_HTTP1_HEAD " + H1Error.CONFLICTING_CONTENT_LENGTH, c.server.events.get(0));
    }

    @Test
    void authorityBecomesHost() {
        RawClient c = new RawClient();
        c.headers(1, true, RawClient.request("host", "example.com", "x", "1"));
        c.send();
        RequestHead h = c.server.requests.get(1);
        assertEquals("example.com", h.headers().get("host"));
        assertEquals(1, h.headers().removeAll("host"), "one Host when :authority and Host agree");
    }

    @Test
    void hostAloneIsAcceptedWithoutAuthority() {
        RawClient c = new RawClient();
        c.headers(1, true, ":method", "GET", ":scheme", "http", ":path", "/", "host", "h.example");
        c.send();
        assertEquals("h.example", c.server.requests.get(1).authority());
    }

    @Test
    void optionsAsteriskIsAccepted() {
        RawClient c = new RawClient();
        c.headers(1, true, ":method", "OPTIONS", ":scheme", "https", ":path", "*", ":authority", "h");
        c.send();
        assertEquals(RequestHead.TargetForm.ASTERISK, c.server.requests.get(1).targetForm());
    }

    @Test
    void connectBecomesAnAuthorityFormRequest() {
        RawClient c = new RawClient();
        c.headers(1, false, ":method", "CONNECT", ":authority", "db.example:5432");
        c.send();
        RequestHead h = c.server.requests.get(1);
        assertEquals(HttpMethod.CONNECT, h.method());
        assertEquals(RequestHead.TargetForm.AUTHORITY, h.targetForm());
        assertEquals("db.example:5432", h.authority());
    }

    @Test
    void teTrailersIsAccepted() {
        RawClient c = new RawClient();
        c.headers(1, true, RawClient.request("te", "trailers"));
        assertEquals(List.of(), c.sendAndKeepErrors());
        assertEquals("trailers", c.server.requests.get(1).headers().get("te"));
    }

    // ------------------------------------------------------------------ content-length against DATA

    @Test
    void contentLengthShortOfTheDataReceivedAtEndOfStreamResetsTheStream() {
        RawClient c = new RawClient();
        c.headers(1, false, RawClient.request("content-length", "5")).data(1, "abc", true);
        assertEquals(List.of(RST_PROTOCOL_ERROR), c.sendAndKeepErrors());
        assertEquals("reset 1 PROTOCOL_ERROR CONTENT_LENGTH_MISMATCH", c.server.events.get(1));
    }

    @Test
    void dataBeyondContentLengthResetsTheStreamAtTheOverflow() {
        RawClient c = new RawClient();
        c.headers(1, false, RawClient.request("content-length", "2")).data(1, "abc", false);
        assertEquals(List.of(RST_PROTOCOL_ERROR), c.sendAndKeepErrors());
        assertEquals(List.of("request 1 GET / end=false", "reset 1 PROTOCOL_ERROR CONTENT_LENGTH_MISMATCH"),
                c.server.events);
        assertEquals("", c.server.body(1), "the overflowing bytes are not delivered");
    }

    @Test
    void contentLengthWithEndStreamOnTheHeadersIsRefused() {
        RawClient c = new RawClient();
        c.headers(1, true, RawClient.request("content-length", "3"));
        assertEquals(List.of(RST_PROTOCOL_ERROR), c.sendAndKeepErrors());
        assertEquals("refused 1 CONTENT_LENGTH_MISMATCH", c.server.events.get(0));
    }

    @Test
    void contentLengthCheckedAgainstTrailersEnd() {
        RawClient c = new RawClient();
        c.headers(1, false, RawClient.request("content-length", "4")).data(1, "abc", false)
                .headers(1, true, "x-t", "1");
        assertEquals(List.of(RST_PROTOCOL_ERROR), c.sendAndKeepErrors());
    }

    // ------------------------------------------------------------------ trailers

    @Test
    void pseudoHeaderInTrailersResetsTheStream() {
        RawClient c = new RawClient();
        c.headers(1, false, RawClient.request()).headers(1, true, ":path", "/");
        assertEquals(List.of(RST_PROTOCOL_ERROR), c.sendAndKeepErrors());
        assertEquals("reset 1 PROTOCOL_ERROR PSEUDO_HEADER_IN_TRAILERS", c.server.events.get(1));
    }

    @Test
    void forbiddenTrailerResetsTheStream() {
        RawClient c = new RawClient();
        c.headers(1, false, RawClient.request()).headers(1, true, "content-length", "0");
        assertEquals(List.of(RST_PROTOCOL_ERROR), c.sendAndKeepErrors());
        assertEquals("reset 1 PROTOCOL_ERROR FORBIDDEN_TRAILER", c.server.events.get(1));
    }

    @Test
    void trailersWithoutEndStreamResetTheStream() {
        RawClient c = new RawClient();
        c.headers(1, false, RawClient.request()).headers(1, false, "x-t", "1");
        assertEquals(List.of(RST_PROTOCOL_ERROR), c.sendAndKeepErrors());
        assertEquals("reset 1 PROTOCOL_ERROR TRAILERS_WITHOUT_END_STREAM", c.server.events.get(1));
    }

    // ------------------------------------------------------------------ responses (client role)

    private static ResponseHead response(boolean endStream, HttpMethod method, String... nameValues) {
        HeadDowngrade d = new HeadDowngrade(1 << 16);
        d.begin(HeadDowngrade.Kind.RESPONSE);
        for (int i = 0; i < nameValues.length; i += 2) {
            byte[] n = nameValues[i].getBytes(StandardCharsets.ISO_8859_1);
            byte[] v = nameValues[i + 1].getBytes(StandardCharsets.ISO_8859_1);
            d.onField(n, 0, n.length, v, 0, v.length, false);
        }
        return d.finishResponse(1, endStream, method);
    }

    private static H2Error responseRefusal(String... nameValues) {
        return assertThrows(H2Exception.class, () -> response(false, HttpMethod.GET, nameValues)).error();
    }

    @Test
    void responseStatusMustBeThreeDigitsAndNot101() {
        assertEquals(H2Error.INVALID_STATUS, responseRefusal(":status", "20"));
        assertEquals(H2Error.INVALID_STATUS, responseRefusal(":status", "abc"));
        assertEquals(H2Error.INVALID_STATUS, responseRefusal(":status", "600"));
        assertEquals(H2Error.INVALID_STATUS, responseRefusal(":status", "101"));
        assertEquals(H2Error.MISSING_PSEUDO_HEADER, responseRefusal("server", "x"));
        assertEquals(H2Error.UNKNOWN_PSEUDO_HEADER, responseRefusal(":status", "200", ":path", "/"));
        assertEquals(H2Error.CONNECTION_SPECIFIC_HEADER, responseRefusal(":status", "200", "connection", "close"));
    }

    @Test
    void interimResponseCannotEndTheStream() {
        assertEquals(H2Error.INVALID_STATUS,
                assertThrows(H2Exception.class, () -> response(true, HttpMethod.GET, ":status", "103")).error());
    }

    @Test
    void responseDowngradesToAnHttp11Head() {
        ResponseHead h = response(false, HttpMethod.GET, ":status", "404", "content-type", "text/html");
        assertEquals(404, h.status());
        assertEquals("Not Found", h.reason());
        assertEquals("text/html", h.headers().get("content-type"));
        assertEquals(io.pingora4j.codec.h1.BodyFraming.CHUNKED, h.framing());
        assertNull(h.headers().get("transfer-encoding"));
        ResponseHead head = response(false, HttpMethod.HEAD, ":status", "200", "content-length", "10");
        assertEquals(io.pingora4j.codec.h1.BodyFraming.NONE, head.framing());
    }
}
