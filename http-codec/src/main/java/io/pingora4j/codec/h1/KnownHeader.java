package io.pingora4j.codec.h1;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Header names the codec and the proxy act on, recognised while parsing as small int codes
 * so that no String is made to find them. {@link #NONE} is every other name.
 */
public final class KnownHeader {

    public static final int NONE = 0;
    public static final int HOST = 1;
    public static final int CONTENT_LENGTH = 2;
    public static final int TRANSFER_ENCODING = 3;
    public static final int CONNECTION = 4;
    public static final int UPGRADE = 5;
    public static final int EXPECT = 6;
    public static final int TE = 7;
    public static final int TRAILER = 8;
    public static final int KEEP_ALIVE = 9;
    public static final int PROXY_CONNECTION = 10;
    public static final int PROXY_AUTHENTICATE = 11;
    public static final int PROXY_AUTHORIZATION = 12;

    private static final byte[][] NAMES = {
        null,
        lower("host"), lower("content-length"), lower("transfer-encoding"), lower("connection"),
        lower("upgrade"), lower("expect"), lower("te"), lower("trailer"), lower("keep-alive"),
        lower("proxy-connection"), lower("proxy-authenticate"), lower("proxy-authorization"),
    };

    private KnownHeader() {
    }

    /** The canonical lower-case name of a known header code. */
    public static String name(int code) {
        return code == NONE ? null : new String(NAMES[code], StandardCharsets.US_ASCII);
    }

    /**
     * True for the hop-by-hop fields a proxy never forwards (RFC 9110 §7.6.1), besides those the
     * Connection field names.
     */
    public static boolean isHopByHop(int code) {
        switch (code) {
            case CONNECTION: case KEEP_ALIVE: case PROXY_CONNECTION: case TE: case TRANSFER_ENCODING:
            case UPGRADE: case PROXY_AUTHENTICATE: case PROXY_AUTHORIZATION: case TRAILER:
                return true;
            default:
                return false;
        }
    }

    /** Recognises the name in {@code buf[at, at+len)}, which must already be a valid token. */
    static int classify(ByteBuffer buf, int at, int len) {
        // Dispatch on length first: most names are rejected by one comparison of ints.
        switch (len) {
            case 2: return match(buf, at, len, TE);
            case 4: return match(buf, at, len, HOST);
            case 6: return match(buf, at, len, EXPECT);
            case 7: {
                int c = buf.get(at) | 0x20;
                return c == 'u' ? match(buf, at, len, UPGRADE) : c == 't' ? match(buf, at, len, TRAILER) : NONE;
            }
            case 10: {
                int c = buf.get(at) | 0x20;
                return c == 'c' ? match(buf, at, len, CONNECTION) : c == 'k' ? match(buf, at, len, KEEP_ALIVE) : NONE;
            }
            case 14: return match(buf, at, len, CONTENT_LENGTH);
            case 16: return match(buf, at, len, PROXY_CONNECTION);
            case 17: return match(buf, at, len, TRANSFER_ENCODING);
            case 18: return match(buf, at, len, PROXY_AUTHENTICATE);
            case 19: return match(buf, at, len, PROXY_AUTHORIZATION);
            default: return NONE;
        }
    }

    /** Recognises a name given as text, e.g. one a filter adds. */
    public static int classify(CharSequence name) {
        for (int code = 1; code < NAMES.length; code++) {
            byte[] n = NAMES[code];
            if (n.length == name.length()) {
                boolean eq = true;
                for (int i = 0; i < n.length && eq; i++) {
                    char c = name.charAt(i);
                    if (c >= 'A' && c <= 'Z') {
                        c = (char) (c | 0x20);
                    }
                    eq = c == n[i];
                }
                if (eq) {
                    return code;
                }
            }
        }
        return NONE;
    }

    private static int match(ByteBuffer buf, int at, int len, int code) {
        return HttpChars.equalsLower(buf, at, len, NAMES[code]) ? code : NONE;
    }

    private static byte[] lower(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
