package io.pingora4j.codec.h1;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Steady-state parsing allocates nothing. Measured with the JVM's per-thread allocation counter,
 * which counts bytes, not time, so it is exact on a noisy machine. The JMH benchmark reports the
 * same figure with -prof gc.
 *
 * <p>The assertion is "fewer bytes than rounds": the smallest object is 16 bytes, so a single
 * allocation per message would show as at least 16 bytes a round. Under {@code -Xint} the count is
 * exactly 0; with the JIT on, a recompilation ("made not entrant") now and then accounts a few
 * hundred bytes to the thread, which is not per-message work.
 */
class AllocationTest {

    private static final String REQUEST = "GET /static/app.js?v=12 HTTP/1.1\r\nHost: www.example.com\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0\r\nAccept: */*\r\n"
            + "Accept-Encoding: gzip, deflate, br\r\nCookie: session=abc123\r\nConnection: keep-alive\r\n\r\n";
    private static final String CHUNKED_RESPONSE = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n";

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static long parseAll(H1Parser parser, ByteBuffer in) {
        long sum = 0;
        in.position(0);
        for (;;) {
            H1Event e = parser.next(in);
            if (e == H1Event.HEAD) {
                sum += parser.head().headers().size() + parser.head().contentLength();
            } else if (e == H1Event.BODY) {
                sum += parser.bodyLength();
            } else if (e == H1Event.END) {
                return sum;
            }
        }
    }

    private static final int ROUNDS = 10_000;

    private static long bytesOverRounds(H1Parser parser, ByteBuffer in) {
        for (int i = 0; i < 20_000; i++) {
            parseAll(parser, in); // warm: storage grows to its steady size, the JIT settles
        }
        long before = allocatedBytes();
        long sink = 0;
        for (int i = 0; i < ROUNDS; i++) {
            sink += parseAll(parser, in);
        }
        long after = allocatedBytes();
        if (sink == 42) {
            System.out.println(sink);
        }
        return after - before;
    }

    private static void assertFewerBytesThanRounds(long bytes) {
        assertTrue(bytes < ROUNDS, bytes + " bytes over " + ROUNDS + " rounds: something allocates per message");
    }

    @Test
    void parsingARequestHeadAllocatesNothing() {
        ByteBuffer in = ByteBuffer.allocateDirect(512);
        in.put(REQUEST.getBytes(StandardCharsets.US_ASCII)).flip();
        assertFewerBytesThanRounds(bytesOverRounds(new RequestParser(), in));
    }

    @Test
    void parsingAChunkedResponseWithTrailersAllocatesNothing() {
        ByteBuffer in = ByteBuffer.wrap(CHUNKED_RESPONSE.getBytes(StandardCharsets.US_ASCII));
        assertFewerBytesThanRounds(bytesOverRounds(new ResponseParser(), in));
    }

    @Test
    void writingAnEditedHeadAllocatesNothing() {
        RequestParser parser = new RequestParser();
        ByteBuffer in = ByteBuffer.wrap(REQUEST.getBytes(StandardCharsets.US_ASCII));
        ByteBuffer out = ByteBuffer.allocate(1024);
        Runnable round = () -> {
            in.position(0);
            parser.next(in);
            RequestHead h = parser.head();
            h.headers().removeKind(KnownHeader.CONNECTION);
            h.headers().add("X-Forwarded-Proto", "http");
            out.clear();
            H1Writer.writeRequestHead(h, out);
            parser.next(in); // END
        };
        for (int i = 0; i < 20_000; i++) {
            round.run();
        }
        long before = allocatedBytes();
        for (int i = 0; i < ROUNDS; i++) {
            round.run();
        }
        assertFewerBytesThanRounds(allocatedBytes() - before);
    }
}
