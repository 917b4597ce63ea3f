package io.pingora4j.codec.h1;

import static io.pingora4j.codec.h1.Transcript.responseError;
import static io.pingora4j.codec.h1.Transcript.responses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Responses as a proxy reads them from origins (RFC 9112 §4, §6.3). */
class ResponseParserTest {

    @Test
    void parsesStatusReasonAndFields() {
        List<String> t = responses("HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\nServer: x\r\n\r\nabc");
        assertTrue(t.get(0).startsWith("HEAD 404 'Not Found' v=11 framing=CONTENT_LENGTH cl=3 keepAlive=true"), t.get(0));
        assertEquals("BODY abc", t.get(1));
        assertEquals("END", t.get(2));
    }

    @Test
    void missingReasonPhraseIsTolerated() {
        assertTrue(responses("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n").get(0).startsWith("HEAD 200 ''"));
    }

    @Test
    void emptyReasonPhraseIsAccepted() {
        assertTrue(responses("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n").get(0).startsWith("HEAD 200 ''"));
    }

    @Test
    void malformedStatusLineIsAnUpstreamError() {
        assertEquals(H1Error.INVALID_STATUS_LINE, responseError("HTTP/1.1 20 OK\r\n\r\n"));
        assertEquals(H1Error.INVALID_STATUS_LINE, responseError("HTTP/1.1 2000 OK\r\n\r\n"));
        assertEquals(H1Error.INVALID_STATUS_LINE, responseError("HTTP/1.1 099 OK\r\n\r\n"));
        assertEquals(H1Error.INVALID_STATUS_LINE, responseError("ICY 200 OK\r\n\r\n"));
        assertEquals(H1Error.INVALID_STATUS_LINE, responseError("\r\nHTTP/1.1 200 OK\r\n\r\n"));
    }

    @Test
    void upstreamErrorsAnswerTheClientWith502() {
        ResponseParser p = new ResponseParser();
        ByteBuffer in = ByteBuffer.wrap("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        HttpParseException e = assertThrows(HttpParseException.class, () -> p.next(in));
        assertTrue(e.upstream());
        assertEquals(502, e.status());
    }

    @Test
    void unsupportedVersionIsRefused() {
        assertEquals(H1Error.UNSUPPORTED_VERSION, responseError("HTTP/2.0 200 OK\r\n\r\n"));
    }

    @Test
    void contentLengthWithTransferEncodingIsRefused() {
        assertEquals(H1Error.CONTENT_LENGTH_WITH_TRANSFER_ENCODING,
                responseError("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"));
    }

    @Test
    void contentLengthWithTransferEncodingIsRefusedEvenWithoutABody() {
        assertEquals(H1Error.CONTENT_LENGTH_WITH_TRANSFER_ENCODING,
                responseError("HTTP/1.1 304 Not Modified\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"));
    }

    @Test
    void codingOtherThanChunkedIsRefused() {
        assertEquals(H1Error.UNSUPPORTED_TRANSFER_ENCODING, responseError("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"));
    }

    @Test
    void transferEncodingInHttp10IsRefused() {
        assertEquals(H1Error.TRANSFER_ENCODING_IN_HTTP10, responseError("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"));
    }

    @Test
    void differingContentLengthsAreRefused() {
        assertEquals(H1Error.CONFLICTING_CONTENT_LENGTH,
                responseError("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"));
    }

    @Test
    void chunkedBodyWithTrailers() {
        List<String> t = responses("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nGrpc-Status: 0\r\n\r\n");
        assertEquals("BODY abc", t.get(1));
        assertEquals("TRAILERS [Grpc-Status: 0]", t.get(2));
    }

    @Test
    void bodyWithoutLengthRunsUntilClose() {
        List<String> t = responses("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of this");
        assertTrue(t.get(0).contains("framing=UNTIL_CLOSE") && t.get(0).contains("keepAlive=false"), t.get(0));
        assertEquals("BODY all of this", t.get(1));
        assertEquals("END", t.get(2));
    }

    @Test
    void truncatedContentLengthBodyIsAPrematureClose() {
        assertEquals(H1Error.PREMATURE_CLOSE, responseError("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"));
    }

    @Test
    void responseToHeadHasNoBody() {
        List<String> t = responses(HttpMethod.HEAD, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
        assertTrue(t.get(0).contains("framing=NONE cl=1000"), t.get(0));
        assertEquals("END", t.get(1));
        assertTrue(t.get(2).startsWith("HEAD 204"), t.toString());
    }

    @Test
    void noContentHasNoBody() {
        List<String> t = responses("HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertEquals("END", t.get(1));
        assertTrue(t.get(2).startsWith("HEAD 200"), t.toString());
    }

    @Test
    void notModifiedHasNoBodyWhateverItsContentLength() {
        List<String> t = responses("HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n");
        assertTrue(t.get(0).contains("framing=NONE"), t.get(0));
        assertEquals("END", t.get(1));
        assertEquals("CLOSED", t.get(2));
    }

    @Test
    void interimResponsesPrecedeTheFinalOne() {
        List<String> t = responses("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertTrue(t.get(0).startsWith("HEAD 100"), t.toString());
        assertEquals("END", t.get(1));
        assertTrue(t.get(2).startsWith("HEAD 103") && t.get(2).contains("Link: </s.css>; rel=preload"), t.toString());
        assertTrue(t.get(4).startsWith("HEAD 200"), t.toString());
        assertEquals("BODY ok", t.get(5));
    }

    @Test
    void interimHeadIsMarkedInterim() {
        ResponseParser p = new ResponseParser();
        p.next(ByteBuffer.wrap("HTTP/1.1 103 Early Hints\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(p.head().interim());
    }

    @Test
    void switchingProtocolsTurnsTheConnectionIntoATunnel() {
        List<String> t = responses("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u0081\u0002hi");
        assertTrue(t.get(0).contains("framing=TUNNEL keepAlive=false") || t.get(0).contains("framing=TUNNEL cl=-1 keepAlive=false"), t.get(0));
        assertEquals("BODY \u0081\u0002hi", t.get(1));
        assertEquals("END", t.get(2));
    }

    @Test
    void successfulConnectTurnsTheConnectionIntoATunnel() {
        List<String> t = responses(HttpMethod.CONNECT, "HTTP/1.1 200 Connection Established\r\n\r\nraw bytes");
        assertTrue(t.get(0).contains("framing=TUNNEL"), t.get(0));
        assertEquals("BODY raw bytes", t.get(1));
    }

    @Test
    void failedConnectIsAnOrdinaryResponse() {
        List<String> t = responses(HttpMethod.CONNECT, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        assertTrue(t.get(0).contains("framing=CONTENT_LENGTH"), t.get(0));
    }

    @Test
    void http10ResponseWithoutKeepAliveIsNotPersistent() {
        List<String> t = responses("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertTrue(t.get(0).contains("keepAlive=false"), t.get(0));
    }

    @Test
    void responseWithConnectionCloseIsNotPersistent() {
        List<String> t = responses("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        assertTrue(t.get(0).contains("keepAlive=false"), t.get(0));
    }

    @Test
    void statusLineOverLimitIsRefused() {
        assertEquals(H1Error.STATUS_LINE_TOO_LONG, responseError("HTTP/1.1 200 " + "x".repeat(9000) + "\r\n\r\n"));
    }

    @Test
    void headerLineRulesApplyToResponsesToo() {
        assertEquals(H1Error.WHITESPACE_BEFORE_COLON, responseError("HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\nx"));
        assertEquals(H1Error.BARE_LF, responseError("HTTP/1.1 200 OK\nContent-Length: 1\r\n\r\nx"));
        assertEquals(H1Error.OBS_FOLD, responseError("HTTP/1.1 200 OK\r\nX: a\r\n\tb\r\nContent-Length: 0\r\n\r\n"));
    }

    @Test
    void keepAliveIsFalseForCloseDelimited() {
        ResponseParser p = new ResponseParser();
        p.next(ByteBuffer.wrap("HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertFalse(p.head().keepAlive());
    }
}
