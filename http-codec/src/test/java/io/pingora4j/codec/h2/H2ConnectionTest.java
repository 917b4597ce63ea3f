package io.pingora4j.codec.h2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.codec.h1.BodyFraming;
import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.HttpMethod;
import io.pingora4j.codec.h1.MessageHead;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A client-role connection talking to a server-role one in memory: requests and responses round
 * trip as h1 heads, bodies pass under flow control however small the windows, and the
 * connection-level mechanics (SETTINGS, PING, GOAWAY, RST_STREAM) behave as RFC 9113 says.
 */
class H2ConnectionTest {

    private final Peer client = Peer.client(H2Limits.DEFAULTS);
    private final Peer server = Peer.server(H2Limits.DEFAULTS);

    private static RequestHead get(String target) {
        RequestHead h = new RequestHead();
        h.setMethod(HttpMethod.GET);
        h.setTarget(target);
        h.headers().add("Host", "example.com");
        h.headers().add("User-Agent", "test/1.0");
        h.headers().add("Accept", "*/*");
        return h;
    }

    private void connect(Peer c, Peer s) {
        c.conn.start();
        s.conn.start();
        Peer.pump(c, s);
    }

    private static ByteBuffer bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return ByteBuffer.wrap(b);
    }

    @Test
    void prefaceAndSettingsAreExchangedAndAcknowledged() {
        connect(client, server);
        assertFalse(client.conn.awaitingSettingsAck());
        assertFalse(server.conn.awaitingSettingsAck());
        assertTrue(client.conn.peerSettingsReceived());
        assertTrue(server.conn.peerSettingsReceived());
        assertNull(client.connectionError);
        assertNull(server.connectionError);
    }

    @Test
    void getRequestArrivesAsAnHttp11Head() {
        connect(client, server);
        int id = client.conn.openStream(get("/path?q=1"), "https", true);
        Peer.pump(client, server);
        assertEquals(1, id);
        assertEquals(List.of("request 1 GET /path?q=1 end=true"), server.events);
        RequestHead h = server.requests.get(1);
        assertEquals(MessageHead.HTTP_1_1, h.version());
        assertEquals("example.com", h.authority());
        assertEquals("example.com", h.headers().get("host"));
        assertEquals("test/1.0", h.headers().get("user-agent"));
        assertEquals(BodyFraming.NONE, h.framing());
    }

    @Test
    void responseWithBodyArrivesAtTheClient() {
        connect(client, server);
        int id = client.conn.openStream(get("/"), "https", true);
        Peer.pump(client, server);
        ResponseHead r = new ResponseHead();
        r.headers().add("Content-Type", "text/plain");
        r.headers().add("Connection", "keep-alive");
        r.headers().add("Transfer-Encoding", "chunked");
        r.setContentLength(5);
        assertTrue(server.conn.writeHeaders(id, r, false));
        assertEquals(5, server.conn.writeData(id, ByteBuffer.wrap("hello".getBytes()), true));
        Peer.pump(client, server);
        assertEquals(List.of("response 1 200 end=false", "end 1"), client.events);
        ResponseHead got = client.responses.get(1);
        assertEquals("text/plain", got.headers().get("content-type"));
        assertNull(got.headers().get("connection"), "connection-specific fields are not sent");
        assertNull(got.headers().get("transfer-encoding"));
        assertEquals("hello", client.body(1));
        assertEquals(0, server.conn.activeStreams());
        assertEquals(0, client.conn.activeStreams());
    }

    @Test
    void requestWithoutContentLengthHasChunkedFramingAndNoTransferEncodingField() {
        connect(client, server);
        RequestHead post = get("/upload");
        post.setMethod(HttpMethod.POST);
        int id = client.conn.openStream(post, "https", false);
        client.conn.writeData(id, ByteBuffer.wrap("abc".getBytes()), true);
        Peer.pump(client, server);
        RequestHead h = server.requests.get(id);
        assertEquals(BodyFraming.CHUNKED, h.framing());
        assertNull(h.headers().get("transfer-encoding"));
        assertEquals("abc", server.body(id));
        assertEquals(List.of("request 1 POST /upload end=false", "end 1"), server.events);
    }

    @Test
    void requestWithContentLengthHasContentLengthFraming() {
        connect(client, server);
        RequestHead post = get("/upload");
        post.setMethod(HttpMethod.POST);
        post.setContentLength(3);
        int id = client.conn.openStream(post, "https", false);
        client.conn.writeData(id, ByteBuffer.wrap("abc".getBytes()), true);
        Peer.pump(client, server);
        RequestHead h = server.requests.get(id);
        assertEquals(BodyFraming.CONTENT_LENGTH, h.framing());
        assertEquals(3, h.contentLength());
        assertEquals("abc", server.body(id));
    }

    @Test
    void cookieCrumbsAreJoinedIntoOneField() {
        connect(client, server);
        RequestHead h = get("/");
        h.headers().add("Cookie", "a=1");
        h.headers().add("Cookie", "b=2");
        client.conn.openStream(h, "https", true);
        Peer.pump(client, server);
        HeaderBlock f = server.requests.get(1).headers();
        assertEquals("a=1; b=2", f.get("cookie"));
        assertEquals(1, f.removeAll("cookie"));
    }

    @Test
    void trailersPassBothWays() {
        connect(client, server);
        RequestHead post = get("/grpc");
        post.setMethod(HttpMethod.POST);
        post.headers().add("TE", "trailers");
        int id = client.conn.openStream(post, "https", false);
        client.conn.writeData(id, ByteBuffer.wrap("req".getBytes()), false);
        HeaderBlock t = new HeaderBlock();
        t.add("X-Checksum", "abc");
        client.conn.writeTrailers(id, t);
        Peer.pump(client, server);
        assertEquals("abc", server.trailers.get(id).get("x-checksum"));
        assertEquals("trailers", server.requests.get(id).headers().get("te"));

        ResponseHead r = new ResponseHead();
        server.conn.writeHeaders(id, r, false);
        server.conn.writeData(id, ByteBuffer.wrap("resp".getBytes()), false);
        HeaderBlock st = new HeaderBlock();
        st.add("grpc-status", "0");
        server.conn.writeTrailers(id, st);
        Peer.pump(client, server);
        assertEquals("0", client.trailers.get(id).get("grpc-status"));
        assertEquals("resp", client.body(id));
        assertEquals(0, client.conn.activeStreams());
        assertEquals(0, server.conn.activeStreams());
    }

    @Test
    void interimResponseComesBeforeTheFinalOne() {
        connect(client, server);
        RequestHead post = get("/");
        post.setMethod(HttpMethod.POST);
        post.headers().add("Expect", "100-continue");
        int id = client.conn.openStream(post, "https", false);
        Peer.pump(client, server);
        assertTrue(server.requests.get(id).expectContinue());
        ResponseHead cont = new ResponseHead();
        cont.setStatus(100);
        server.conn.writeHeaders(id, cont, false);
        Peer.pump(client, server);
        client.conn.writeData(id, ByteBuffer.wrap("x".getBytes()), true);
        Peer.pump(client, server);
        ResponseHead ok = new ResponseHead();
        ok.setStatus(204);
        server.conn.writeHeaders(id, ok, true);
        Peer.pump(client, server);
        assertEquals(List.of("response 1 100 end=false", "response 1 204 end=true"), client.events);
    }

    @Test
    void megabyteBodiesPassBothWaysThroughTinyWindows() {
        H2Limits tiny = H2Limits.DEFAULTS.withWindows(100, 65_535);
        Peer c = Peer.client(tiny);
        Peer s = Peer.server(tiny);
        connect(c, s);
        RequestHead post = get("/big");
        post.setMethod(HttpMethod.POST);
        int id = c.conn.openStream(post, "https", false);
        ByteBuffer up = bytes(1 << 20, 1);
        ByteBuffer down = bytes(1 << 20, 2);
        boolean responded = false;
        for (int round = 0; round < 1_000_000 && (up.hasRemaining() || down.hasRemaining() || !responded); round++) {
            if (up.hasRemaining()) {
                c.conn.writeData(id, up, true);
            }
            if (s.requests.containsKey(id) && !responded) {
                s.conn.writeHeaders(id, new ResponseHead(), false);
                responded = true;
            }
            if (responded && down.hasRemaining()) {
                s.conn.writeData(id, down, true);
            }
            Peer.pump(c, s);
        }
        assertEquals(1 << 20, s.bodyLength(id));
        assertEquals(1 << 20, c.bodyLength(id));
        assertArrayEquals(up.array(), s.bodies.get(id).toByteArray());
        assertArrayEquals(down.array(), c.bodies.get(id).toByteArray());
        assertEquals(0, s.conn.activeStreams());
        assertNull(s.connectionError);
        assertNull(c.connectionError);
    }

    @Test
    void receiverThatDoesNotConsumeStopsTheSenderUntilItDoes() {
        H2Limits small = H2Limits.DEFAULTS.withWindows(1000, 65_535);
        Peer c = Peer.client(small);
        Peer s = Peer.server(small);
        connect(c, s);
        s.autoConsume = false;
        RequestHead post = get("/");
        post.setMethod(HttpMethod.POST);
        int id = c.conn.openStream(post, "https", false);
        ByteBuffer body = bytes(5000, 3);
        assertEquals(1000, c.conn.writeData(id, body, true));
        assertEquals(0, c.conn.writeData(id, body, true));
        Peer.pump(c, s);
        assertEquals(1000, s.bodyLength(id));
        assertEquals(0, c.conn.sendWindow(id));
        assertFalse(c.events.contains("writable " + id));
        s.consumeAll();
        Peer.pump(c, s);
        assertTrue(c.events.contains("writable " + id), c.events.toString());
        assertEquals(1000, c.conn.sendWindow(id));
    }

    @Test
    void dataIsSplitIntoFramesOfThePeersMaxFrameSize() {
        connect(client, server);
        RequestHead post = get("/");
        post.setMethod(HttpMethod.POST);
        int id = client.conn.openStream(post, "https", false);
        Peer.pump(client, server);
        client.takeSent();
        assertEquals(40_000, client.conn.writeData(id, bytes(40_000, 4), false));
        byte[] sent = client.takeSent();
        List<String> frames = FrameTranscript.read(concat(Hex.bytes(H2FrameReaderTest.SETTINGS_EMPTY), sent), false);
        assertEquals(List.of("SETTINGS ack=false", "DATA stream=1 frame=16384 data=16384 end=false",
                "DATA stream=1 frame=16384 data=16384 end=false", "DATA stream=1 frame=7232 data=7232 end=false"),
                frames.stream().filter(l -> !l.startsWith("  ")).toList());
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void dataIsDeliveredAsAWindowOfTheInputBuffer() {
        Peer out = Peer.server(H2Limits.DEFAULTS); // only its sink is used
        ByteBuffer[] seen = new ByteBuffer[1];
        int[] window = new int[2];
        H2Connection conn = new H2Connection(H2Connection.Role.SERVER, H2Limits.DEFAULTS, new H2Listener() {
            @Override
            public void onData(int streamId, ByteBuffer data, boolean endStream) {
                seen[0] = data;
                window[0] = data.position();
                window[1] = data.limit();
            }

            @Override
            public void onConnectionError(H2Exception error) {
                throw new AssertionError(error);
            }
        }, out);
        conn.start();
        ByteBuffer in = ByteBuffer.allocate(256);
        in.put(H2Frames.preface());
        H2FrameWriter.settings(in, new int[0], new long[0], 0);
        in.put(RawClientFrames.headers(1));
        int dataAt = in.position() + 9;
        H2FrameWriter.frameHeader(in, 5, H2Frames.DATA, 0, 1);
        in.put("hello".getBytes());
        in.flip();
        conn.receive(in, 0);
        assertTrue(seen[0] == in, "the listener got the input buffer itself");
        assertEquals(dataAt, window[0]);
        assertEquals(dataAt + 5, window[1]);
        assertEquals(in.limit(), in.position(), "all input consumed");
    }

    @Test
    void dataIsSentFromTheCallersBufferWithoutACopy() {
        RequestHead post = get("/");
        post.setMethod(HttpMethod.POST);
        ByteBuffer[] passed = new ByteBuffer[1];
        H2Connection conn = new H2Connection(H2Connection.Role.CLIENT, H2Limits.DEFAULTS, client, new H2FrameSink() {
            private final ByteBuffer out = ByteBuffer.allocate(4096);

            @Override
            public ByteBuffer reserve(int bytes) {
                out.clear();
                return out;
            }

            @Override
            public void payload(ByteBuffer data) {
                passed[0] = data;
            }
        });
        conn.start();
        int sid = conn.openStream(post, "https", false);
        ByteBuffer body = ByteBuffer.wrap("abc".getBytes());
        assertEquals(3, conn.writeData(sid, body, false));
        assertTrue(passed[0] == body);
        assertEquals(3, body.position());
    }

    @Test
    void windowUpdatesAreBatchedUntilHalfAWindowIsConsumed() {
        H2Limits small = H2Limits.DEFAULTS.withWindows(1000, 65_535);
        RawClient c = new RawClient(small);
        c.server.autoConsume = false;
        c.headers(1, false, RawClient.request()).data(1, "x".repeat(400), false);
        c.send();
        c.server.conn.consumed(1, 400);
        assertEquals(List.of(), c.send().stream().filter(l -> l.startsWith("WINDOW_UPDATE")).toList(),
                "400 of a 1000-byte window: no update yet");
        c.data(1, "y".repeat(200), false);
        c.send();
        c.server.conn.consumed(1, 200);
        assertEquals(List.of("WINDOW_UPDATE stream=1 inc=600"),
                c.send().stream().filter(l -> l.startsWith("WINDOW_UPDATE")).toList());
    }

    @Test
    void pingIsAnswered() {
        connect(client, server);
        client.conn.ping(42);
        Peer.pump(client, server);
        assertEquals(List.of("pong 42"), client.events);
    }

    @Test
    void streamResetByTheClientIsReportedToTheServer() {
        connect(client, server);
        int id = client.conn.openStream(get("/"), "https", false);
        Peer.pump(client, server);
        client.conn.resetStream(id, H2ErrorCode.CANCEL);
        Peer.pump(client, server);
        assertEquals(List.of("request 1 GET / end=false", "reset 1 CANCEL by peer"), server.events);
        assertEquals(0, server.conn.activeStreams());
    }

    @Test
    void streamsOverTheConcurrencyLimitAreRefused() {
        Peer s = Peer.server(H2Limits.DEFAULTS.withMaxConcurrentStreams(2));
        Peer c = Peer.client(H2Limits.DEFAULTS);
        c.conn.start();
        s.conn.start();
        // open three before the server's SETTINGS reach the client
        c.conn.openStream(get("/1"), "https", false);
        c.conn.openStream(get("/2"), "https", false);
        c.conn.openStream(get("/3"), "https", false);
        Peer.pump(c, s);
        assertEquals(List.of("request 1 GET /1 end=false", "request 3 GET /2 end=false",
                "refused 5 TOO_MANY_STREAMS"), s.events);
        assertEquals(List.of("reset 5 REFUSED_STREAM by peer"), c.events);
        assertFalse(c.conn.canOpenStream(), "the client now knows the limit");
    }

    @Test
    void gracefulShutdownLetsOpenStreamsFinish() {
        connect(client, server);
        int id = client.conn.openStream(get("/"), "https", true);
        Peer.pump(client, server);
        server.conn.shutdownGracefully();
        Peer.pump(client, server);
        assertEquals(List.of("goaway 2147483647 NO_ERROR", "goaway 1 NO_ERROR"), client.events);
        assertFalse(server.conn.canClose(), "stream 1 is still open");
        server.conn.writeHeaders(id, new ResponseHead(), true);
        Peer.pump(client, server);
        assertTrue(server.conn.canClose());
        assertTrue(client.events.contains("response 1 200 end=true"));
    }

    @Test
    void goAwayResetsTheClientsStreamsAboveItsLastStreamId() {
        connect(client, server);
        int a = client.conn.openStream(get("/a"), "https", true);
        int b = client.conn.openStream(get("/b"), "https", true);
        Peer.pump(client, server);
        int c = client.conn.openStream(get("/c"), "https", true); // not yet seen by the server
        server.conn.goAway(H2ErrorCode.NO_ERROR);
        server.receive(new byte[0], 1);
        client.receive(server.takeSent(), Integer.MAX_VALUE);
        assertEquals(List.of("reset " + c + " REFUSED_STREAM by peer", "goaway " + b + " NO_ERROR"), client.events);
        assertEquals(2, client.conn.activeStreams(), "streams " + a + " and " + b + " go on");
        assertFalse(client.conn.canOpenStream());
        server.receive(client.takeSent(), Integer.MAX_VALUE);
        assertFalse(server.events.contains("request " + c + " GET /c end=true"), "after GOAWAY a new stream is ignored");
    }

    @Test
    void responseShorterThanItsContentLengthResetsTheStream() {
        connect(client, server);
        int id = client.conn.openStream(get("/"), "https", true);
        Peer.pump(client, server);
        ResponseHead r = new ResponseHead();
        r.setContentLength(10);
        server.conn.writeHeaders(id, r, false);
        server.conn.writeData(id, ByteBuffer.wrap("short".getBytes()), true);
        Peer.pump(client, server);
        assertEquals(List.of("response 1 200 end=false", "reset 1 PROTOCOL_ERROR CONTENT_LENGTH_MISMATCH"), client.events);
    }

    @Test
    void responseToHeadKeepsItsContentLengthWithoutABody() {
        connect(client, server);
        RequestHead head = get("/");
        head.setMethod(HttpMethod.HEAD);
        int id = client.conn.openStream(head, "https", true);
        Peer.pump(client, server);
        ResponseHead r = new ResponseHead();
        r.setContentLength(1234);
        server.conn.writeHeaders(id, r, true);
        Peer.pump(client, server);
        assertEquals(List.of("response 1 200 end=true"), client.events);
        assertEquals("1234", client.responses.get(id).headers().get("content-length"));
    }

    @Test
    void settingsTimeoutFailsTheConnectionOnlyWhileUnacknowledged() {
        server.conn.start();
        server.conn.settingsTimeout();
        assertEquals(H2Error.SETTINGS_NOT_ACKNOWLEDGED, server.connectionError.error());
        Peer c = Peer.client(H2Limits.DEFAULTS);
        Peer s = Peer.server(H2Limits.DEFAULTS);
        connect(c, s);
        s.conn.settingsTimeout();
        assertNull(s.connectionError);
    }

    @Test
    void everythingSurvivesByteAtATimeDelivery() {
        client.conn.start();
        server.conn.start();
        Peer.pump(client, server, 1);
        RequestHead post = get("/x");
        post.setMethod(HttpMethod.POST);
        int id = client.conn.openStream(post, "https", false);
        client.conn.writeData(id, bytes(300, 5), false);
        HeaderBlock t = new HeaderBlock();
        t.add("x-t", "1");
        client.conn.writeTrailers(id, t);
        Peer.pump(client, server, 1);
        assertEquals(List.of("request 1 POST /x end=false", "trailers 1 1"), server.events);
        assertEquals(300, server.bodyLength(id));
    }
}
