package io.pingora4j.codec.h2;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Frame types, flags, setting identifiers and fixed sizes of RFC 9113 §4, §6. */
public final class H2Frames {

    public static final int DATA = 0x0;
    public static final int HEADERS = 0x1;
    public static final int PRIORITY = 0x2;
    public static final int RST_STREAM = 0x3;
    public static final int SETTINGS = 0x4;
    public static final int PUSH_PROMISE = 0x5;
    public static final int PING = 0x6;
    public static final int GOAWAY = 0x7;
    public static final int WINDOW_UPDATE = 0x8;
    public static final int CONTINUATION = 0x9;

    public static final int FLAG_END_STREAM = 0x1;
    public static final int FLAG_ACK = 0x1;
    public static final int FLAG_END_HEADERS = 0x4;
    public static final int FLAG_PADDED = 0x8;
    public static final int FLAG_PRIORITY = 0x20;

    public static final int SETTINGS_HEADER_TABLE_SIZE = 0x1;
    public static final int SETTINGS_ENABLE_PUSH = 0x2;
    public static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
    public static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
    public static final int SETTINGS_MAX_FRAME_SIZE = 0x5;
    public static final int SETTINGS_MAX_HEADER_LIST_SIZE = 0x6;

    /** Bytes of a frame header (§4.1). */
    public static final int FRAME_HEADER_LENGTH = 9;
    /** SETTINGS_MAX_FRAME_SIZE's initial value and floor (§6.5.2). */
    public static final int DEFAULT_MAX_FRAME_SIZE = 16_384;
    /** SETTINGS_MAX_FRAME_SIZE's ceiling (§6.5.2). */
    public static final int MAX_FRAME_SIZE_LIMIT = (1 << 24) - 1;
    /** Initial stream and connection window (§6.9.2). */
    public static final int DEFAULT_WINDOW = 65_535;
    /** Largest window and largest stream id (§6.9.1, §5.1.1). */
    public static final int MAX_WINDOW = Integer.MAX_VALUE;

    /** The client connection preface (§3.4). */
    static final byte[] PREFACE_BYTES = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private H2Frames() {
    }

    /** The client connection preface, for a client role writing it or an engine sniffing it (h2c prior knowledge). */
    public static byte[] preface() {
        return PREFACE_BYTES.clone();
    }

    /** {@link #matchPreface}: the bytes are not the preface (an HTTP/1.1 request, say). */
    public static final int NOT_PREFACE = -1;
    /** {@link #matchPreface}: the bytes so far begin the preface; wait for more. */
    public static final int PREFACE_PREFIX = 0;
    /** {@link #matchPreface}: the whole 24-byte preface is there. */
    public static final int PREFACE = 1;

    /**
     * Sniffs {@code in[position, limit)} for the client connection preface, without consuming: how
     * a plain listener tells h2c with prior knowledge from HTTP/1.1 on the same port (an h1
     * request line never starts with "PRI * HTTP/2.0"). Returns {@link #NOT_PREFACE},
     * {@link #PREFACE_PREFIX} or {@link #PREFACE}.
     */
    public static int matchPreface(ByteBuffer in) {
        int n = Math.min(in.remaining(), PREFACE_BYTES.length);
        int p = in.position();
        for (int i = 0; i < n; i++) {
            if (in.get(p + i) != PREFACE_BYTES[i]) {
                return NOT_PREFACE;
            }
        }
        return n == PREFACE_BYTES.length ? PREFACE : PREFACE_PREFIX;
    }

    /** A frame type's name, for logs. */
    public static String typeName(int type) {
        switch (type) {
            case DATA: return "DATA";
            case HEADERS: return "HEADERS";
            case PRIORITY: return "PRIORITY";
            case RST_STREAM: return "RST_STREAM";
            case SETTINGS: return "SETTINGS";
            case PUSH_PROMISE: return "PUSH_PROMISE";
            case PING: return "PING";
            case GOAWAY: return "GOAWAY";
            case WINDOW_UPDATE: return "WINDOW_UPDATE";
            case CONTINUATION: return "CONTINUATION";
            default: return "0x" + Integer.toHexString(type);
        }
    }
}
