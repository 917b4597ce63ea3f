package io.pingora4j.codec.h2;

import java.nio.ByteBuffer;

/** Hex strings for test vectors. */
final class Hex {

    private Hex() {
    }

    static byte[] bytes(String hex) {
        String h = hex.replaceAll("\\s", "");
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    static ByteBuffer buffer(String hex) {
        return ByteBuffer.wrap(bytes(hex));
    }

    static String of(ByteBuffer buf) {
        StringBuilder sb = new StringBuilder();
        for (int i = buf.position(); i < buf.limit(); i++) {
            sb.append(String.format("%02x", buf.get(i) & 0xff));
        }
        return sb.toString();
    }
}
