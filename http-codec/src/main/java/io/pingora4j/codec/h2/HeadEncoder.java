package io.pingora4j.codec.h2;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.HttpMethod;
import io.pingora4j.codec.h1.KnownHeader;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Encodes h1 heads as HPACK header blocks for HTTP/2 (RFC 9113 §8.2, §8.3): pseudo-headers
 * first, names lower-cased, and the connection-specific fields left out — Connection and what it
 * names, Keep-Alive, Proxy-Connection, Transfer-Encoding, Upgrade, TE but "trailers", and Host,
 * which a request carries as {@code :authority}.
 *
 * <p>Not thread-safe: one per connection (it owns the connection's HPACK send context).
 */
final class HeadEncoder {

    private final HpackEncoder hpack;
    private byte[] name = new byte[64];
    private byte[] value = new byte[256];
    private ByteBuffer block = ByteBuffer.allocate(1024);

    HeadEncoder(HpackEncoder hpack) {
        this.hpack = hpack;
    }

    HpackEncoder hpack() {
        return hpack;
    }

    /** The block for a response head (server role); valid until the next call. */
    ByteBuffer response(ResponseHead head) {
        HeaderBlock h = head.headers();
        begin(16 + fieldsBound(h));
        int s = head.status();
        value[0] = (byte) ('0' + s / 100);
        value[1] = (byte) ('0' + (s / 10) % 10);
        value[2] = (byte) ('0' + s % 10);
        field(P_STATUS, value, 3, HpackEncoder.INDEX);
        fields(h, false);
        return block.flip();
    }

    /** The block for a request head (client role); valid until the next call. */
    ByteBuffer request(RequestHead head, CharSequence scheme) {
        HeaderBlock h = head.headers();
        CharSequence authority = head.authorityChars();
        CharSequence path = head.pathAndQueryChars();
        begin(64 + fieldsBound(h) + authority.length() + path.length() + scheme.length());
        HttpMethod m = head.method();
        CharSequence method = m == HttpMethod.OTHER ? head.methodName() : m.name();
        field(P_METHOD, chars(method), method.length(), HpackEncoder.INDEX);
        boolean connect = m == HttpMethod.CONNECT;
        if (!connect) {
            field(P_SCHEME, chars(scheme), scheme.length(), HpackEncoder.INDEX);
        }
        if (authority.length() > 0) {
            field(P_AUTHORITY, chars(authority), authority.length(), HpackEncoder.INDEX);
        }
        if (!connect) {
            field(P_PATH, chars(path), path.length(), HpackEncoder.NO_INDEX);
        }
        fields(h, true);
        return block.flip();
    }

    /** The block for trailers; valid until the next call. */
    ByteBuffer trailers(HeaderBlock h) {
        begin(fieldsBound(h));
        fields(h, false);
        return block.flip();
    }

    private void begin(int bound) {
        if (block.capacity() < bound) {
            block = ByteBuffer.allocate(Math.max(bound, block.capacity() * 2));
        }
        block.clear();
        hpack.beginBlock(block);
    }

    private static int fieldsBound(HeaderBlock h) {
        int n = 16;
        for (int i = 0; i < h.size(); i++) {
            n += HpackEncoder.maxEncodedLength(h.nameLength(i), h.valueLength(i));
        }
        return n;
    }

    private void fields(HeaderBlock h, boolean request) {
        int connection = h.indexOfKind(KnownHeader.CONNECTION);
        for (int i = 0; i < h.size(); i++) {
            int kind = h.kind(i);
            switch (kind) {
                case KnownHeader.CONNECTION:
                case KnownHeader.KEEP_ALIVE:
                case KnownHeader.PROXY_CONNECTION:
                case KnownHeader.TRANSFER_ENCODING:
                case KnownHeader.UPGRADE:
                    continue;
                case KnownHeader.TE:
                    if (!h.valueEqualsIgnoreCase(i, "trailers")) {
                        continue;
                    }
                    break;
                case KnownHeader.HOST:
                    if (request) {
                        continue; // sent as :authority
                    }
                    break;
                default:
                    break;
            }
            if (connection >= 0 && listedInConnection(h, i)) {
                continue;
            }
            int nl = h.nameLength(i);
            int vl = h.valueLength(i);
            if (name.length < nl) {
                name = new byte[Math.max(nl, name.length * 2)];
            }
            if (value.length < vl) {
                value = new byte[Math.max(vl, value.length * 2)];
            }
            h.copyName(i, name, 0);
            for (int k = 0; k < nl; k++) {
                byte b = name[k];
                if (b >= 'A' && b <= 'Z') {
                    name[k] = (byte) (b | 0x20);
                }
            }
            h.copyValue(i, value, 0);
            hpack.encode(name, 0, nl, value, 0, vl, mode(name, nl, vl), block);
        }
    }

    private static boolean listedInConnection(HeaderBlock h, int i) {
        for (int c = h.indexOfKind(KnownHeader.CONNECTION); c >= 0; c = h.indexOfKind(KnownHeader.CONNECTION, c + 1)) {
            if (h.valueListsName(c, i)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a field goes into the table: credentials never (§7.1.3), one-off values not. */
    private static int mode(byte[] n, int nl, int vl) {
        switch (nl) {
            case 6: // cookie: short ones are guessable, so never indexed (RFC 7541 §7.1.3)
                return is(n, nl, "cookie") && vl < 20 ? HpackEncoder.NEVER_INDEX : HpackEncoder.INDEX;
            case 13:
                return is(n, nl, "authorization") ? HpackEncoder.NEVER_INDEX
                        : is(n, nl, "last-modified") ? HpackEncoder.NO_INDEX : HpackEncoder.INDEX;
            case 19:
                return is(n, nl, "proxy-authorization") ? HpackEncoder.NEVER_INDEX : HpackEncoder.INDEX;
            case 10:
                return is(n, nl, "set-cookie") ? HpackEncoder.NO_INDEX : HpackEncoder.INDEX;
            case 14:
                return is(n, nl, "content-length") ? HpackEncoder.NO_INDEX : HpackEncoder.INDEX;
            case 4:
                return is(n, nl, "etag") ? HpackEncoder.NO_INDEX : HpackEncoder.INDEX;
            default:
                return HpackEncoder.INDEX;
        }
    }

    private static boolean is(byte[] b, int len, String lower) {
        for (int k = 0; k < len; k++) {
            if (b[k] != lower.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private void field(byte[] pseudoName, byte[] v, int vl, int mode) {
        hpack.encode(pseudoName, 0, pseudoName.length, v, 0, vl, mode, block);
    }

    private byte[] chars(CharSequence s) {
        int n = s.length();
        if (value.length < n) {
            value = new byte[Math.max(n, value.length * 2)];
        }
        for (int k = 0; k < n; k++) {
            value[k] = (byte) s.charAt(k);
        }
        return value;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static final byte[] P_STATUS = ascii(":status");
    private static final byte[] P_METHOD = ascii(":method");
    private static final byte[] P_SCHEME = ascii(":scheme");
    private static final byte[] P_AUTHORITY = ascii(":authority");
    private static final byte[] P_PATH = ascii(":path");
}
