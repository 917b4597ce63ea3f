package io.pingora4j.codec.h2;

import java.nio.charset.StandardCharsets;

/** The HPACK static table (RFC 7541 Appendix A), indexes 1 to 61. */
final class HpackStaticTable {

    static final int LENGTH = 61;

    private static final String[][] ENTRIES = {
        {":authority", ""}, {":method", "GET"}, {":method", "POST"}, {":path", "/"}, {":path", "/index.html"},
        {":scheme", "http"}, {":scheme", "https"}, {":status", "200"}, {":status", "204"}, {":status", "206"},
        {":status", "304"}, {":status", "400"}, {":status", "404"}, {":status", "500"}, {"accept-charset", ""},
        {"accept-encoding", "gzip, deflate"}, {"accept-language", ""}, {"accept-ranges", ""}, {"accept", ""},
        {"access-control-allow-origin", ""}, {"age", ""}, {"allow", ""}, {"authorization", ""},
        {"cache-control", ""}, {"content-disposition", ""}, {"content-encoding", ""}, {"content-language", ""},
        {"content-length", ""}, {"content-location", ""}, {"content-range", ""}, {"content-type", ""},
        {"cookie", ""}, {"date", ""}, {"etag", ""}, {"expect", ""}, {"expires", ""}, {"from", ""}, {"host", ""},
        {"if-match", ""}, {"if-modified-since", ""}, {"if-none-match", ""}, {"if-range", ""},
        {"if-unmodified-since", ""}, {"last-modified", ""}, {"link", ""}, {"location", ""}, {"max-forwards", ""},
        {"proxy-authenticate", ""}, {"proxy-authorization", ""}, {"range", ""}, {"referer", ""}, {"refresh", ""},
        {"retry-after", ""}, {"server", ""}, {"set-cookie", ""}, {"strict-transport-security", ""},
        {"transfer-encoding", ""}, {"user-agent", ""}, {"vary", ""}, {"via", ""}, {"www-authenticate", ""},
    };

    /** Names and values by index (index 0 unused). */
    static final byte[][] NAMES = new byte[LENGTH + 1][];
    static final byte[][] VALUES = new byte[LENGTH + 1][];

    static {
        for (int i = 0; i < LENGTH; i++) {
            NAMES[i + 1] = ENTRIES[i][0].getBytes(StandardCharsets.US_ASCII);
            VALUES[i + 1] = ENTRIES[i][1].getBytes(StandardCharsets.US_ASCII);
        }
    }

    private HpackStaticTable() {
    }

    /** The first index whose name is {@code name[at, at+len)}, or 0. */
    static int nameIndex(byte[] name, int at, int len) {
        for (int i = 1; i <= LENGTH; i++) {
            if (equal(NAMES[i], name, at, len)) {
                return i;
            }
        }
        return 0;
    }

    /**
     * The index of the entry with this name and value, or 0; {@code nameIndex} is the name's
     * first index (entries with the same name are adjacent).
     */
    static int fieldIndex(int nameIndex, byte[] value, int at, int len) {
        byte[] name = NAMES[nameIndex];
        for (int i = nameIndex; i <= LENGTH && equal(NAMES[i], name, 0, name.length); i++) {
            if (equal(VALUES[i], value, at, len)) {
                return i;
            }
        }
        return 0;
    }

    static boolean equal(byte[] a, byte[] b, int at, int len) {
        if (a.length != len) {
            return false;
        }
        for (int k = 0; k < len; k++) {
            if (a[k] != b[at + k]) {
                return false;
            }
        }
        return true;
    }
}
