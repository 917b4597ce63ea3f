package io.pingora4j.server;

import io.pingora4j.codec.h1.H1Event;
import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.HttpMethod;
import io.pingora4j.codec.h1.ResponseParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One request on a new raw connection, for plugin tests in other packages: the request goes out
 * exactly as written (any Host, any header), the response comes back with its body bytes (chunked
 * framing removed, content codings left as sent). Reads time out after 10 s.
 */
public final class RawHttp {

    private RawHttp() {
    }

    /** A response as the test sees it. */
    public record Response(int status, HeaderBlock headers, byte[] bodyBytes) {
        public String header(String name) {
            return headers.get(name);
        }

        /** Every value of field {@code name}. */
        public List<String> headers(String name) {
            List<String> out = new ArrayList<>();
            for (int i = headers.indexOf(name); i >= 0; i = headers.indexOf(name, i + 1)) {
                out.add(headers.value(i));
            }
            return out;
        }

        public String body() {
            return new String(bodyBytes, StandardCharsets.UTF_8);
        }
    }

    /** Sends {@code head} lines (joined with CRLF, then the blank line) and reads the response. */
    public static Response exchange(int port, String... headLines) throws IOException {
        return exchange(port, (String.join("\r\n", headLines) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    /** GET {@code target} with {@code Host: localhost} and the extra header lines. */
    public static Response get(int port, String target, String... headerLines) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("GET " + target + " HTTP/1.1");
        lines.add("Host: localhost");
        lines.addAll(List.of(headerLines));
        return exchange(port, lines.toArray(String[]::new));
    }

    /** Sends the bytes of a whole request and reads the response. */
    public static Response exchange(int port, byte[] request) throws IOException {
        String text = new String(request, 0, Math.min(request.length, 8), StandardCharsets.ISO_8859_1);
        HttpMethod method = text.startsWith("HEAD ") ? HttpMethod.HEAD : HttpMethod.GET;
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            return read(s.getInputStream(), method);
        }
    }

    private static Response read(InputStream in, HttpMethod method) throws IOException {
        ResponseParser parser = new ResponseParser();
        parser.expectResponseTo(method);
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        buf.flip();
        HeaderBlock headers = null;
        int status = 0;
        boolean eof = false;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            H1Event e = parser.next(buf);
            switch (e) {
                case HEAD:
                    status = parser.head().status();
                    headers = new HeaderBlock();
                    headers.copyFrom(parser.head().headers());
                    break;
                case BODY:
                    byte[] b = new byte[parser.bodyLength()];
                    buf.get(parser.bodyStart(), b);
                    body.write(b);
                    break;
                case END:
                    if (status >= 200) {
                        return new Response(status, headers, body.toByteArray());
                    }
                    break;
                case NEED_MORE:
                    if (eof) {
                        if (parser.inputClosed() == H1Event.END) {
                            return new Response(status, headers, body.toByteArray());
                        }
                        throw new IOException("connection closed before a whole response");
                    }
                    buf.compact();
                    int n;
                    try {
                        n = in.read(buf.array(), buf.position(), buf.remaining());
                    } catch (java.net.SocketException reset) {
                        n = -1;
                    }
                    if (n < 0) {
                        eof = true;
                    } else {
                        buf.position(buf.position() + n);
                    }
                    buf.flip();
                    break;
                default:
                    break;
            }
        }
    }
}
