package io.pingora4j.codec.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One test per published HTTP/2 attack: the attack as its advisory describes it, sent by a
 * hand-driven client, and the limit that stops it (GOAWAY with ENHANCE_YOUR_CALM for the floods,
 * the rule's error code otherwise). Each also shows the legitimate load just under the limit is
 * served.
 */
class H2SecurityTest {

    private static final String GOAWAY_CALM = "GOAWAY last=%d code=" + H2ErrorCode.ENHANCE_YOUR_CALM + " debug=0";

    private static String calm(int last) {
        return String.format(GOAWAY_CALM, last);
    }

    private static String lastLine(List<String> lines) {
        return lines.isEmpty() ? "(nothing)" : lines.get(lines.size() - 1);
    }

    // ------------------------------------------------------------------ resets

    @Test
    void rapidResetCve2023_44487_goAwayEnhanceYourCalm() {
        RawClient c = new RawClient(H2Limits.DEFAULTS.withResetBudget(10, 1_000_000_000L));
        for (int i = 0; i < 10; i++) {
            int id = 1 + 2 * i;
            c.headers(id, false, RawClient.request()).rst(id, H2ErrorCode.CANCEL);
        }
        assertEquals(List.of(), c.sendAndKeepErrors(), "ten resets are within the budget");
        c.headers(21, false, RawClient.request()).rst(21, H2ErrorCode.CANCEL);
        assertEquals(List.of(calm(21)), c.sendAndKeepErrors());
        assertEquals(H2Error.RESET_FLOOD, c.server.connectionError.error());
    }

    @Test
    void rapidResetBudgetRefillsInTheNextWindow() {
        RawClient c = new RawClient(H2Limits.DEFAULTS.withResetBudget(10, 1_000_000_000L));
        for (int i = 0; i < 30; i++) {
            int id = 1 + 2 * i;
            c.server.clock = i / 10 * 1_000_000_000L; // ten per second
            c.headers(id, false, RawClient.request()).rst(id, H2ErrorCode.CANCEL);
            assertEquals(List.of(), c.sendAndKeepErrors(), "reset " + i);
        }
        assertNull(c.server.connectionError);
    }

    @Test
    void madeYouResetCve2025_8671_goAwayEnhanceYourCalm() {
        // frames that make the server reset the stream itself: WINDOW_UPDATE of 0 on an open stream
        RawClient c = new RawClient(H2Limits.DEFAULTS.withResetBudget(10, 1_000_000_000L));
        for (int i = 0; i < 10; i++) {
            int id = 1 + 2 * i;
            c.headers(id, false, RawClient.request()).windowUpdate(id, 0);
        }
        List<String> errors = c.sendAndKeepErrors();
        assertEquals(10, errors.size());
        assertTrue(errors.stream().allMatch(l -> l.endsWith("code=" + H2ErrorCode.PROTOCOL_ERROR)), errors.toString());
        c.headers(21, false, RawClient.request()).windowUpdate(21, 0);
        assertEquals(calm(21), lastLine(c.sendAndKeepErrors()));
        assertEquals(H2Error.RESET_FLOOD, c.server.connectionError.error());
    }

    @Test
    void madeYouResetCountsMalformedRequestsToo() {
        RawClient c = new RawClient(H2Limits.DEFAULTS.withResetBudget(5, 1_000_000_000L));
        for (int i = 0; i < 6; i++) {
            c.headers(1 + 2 * i, true, RawClient.request("connection", "close"));
        }
        assertEquals(calm(11), lastLine(c.sendAndKeepErrors()));
    }

    // ------------------------------------------------------------------ header blocks

    @Test
    void continuationFlood2024_goAwayEnhanceYourCalm() {
        RawClient c = new RawClient(H2Limits.DEFAULTS.withMaxContinuationFrames(32));
        c.frame(H2Frames.HEADERS, 0, 1, RawClient.block(RawClient.request()));
        for (int i = 0; i < 33; i++) {
            c.frame(H2Frames.CONTINUATION, 0, 1, RawClient.block("x-" + i, "1"));
        }
        assertEquals(List.of(calm(1)), c.sendAndKeepErrors());
        assertEquals(H2Error.CONTINUATION_FLOOD, c.server.connectionError.error());
        assertEquals(List.of("connection error CONTINUATION_FLOOD"), c.server.events, "no request reached the engine");
    }

    @Test
    void continuationFloodOfOneHugeFieldIsRefusedBeforeItIsBuffered() {
        RawClient c = new RawClient(H2Limits.DEFAULTS.withMaxHeaderListSize(4096));
        // a literal announcing a 1 MB value, of which only the first bytes are sent
        ByteBuffer b = ByteBuffer.allocate(64);
        b.put((byte) 0x00).put((byte) 0x01).put((byte) 'x');
        HpackEncoder.writeInt(b, 0x00, 7, 1 << 20);
        b.put("aaaa".getBytes());
        byte[] start = java.util.Arrays.copyOf(b.array(), b.position());
        c.frame(H2Frames.HEADERS, 0, 1, start);
        assertEquals(List.of(calm(1)), c.sendAndKeepErrors());
        assertEquals(H2Error.HEADER_LIST_TOO_LARGE, c.server.connectionError.error());
    }

    @Test
    void hpackBombIsRefusedWhileDecoding() {
        // one 4000-byte value in the dynamic table, then a block that references it twenty times:
        // 80 bytes on the wire, 80 KB of header list
        RawClient c = new RawClient(H2Limits.DEFAULTS.withMaxHeaderListSize(64 * 1024));
        ByteBuffer first = ByteBuffer.allocate(8192);
        first.put(RawClient.block(RawClient.request()));
        byte[] big = "b".repeat(4000).getBytes();
        byte[] name = "x-bomb".getBytes();
        first.put((byte) 0x40);
        HpackEncoder.writeInt(first, 0, 7, name.length);
        first.put(name);
        HpackEncoder.writeInt(first, 0, 7, big.length);
        first.put(big);
        c.frame(H2Frames.HEADERS, H2Frames.FLAG_END_HEADERS | H2Frames.FLAG_END_STREAM, 1,
                java.util.Arrays.copyOf(first.array(), first.position()));
        assertEquals(List.of(), c.sendAndKeepErrors());
        ByteBuffer bomb = ByteBuffer.allocate(256);
        bomb.put(RawClient.block(RawClient.request()));
        for (int i = 0; i < 20; i++) {
            bomb.put((byte) 0xbe); // index 62: the newest dynamic entry
        }
        c.frame(H2Frames.HEADERS, H2Frames.FLAG_END_HEADERS | H2Frames.FLAG_END_STREAM, 3,
                java.util.Arrays.copyOf(bomb.array(), bomb.position()));
        assertEquals(List.of(calm(3)), c.sendAndKeepErrors());
        assertEquals(H2Error.HEADER_LIST_TOO_LARGE, c.server.connectionError.error());
    }

    @Test
    void zeroLengthHeaderNameCve2019_9516_refusesTheStreamOnly() {
        RawClient c = new RawClient();
        c.headers(1, true, RawClient.request("", "x"));
        assertEquals(List.of("RST_STREAM stream=1 code=" + H2ErrorCode.PROTOCOL_ERROR), c.sendAndKeepErrors());
        assertEquals(List.of("refused 1 EMPTY_HEADER_NAME"), c.server.events);
        c.headers(3, true, RawClient.request());
        c.send();
        assertEquals("request 3 GET / end=true", c.server.events.get(1));
    }

    // ------------------------------------------------------------------ control-frame floods

    @Test
    void pingFloodCve2019_9512_goAwayEnhanceYourCalm() {
        RawClient c = new RawClient(H2Limits.DEFAULTS.withMaxQueuedControlFrames(100));
        for (int i = 0; i < 100; i++) {
            c.ping(i);
        }
        c.send(false);
        assertNull(c.server.connectionError, "100 acks queued: at the cap");
        c.ping(100);
        c.send(false);
        assertEquals(H2Error.CONTROL_FRAME_FLOOD, c.server.connectionError.error());
    }

    @Test
    void pingsAreFineWhenTheClientReads() {
        RawClient c = new RawClient(H2Limits.DEFAULTS.withMaxQueuedControlFrames(100));
        for (int round = 0; round < 10; round++) {
            for (int i = 0; i < 100; i++) {
                c.ping(i);
            }
            c.send(true);
        }
        assertNull(c.server.connectionError);
    }

    @Test
    void settingsFloodCve2019_9515_goAwayEnhanceYourCalm() {
        RawClient c = new RawClient(H2Limits.DEFAULTS.withMaxQueuedControlFrames(100));
        for (int i = 0; i < 101; i++) {
            c.frame(H2Frames.SETTINGS, 0, 0, new byte[0]);
        }
        assertEquals(calm(0), lastLine(c.send(false)));
        assertEquals(H2Error.CONTROL_FRAME_FLOOD, c.server.connectionError.error());
    }

    @Test
    void resetFloodCve2019_9514_goAwayEnhanceYourCalm() {
        // frames on a stream the client reset make the server send RST_STREAM; a client that never
        // reads piles them up
        RawClient c = new RawClient(H2Limits.DEFAULTS.withMaxQueuedControlFrames(50).withResetBudget(1000, 1L << 40));
        c.headers(1, false, RawClient.request()).rst(1, H2ErrorCode.CANCEL);
        c.send();
        for (int i = 0; i < 51; i++) {
            c.data(1, "x", false);
        }
        c.send(false);
        assertEquals(H2Error.CONTROL_FRAME_FLOOD, c.server.connectionError.error());
    }

    @Test
    void emptyFramesCve2019_9518_goAwayEnhanceYourCalm() {
        RawClient c = new RawClient(H2Limits.DEFAULTS.withMaxConsecutiveEmptyFrames(16));
        c.headers(1, false, RawClient.request());
        for (int i = 0; i < 16; i++) {
            c.data(1, "", false);
        }
        assertEquals(List.of(), c.sendAndKeepErrors(), "16 empty frames in a row are allowed");
        c.data(1, "", false);
        assertEquals(List.of(calm(1)), c.sendAndKeepErrors());
        assertEquals(H2Error.EMPTY_FRAME_FLOOD, c.server.connectionError.error());
    }

    @Test
    void emptyFramesCountOnlyInARow() {
        RawClient c = new RawClient(H2Limits.DEFAULTS.withMaxConsecutiveEmptyFrames(4));
        c.headers(1, false, RawClient.request());
        for (int i = 0; i < 20; i++) {
            c.data(1, "", false).data(1, "", false).data(1, "x", false);
        }
        assertEquals(List.of(), c.sendAndKeepErrors());
    }

    // ------------------------------------------------------------------ stream ids and windows

    @Test
    void evenStreamIdFromAClientIsAConnectionError() {
        RawClient c = new RawClient();
        c.headers(2, true, RawClient.request());
        assertEquals(List.of("GOAWAY last=0 code=1 debug=0"), c.sendAndKeepErrors());
        assertEquals(H2Error.INVALID_STREAM_ID, c.server.connectionError.error());
    }

    @Test
    void decreasingStreamIdIsAConnectionError() {
        RawClient c = new RawClient();
        c.headers(5, true, RawClient.request()).headers(3, true, RawClient.request());
        assertEquals(List.of("GOAWAY last=5 code=1 debug=0"), c.sendAndKeepErrors());
        assertEquals(H2Error.STREAM_ID_NOT_INCREASING, c.server.connectionError.error());
    }

    @Test
    void framesOnIdleStreamsAreConnectionErrors() {
        for (RawClient c : new RawClient[] {new RawClient().data(1, "x", false), new RawClient().rst(1, 0),
            new RawClient().windowUpdate(1, 10)}) {
            c.send();
            assertEquals(H2Error.FRAME_ON_IDLE_STREAM, c.server.connectionError.error());
        }
    }

    @Test
    void dataOnAClosedStreamIsAStreamErrorStreamClosed() {
        RawClient c = new RawClient();
        c.headers(1, true, RawClient.request()).data(1, "late", false);
        assertEquals(List.of("RST_STREAM stream=1 code=" + H2ErrorCode.STREAM_CLOSED), c.sendAndKeepErrors());
        assertNull(c.server.connectionError);
    }

    @Test
    void frameAfterEndStreamOnAClosedStreamIsAConnectionErrorStreamClosed() {
        RawClient c = new RawClient();
        c.headers(1, true, RawClient.request());
        c.send();
        c.server.conn.writeHeaders(1, new io.pingora4j.codec.h1.ResponseHead(), true); // both ends ended: closed
        c.send();
        c.headers(1, true, RawClient.request());
        assertEquals(List.of("GOAWAY last=1 code=" + H2ErrorCode.STREAM_CLOSED + " debug=0"), c.sendAndKeepErrors());
        assertEquals(H2Error.FRAME_AFTER_END_STREAM, c.server.connectionError.error());
    }

    @Test
    void frameOnAStreamTheClientResetIsAStreamErrorStreamClosed() {
        RawClient c = new RawClient();
        c.headers(1, false, RawClient.request()).rst(1, H2ErrorCode.CANCEL).data(1, "late", false);
        assertEquals(List.of("RST_STREAM stream=1 code=" + H2ErrorCode.STREAM_CLOSED), c.sendAndKeepErrors());
        assertNull(c.server.connectionError);
    }

    @Test
    void connectionWindowOverflowIsAFlowControlError() {
        RawClient c = new RawClient();
        c.windowUpdate(0, Integer.MAX_VALUE);
        assertEquals(List.of("GOAWAY last=0 code=" + H2ErrorCode.FLOW_CONTROL_ERROR + " debug=0"), c.sendAndKeepErrors());
        assertEquals(H2Error.CONNECTION_WINDOW_OVERFLOW, c.server.connectionError.error());
    }

    @Test
    void streamWindowOverflowResetsTheStream() {
        RawClient c = new RawClient();
        c.headers(1, false, RawClient.request()).windowUpdate(1, Integer.MAX_VALUE);
        assertEquals(List.of("RST_STREAM stream=1 code=" + H2ErrorCode.FLOW_CONTROL_ERROR), c.sendAndKeepErrors());
    }

    @Test
    void dataBeyondTheStreamWindowResetsTheStream() {
        RawClient c = new RawClient(H2Limits.DEFAULTS.withWindows(100, 65_535));
        c.server.autoConsume = false;
        c.headers(1, false, RawClient.request()).data(1, "x".repeat(100), false).data(1, "y", false);
        assertEquals(List.of("RST_STREAM stream=1 code=" + H2ErrorCode.FLOW_CONTROL_ERROR), c.sendAndKeepErrors());
    }

    @Test
    void dataBeyondTheConnectionWindowIsAConnectionError() {
        RawClient c = new RawClient(H2Limits.DEFAULTS.withWindows(1 << 20, 65_535));
        c.server.autoConsume = false;
        c.headers(1, false, RawClient.request());
        for (int i = 0; i < 4; i++) {
            c.data(1, "x".repeat(16_000), false);
        }
        c.data(1, "x".repeat(1535), false);
        assertEquals(List.of(), c.sendAndKeepErrors(), "65,535 bytes fit");
        c.data(1, "y", false);
        assertEquals(List.of("GOAWAY last=1 code=" + H2ErrorCode.FLOW_CONTROL_ERROR + " debug=0"), c.sendAndKeepErrors());
    }

    @Test
    void pushPromiseFromAClientIsAConnectionError() {
        RawClient c = new RawClient();
        c.headers(1, false, RawClient.request()).frame(H2Frames.PUSH_PROMISE, H2Frames.FLAG_END_HEADERS, 1,
                new byte[] {0, 0, 0, 2, (byte) 0x82});
        c.send();
        assertEquals(H2Error.PUSH_PROMISE_REFUSED, c.server.connectionError.error());
    }

    @Test
    void connectionIgnoresEverythingAfterAConnectionError() {
        RawClient c = new RawClient();
        c.headers(2, true, RawClient.request());
        c.send();
        c.headers(1, true, RawClient.request()).ping(1);
        assertEquals(List.of(), c.send());
        assertEquals(List.of("connection error INVALID_STREAM_ID"), c.server.events);
    }
}
