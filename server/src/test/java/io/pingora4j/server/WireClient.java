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

/**
 * A raw-socket HTTP/1.1 client for requests the JDK client will not send as written (a chosen
 * Host, a hand-made chunked body) or whose exact response bytes matter. Reads time out after
 * 10 s so a broken test fails rather than hangs.
 */
final class WireClient implements AutoCloseable {

    /** A response as the test sees it. */
    record Response(int status, HeaderBlock headers, String body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final ResponseParser parser = new ResponseParser();
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    private boolean eof;

    WireClient(int port) throws IOException {
        this(new Socket("127.0.0.1", port));
    }

    /** Over a socket the test connected (a TLS one, say). */
    WireClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        buf.flip();
    }

    /** One request on a new connection: {@code head} lines joined with CRLF, then the blank line. */
    static Response exchange(int port, String... headLines) throws IOException {
        try (WireClient c = new WireClient(port)) {
            return c.send(String.join("\r\n", headLines) + "\r\n\r\n").read();
        }
    }

    WireClient send(String s) throws IOException {
        return send(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    WireClient send(byte[] b) throws IOException {
        socket.getOutputStream().write(b);
        socket.getOutputStream().flush();
        return this;
    }

    /** Sends what it can: the peer may answer and close before taking it all (a refused body). */
    WireClient sendQuietly(byte[] b) {
        try {
            send(b);
        } catch (IOException e) {
            // the proxy stopped reading: its answer is what the test reads next
        }
        return this;
    }

    Response read() throws IOException {
        return read(HttpMethod.GET);
    }

    /** The next final response (interim ones skipped) to a request of {@code method}. */
    Response read(HttpMethod method) throws IOException {
        parser.expectResponseTo(method);
        HeaderBlock headers = null;
        int status = 0;
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
                        return new Response(status, headers, body.toString(StandardCharsets.ISO_8859_1));
                    }
                    break;
                case NEED_MORE:
                    if (eof) {
                        if (parser.inputClosed() == H1Event.END) {
                            return new Response(status, headers, body.toString(StandardCharsets.ISO_8859_1));
                        }
                        throw new IOException("connection closed before a whole response");
                    }
                    fill();
                    break;
                default:
                    break;
            }
        }
    }

    private void fill() throws IOException {
        buf.compact();
        int n;
        try {
            n = in.read(buf.array(), buf.position(), buf.remaining());
        } catch (java.net.SocketException reset) {
            n = -1; // a reset after the answer: what was read is what there is
        }
        if (n < 0) {
            eof = true;
        } else {
            buf.position(buf.position() + n);
        }
        buf.flip();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
