package io.pingora4j.codec.h1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Serialising heads and chunked framing. */
class H1WriterTest {

    private static String text(ByteBuffer out) {
        out.flip();
        byte[] b = new byte[out.remaining()];
        out.get(b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static RequestParser parsed(String s) {
        RequestParser p = new RequestParser();
        assertEquals(H1Event.HEAD, p.next(ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1))));
        return p;
    }

    @Test
    void unchangedParsedHeadIsWrittenBackNormalised() {
        RequestParser p = parsed("GET /x?y HTTP/1.1\r\nHost:   a\r\nAccept:*/*  \r\n\r\n");
        ByteBuffer out = ByteBuffer.allocate(256);
        H1Writer.writeRequestHead(p.head(), out);
        assertEquals("GET /x?y HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n", text(out));
    }

    @Test
    void lengthIsExactlyWhatIsWritten() {
        RequestParser p = parsed("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n");
        p.head().headers().add("X-Forwarded-For", "10.0.0.1");
        ByteBuffer out = ByteBuffer.allocate(512);
        H1Writer.writeRequestHead(p.head(), out);
        assertEquals(H1Writer.requestHeadLength(p.head()), out.position());
    }

    @Test
    void editedHeadMixesSlicesAndAddedFields() {
        RequestParser p = parsed("GET /old HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\nX-Keep: 1\r\n\r\n");
        RequestHead h = p.head();
        h.headers().removeKind(KnownHeader.CONNECTION);
        h.headers().add("X-Forwarded-Proto", "https");
        h.headers().set("Host", "upstream:8080");
        h.setTarget("/new?q=1");
        ByteBuffer out = ByteBuffer.allocate(256);
        H1Writer.writeRequestHead(h, out);
        assertEquals("GET /new?q=1 HTTP/1.1\r\nX-Keep: 1\r\nX-Forwarded-Proto: https\r\nHost: upstream:8080\r\n\r\n", text(out));
    }

    @Test
    void responseHeadBuiltInCode() {
        ResponseHead h = new ResponseHead();
        h.setStatus(404);
        h.headers().add("Content-Type", "text/plain");
        h.setContentLength(9);
        ByteBuffer out = ByteBuffer.allocate(256);
        H1Writer.writeResponseHead(h, out);
        assertEquals("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\n", text(out));
    }

    @Test
    void setChunkedReplacesContentLength() {
        ResponseHead h = new ResponseHead();
        h.setContentLength(9);
        h.setChunked();
        assertEquals(BodyFraming.CHUNKED, h.framing());
        assertEquals(-1, h.headers().indexOfKind(KnownHeader.CONTENT_LENGTH));
        assertEquals("chunked", h.headers().get("transfer-encoding"));
    }

    @Test
    void bufferTooSmallOverflowsWithoutWritingPastItsLimit() {
        RequestParser p = parsed("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        ByteBuffer out = ByteBuffer.allocate(10);
        assertThrows(BufferOverflowException.class, () -> H1Writer.writeRequestHead(p.head(), out));
        assertEquals(0, out.position());
    }

    @Test
    void chunkHeadersAreLowerCaseHex() {
        ByteBuffer out = ByteBuffer.allocate(64);
        ChunkedEncoder.writeChunkHeader(1, out);
        ChunkedEncoder.writeChunkHeader(255, out);
        ChunkedEncoder.writeChunkHeader(4096, out);
        ChunkedEncoder.writeChunkEnd(out);
        assertEquals("1\r\nff\r\n1000\r\n\r\n", text(out));
    }

    @Test
    void chunkHeaderLengthMatchesWhatIsWritten() {
        for (long size : new long[] {1, 15, 16, 255, 256, 65535, 1L << 40, Long.MAX_VALUE}) {
            ByteBuffer out = ByteBuffer.allocate(32);
            ChunkedEncoder.writeChunkHeader(size, out);
            assertEquals(ChunkedEncoder.chunkHeaderLength(size), out.position(), Long.toString(size));
        }
    }

    @Test
    void emptyDataChunkIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ChunkedEncoder.chunkHeaderLength(0));
    }

    @Test
    void lastChunkCarriesTrailers() {
        HeaderBlock trailers = new HeaderBlock();
        trailers.add("X-Checksum", "abc");
        ByteBuffer out = ByteBuffer.allocate(64);
        ChunkedEncoder.writeLastChunk(trailers, out);
        assertEquals(ChunkedEncoder.lastChunkLength(trailers), out.position());
        assertEquals("0\r\nX-Checksum: abc\r\n\r\n", text(out));
    }

    @Test
    void writtenChunkedBodyParsesBack() {
        ByteBuffer out = ByteBuffer.allocate(256);
        out.put("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        ChunkedEncoder.writeChunkHeader(5, out);
        out.put("hello".getBytes(StandardCharsets.US_ASCII));
        ChunkedEncoder.writeChunkEnd(out);
        ChunkedEncoder.writeLastChunk(null, out);
        var t = Transcript.requests(text(out));
        assertEquals("BODY hello", t.get(1));
        assertEquals("END", t.get(2));
    }
}
