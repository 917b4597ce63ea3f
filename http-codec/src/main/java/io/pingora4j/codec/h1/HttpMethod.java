package io.pingora4j.codec.h1;

/**
 * Methods the parser recognises without creating a String; any other token method is
 * {@link #OTHER} and its name is read from the head.
 */
public enum HttpMethod {
    GET(true, true), HEAD(true, true), POST(false, false), PUT(false, true), DELETE(false, true),
    CONNECT(false, false), OPTIONS(true, true), TRACE(true, true), PATCH(false, false), OTHER(false, false);

    private final boolean safe;
    private final boolean idempotent;
    private final byte[] bytes;

    HttpMethod(boolean safe, boolean idempotent) {
        this.safe = safe;
        this.idempotent = idempotent;
        this.bytes = name().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** RFC 9110 §9.2.1. */
    public boolean safe() {
        return safe;
    }

    /** RFC 9110 §9.2.2: a request with this method may be replayed after a failure. */
    public boolean idempotent() {
        return idempotent;
    }

    byte[] bytes() {
        return bytes;
    }

    /** Recognises a method token in {@code buf[from, from+len)}; case-sensitive as RFC 9110 §9.1 says. */
    static HttpMethod of(java.nio.ByteBuffer buf, int from, int len) {
        switch (len) {
            case 3:
                if (is(buf, from, GET)) return GET;
                if (is(buf, from, PUT)) return PUT;
                return OTHER;
            case 4:
                if (is(buf, from, POST)) return POST;
                if (is(buf, from, HEAD)) return HEAD;
                return OTHER;
            case 5:
                if (is(buf, from, PATCH)) return PATCH;
                if (is(buf, from, TRACE)) return TRACE;
                return OTHER;
            case 6:
                return is(buf, from, DELETE) ? DELETE : OTHER;
            case 7:
                if (is(buf, from, OPTIONS)) return OPTIONS;
                if (is(buf, from, CONNECT)) return CONNECT;
                return OTHER;
            default:
                return OTHER;
        }
    }

    private static boolean is(java.nio.ByteBuffer buf, int from, HttpMethod m) {
        byte[] b = m.bytes;
        for (int i = 0; i < b.length; i++) {
            if (buf.get(from + i) != b[i]) {
                return false;
            }
        }
        return true;
    }

    /** The method named by {@code name} (case-sensitive), or {@link #OTHER}. */
    public static HttpMethod of(CharSequence name) {
        for (HttpMethod m : values()) {
            if (m != OTHER && m.name().contentEquals(name)) {
                return m;
            }
        }
        return OTHER;
    }
}
