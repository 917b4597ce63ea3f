package io.pingora4j.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** The wire messages the HTTP/1.1 benchmarks parse and write, shared so every side sees the same bytes. */
final class Messages {

    /**
     * A typical browser navigation as a current Chrome sends it: request line and 12 fields,
     * 450-550 bytes in all (checked by {@link #checkSizes()}).
     */
    static final String REQUEST = "GET /shoes/running?size=42 HTTP/1.1\r\n"
            + "Host: shop.example.com\r\n"
            + "Connection: keep-alive\r\n"
            + "Cache-Control: max-age=0\r\n"
            + "Upgrade-Insecure-Requests: 1\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
            + " Chrome/131.0.0.0 Safari/537.36\r\n"
            + "Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\n"
            + "Sec-Fetch-Mode: navigate\r\n"
            + "Sec-Fetch-Dest: document\r\n"
            + "Referer: https://shop.example.com/shoes\r\n"
            + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
            + "Accept-Language: en-US,en;q=0.9\r\n"
            + "Cookie: sid=7f3a9c2e; _ga=GA1.2.1864.1731\r\n"
            + "\r\n";

    static final int REQUEST_FIELDS = 12;

    static final String RESPONSE_BODY = "<p>Hello, world</p>"; // 19 bytes

    /** A typical origin response: status line, 10 fields (Content-Length: 19), then the 19-byte body. */
    static final String RESPONSE_HEAD = "HTTP/1.1 200 OK\r\n"
            + "Server: nginx/1.27.3\r\n"
            + "Date: Sun, 22 Nov 2026 11:30:00 GMT\r\n"
            + "Content-Type: text/html; charset=utf-8\r\n"
            + "Content-Length: 19\r\n"
            + "Connection: keep-alive\r\n"
            + "Cache-Control: public, max-age=300\r\n"
            + "ETag: \"5f3c9a2b-13\"\r\n"
            + "Last-Modified: Sat, 21 Nov 2026 09:12:44 GMT\r\n"
            + "Vary: Accept-Encoding\r\n"
            + "Accept-Ranges: bytes\r\n"
            + "\r\n";

    static final String RESPONSE = RESPONSE_HEAD + RESPONSE_BODY;

    static final int RESPONSE_FIELDS = 10;

    private Messages() {
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A buffer holding exactly {@code b}, position 0, limit = capacity = b.length. */
    static ByteBuffer buffer(byte[] b, boolean direct) {
        // native byte order, as the engine's pooled buffers are
        ByteBuffer buf = (direct ? ByteBuffer.allocateDirect(b.length) : ByteBuffer.allocate(b.length))
                .order(java.nio.ByteOrder.nativeOrder());
        buf.put(b).flip();
        return buf;
    }

    static void checkSizes() {
        int req = bytes(REQUEST).length;
        if (req < 450 || req > 550) {
            throw new IllegalStateException("request is " + req + " bytes, want 450-550");
        }
        int head = bytes(RESPONSE_HEAD).length;
        if (head < 250 || head > 350) {
            throw new IllegalStateException("response head is " + head + " bytes, want 250-350");
        }
        if (bytes(RESPONSE_BODY).length != 19) {
            throw new IllegalStateException("response body must be 19 bytes");
        }
    }
}
