package io.pingora4j.codec.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every frame type, read whole, split at every byte into two reads, and one byte at a time: the
 * same frames come out. Then each structural rule of RFC 9113 §4 and §6, with its error.
 */
class H2FrameReaderTest {

    static final String SETTINGS_EMPTY = "000000 04 00 00000000";

    /** One frame of each type (and each optional field), after the preface and a SETTINGS. */
    static final Map<String, String> FRAMES = new TreeMap<>();

    static {
        FRAMES.put("data", "000005 00 00 00000001 68656c6c6f");
        FRAMES.put("data end stream", "000003 00 01 00000003 616263");
        FRAMES.put("data empty end stream", "000000 00 01 00000001");
        FRAMES.put("data padded", "000008 00 09 00000001 05 6869 0000000000");
        FRAMES.put("headers", "000001 01 05 00000001 82");
        FRAMES.put("headers priority", "000006 01 24 00000003 80000001 0f 82");
        FRAMES.put("headers padded priority", "000009 01 2c 00000005 02 00000001 ff 82 0000");
        FRAMES.put("headers continuation", "000001 01 01 00000001 82 000002 09 00 00000001 8684 000001 09 04 00000001 41");
        FRAMES.put("priority", "000005 02 00 00000001 80000003 10");
        FRAMES.put("rst stream", "000004 03 00 00000001 00000008");
        FRAMES.put("settings", "00000c 04 00 00000000 0003 00000064 0004 00010000");
        FRAMES.put("settings ack", "000000 04 01 00000000");
        FRAMES.put("push promise", "000005 05 04 00000001 00000002 82");
        FRAMES.put("ping", "000008 06 00 00000000 0102030405060708");
        FRAMES.put("ping ack", "000008 06 01 00000000 0102030405060708");
        FRAMES.put("goaway", "00000b 07 00 00000000 00000007 0000000b 646267");
        FRAMES.put("window update", "000004 08 00 00000001 00001000");
        FRAMES.put("window update connection", "000004 08 00 00000000 7fffffff");
        FRAMES.put("unknown type", "000003 ee 07 00000001 010203");
    }

    static byte[] input(boolean server, String... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (server) {
            out.writeBytes(H2Frames.preface());
        }
        out.writeBytes(Hex.bytes(SETTINGS_EMPTY));
        for (String f : frames) {
            out.writeBytes(Hex.bytes(f));
        }
        return out.toByteArray();
    }

    @Test
    void everyFrameTypeReadsTheSameWhateverTheSplit() {
        for (Map.Entry<String, String> e : FRAMES.entrySet()) {
            for (boolean server : new boolean[] {true, false}) {
                byte[] in = input(server, e.getValue());
                List<String> whole = FrameTranscript.read(in, server);
                for (int at = 0; at <= in.length; at++) {
                    assertEquals(whole, FrameTranscript.read(in, server, at), e.getKey() + " split at " + at);
                }
                assertEquals(whole, FrameTranscript.readByteAtATime(in, server), e.getKey() + " byte at a time");
            }
        }
    }

    @Test
    void framesReadAsTheirFields() {
        assertEquals(List.of("SETTINGS ack=false", "DATA stream=1 frame=8 data=2 end=true", "  data 6869"),
                FrameTranscript.read(input(false, FRAMES.get("data padded")), false));
        assertEquals(List.of("SETTINGS ack=false",
                        "HEADERS stream=5 endStream=false endHeaders=true dep=1 excl=false weight=256 len=1",
                        "  fragment 82 end=true"),
                FrameTranscript.read(input(false, FRAMES.get("headers padded priority")), false));
        assertEquals(List.of("SETTINGS ack=false", "GOAWAY last=7 code=11 debug=3"),
                FrameTranscript.read(input(false, FRAMES.get("goaway")), false));
        assertEquals(List.of("SETTINGS ack=false", "PRIORITY stream=1 dep=3 excl=true weight=17"),
                FrameTranscript.read(input(false, FRAMES.get("priority")), false));
    }

    @Test
    void allFramesInOneInputReadTheSameWhateverTheSplit() {
        byte[] in = input(true, FRAMES.values().stream().filter(f -> !f.startsWith("000005 05")).toArray(String[]::new));
        List<String> whole = FrameTranscript.read(in, true);
        for (int at = 0; at <= in.length; at += 3) {
            assertEquals(whole, FrameTranscript.read(in, true, at, Math.min(in.length, at + 7)), "split at " + at);
        }
        assertEquals(whole, FrameTranscript.readByteAtATime(in, true));
    }

    // ------------------------------------------------------------------ rules

    private static String lastLine(boolean server, String... frames) {
        List<String> lines = FrameTranscript.read(input(server, frames), server);
        return lines.get(lines.size() - 1);
    }

    @Test
    void prefaceIsSniffedWithoutConsumingIt() {
        byte[] p = H2Frames.preface();
        ByteBuffer whole = ByteBuffer.wrap(p);
        assertEquals(H2Frames.PREFACE, H2Frames.matchPreface(whole));
        assertEquals(0, whole.position());
        assertEquals(H2Frames.PREFACE_PREFIX, H2Frames.matchPreface(ByteBuffer.wrap(p, 0, 10)));
        assertEquals(H2Frames.PREFACE_PREFIX, H2Frames.matchPreface(ByteBuffer.allocate(0)));
        assertEquals(H2Frames.NOT_PREFACE, H2Frames.matchPreface(ByteBuffer.wrap("GET / HTTP/1.1\r\n".getBytes())));
        assertEquals(H2Frames.NOT_PREFACE, H2Frames.matchPreface(ByteBuffer.wrap("PRI * HTTP/1.1\r\n".getBytes())));
    }

    @Test
    void invalidPrefaceIsRefused() {
        byte[] in = "PRI * HTTP/1.1\r\n\r\nSM\r\n\r\n".getBytes();
        assertEquals(List.of("error INVALID_PREFACE"), FrameTranscript.read(in, true));
    }

    @Test
    void firstFrameMustBeSettings() {
        byte[] in = Hex.bytes("000008 06 00 00000000 0102030405060708");
        assertEquals(List.of("error FIRST_FRAME_NOT_SETTINGS"), FrameTranscript.read(in, false));
    }

    @Test
    void frameLargerThanMaxFrameSizeIsRefused() {
        assertEquals("error FRAME_TOO_LARGE", lastLine(false, "004001 00 00 00000001"));
    }

    @Test
    void paddingAsLongAsThePayloadIsRefused() {
        assertEquals("error PADDING_TOO_LONG", lastLine(false, "000003 00 08 00000001 03 0000"));
        assertEquals("error PADDING_TOO_LONG", lastLine(false, "000000 00 08 00000001"));
        assertEquals("error PADDING_TOO_LONG", lastLine(false, "000002 01 0c 00000001 02 82"));
    }

    @Test
    void headersTooShortForPriorityFieldsIsRefused() {
        assertEquals("error HEADERS_FRAME_SIZE", lastLine(false, "000004 01 24 00000001 00000000"));
    }

    @Test
    void streamFramesOnStreamZeroAreRefused() {
        for (String f : new String[] {"000001 00 00 00000000 00", "000001 01 04 00000000 82",
            "000005 02 00 00000000 0000000110", "000004 03 00 00000000 00000000"}) {
            assertEquals("error STREAM_FRAME_ON_STREAM_ZERO", lastLine(false, f), f);
        }
    }

    @Test
    void connectionFramesOnAStreamAreRefused() {
        for (String f : new String[] {"000000 04 00 00000001", "000008 06 00 00000001 0000000000000000",
            "000008 07 00 00000001 0000000000000000"}) {
            assertEquals("error CONNECTION_FRAME_ON_STREAM", lastLine(false, f), f);
        }
    }

    @Test
    void fixedSizeFramesOfAnotherSizeAreRefused() {
        assertEquals("error RST_STREAM_FRAME_SIZE", lastLine(false, "000003 03 00 00000001 000000"));
        assertEquals("error SETTINGS_FRAME_SIZE", lastLine(false, "000005 04 00 00000000 0000000000"));
        assertEquals("error SETTINGS_ACK_WITH_PAYLOAD", lastLine(false, "000006 04 01 00000000 000100000000"));
        assertEquals("error PING_FRAME_SIZE", lastLine(false, "000007 06 00 00000000 00000000000000"));
        assertEquals("error GOAWAY_FRAME_SIZE", lastLine(false, "000004 07 00 00000000 00000000"));
        assertEquals("error WINDOW_UPDATE_FRAME_SIZE", lastLine(false, "000003 08 00 00000001 000001"));
    }

    @Test
    void priorityOfAnotherSizeIsAStreamErrorAndReadingGoesOn() {
        List<String> lines = FrameTranscript.read(input(false, "000004 02 00 00000003 00000001",
                FRAMES.get("ping")), false);
        assertEquals(List.of("SETTINGS ack=false", "stream error 3 PRIORITY_FRAME_SIZE",
                "PING ack=false data=102030405060708"), lines);
    }

    @Test
    void interruptedHeaderBlockIsRefused() {
        assertEquals("error CONTINUATION_EXPECTED", lastLine(false, "000001 01 00 00000001 82",
                "000008 06 00 00000000 0000000000000000"));
        assertEquals("error CONTINUATION_EXPECTED", lastLine(false, "000001 01 00 00000001 82",
                "000001 09 04 00000003 86"));
    }

    @Test
    void continuationOutsideAHeaderBlockIsRefused() {
        assertEquals("error UNEXPECTED_CONTINUATION", lastLine(false, "000001 09 04 00000001 82"));
        assertEquals("error UNEXPECTED_CONTINUATION", lastLine(false, "000001 01 04 00000001 82",
                "000001 09 04 00000001 86"));
    }

    @Test
    void readerRefusesEverythingAfterAnError() {
        FrameTranscript t = new FrameTranscript();
        H2FrameReader r = new H2FrameReader(t, false);
        byte[] bad = Hex.bytes("000008 06 00 00000000 0102030405060708");
        try {
            r.read(ByteBuffer.wrap(bad));
        } catch (H2Exception expected) {
            // first refusal
        }
        H2Exception again = org.junit.jupiter.api.Assertions.assertThrows(H2Exception.class,
                () -> r.read(ByteBuffer.wrap(Hex.bytes(SETTINGS_EMPTY))));
        assertEquals(H2Error.FIRST_FRAME_NOT_SETTINGS, again.error());
    }
}
