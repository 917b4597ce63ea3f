package io.pingora4j.codec.h1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.ByteOrder;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of valid messages, each parsed at every split point, one byte at a time, and from
 * direct buffers of both byte orders: every way of receiving the bytes gives the same events.
 */
class SplitPointTest {

    static Stream<Arguments> corpus() {
        Supplier<H1Parser> req = RequestParser::new;
        Supplier<H1Parser> res = ResponseParser::new;
        Supplier<H1Parser> resToHead = () -> {
            ResponseParser p = new ResponseParser();
            p.expectResponseTo(HttpMethod.HEAD);
            return p;
        };
        return Stream.of(
            Arguments.of("simple GET", req, "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"),
            Arguments.of("browser GET", req, "GET /static/app.js?v=12 HTTP/1.1\r\nHost: www.example.com\r\n"
                    + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36\r\n"
                    + "Accept: */*\r\nAccept-Language: en-GB,en;q=0.9\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n"
                    + "Referer: https://www.example.com/\r\nCookie: session=abc123; theme=dark\r\nConnection: keep-alive\r\n"
                    + "Sec-Fetch-Dest: script\r\nSec-Fetch-Mode: no-cors\r\nSec-Fetch-Site: same-origin\r\n\r\n"),
            Arguments.of("POST with body", req, "POST /form HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: 27\r\n\r\nname=value&other=more+stuff"),
            Arguments.of("chunked with extensions and trailers", req, "PUT /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "4;n=v\r\nWiki\r\n5 ; q=\"a \\\"b\\\"\"\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Sum: 99\r\n\r\n"),
            Arguments.of("pipelined", req, "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "POST /3 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc\r\nGET /4 HTTP/1.0\r\n\r\n"),
            Arguments.of("absolute-form", req, "GET http://example.com:8080/x?y HTTP/1.1\r\nHost: example.com:8080\r\n\r\n"),
            Arguments.of("expect 100-continue", req, "PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\ndata"),
            Arguments.of("leading empty lines", req, "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"),
            Arguments.of("response with body", res, "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\n"
                    + "Content-Length: 13\r\nETag: \"abc\"\r\n\r\n<html></html>"),
            Arguments.of("chunked response", res, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "1a\r\nabcdefghijklmnopqrstuvwxyz\r\n3\r\n123\r\n0\r\n\r\n"),
            Arguments.of("interim then final", res, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                    + "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"),
            Arguments.of("close-delimited", res, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end"),
            Arguments.of("upgrade tunnel", res, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                    + "\u0081\u0005hello"),
            Arguments.of("head responses", resToHead, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
                    + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Arguments.of("bad: whitespace before colon", req, "GET / HTTP/1.1\r\nHost : a\r\n\r\n"),
            Arguments.of("bad: smuggled chunk extension", req, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "2;a\nxx\r\n0\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void everySplitPointGivesTheSameEvents(String name, Supplier<H1Parser> parser, String message) {
        byte[] input = Transcript.bytes(message);
        List<String> whole = Transcript.run(parser.get(), input, Transcript.Feed.whole(), true);
        assertFalse(whole.isEmpty());
        for (int at = 0; at <= input.length; at++) {
            assertEquals(whole, Transcript.run(parser.get(), input, Transcript.Feed.splitAt(at), true), "split at " + at);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void oneByteAtATimeGivesTheSameEvents(String name, Supplier<H1Parser> parser, String message) {
        byte[] input = Transcript.bytes(message);
        List<String> whole = Transcript.run(parser.get(), input, Transcript.Feed.whole(), true);
        for (int piece = 1; piece <= 9; piece++) {
            assertEquals(whole, Transcript.run(parser.get(), input, Transcript.Feed.pieces(piece), true), "pieces of " + piece);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void directBuffersOfEitherByteOrderGiveTheSameEvents(String name, Supplier<H1Parser> parser, String message) {
        byte[] input = Transcript.bytes(message);
        List<String> whole = Transcript.run(parser.get(), input, Transcript.Feed.whole(), true);
        for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            assertEquals(whole, Transcript.run(parser.get(), input, Transcript.Feed.whole().direct(order), true), order.toString());
            assertEquals(whole, Transcript.run(parser.get(), input, Transcript.Feed.pieces(3).direct(order), true), order.toString());
        }
    }
}
