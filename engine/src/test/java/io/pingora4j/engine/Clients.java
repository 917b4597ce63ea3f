package io.pingora4j.engine;

import io.pingora4j.codec.h1.H1Event;
import io.pingora4j.codec.h1.HttpMethod;
import io.pingora4j.codec.h1.ResponseParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A raw-socket HTTP client for tests that need exact bytes: pipelining, malformed requests. */
final class Clients {

    private Clients() {
    }

    /** A response as the test sees it, with the interim (1xx) heads that came before it, in order. */
    record Response(int status, String head, String body, List<String> interim) {
        Response(int status, String head, String body) {
            this(status, head, body, List.of());
        }

        String header(String name) {
            for (String line : head.split("\r\n")) {
                int c = line.indexOf(':');
                if (c > 0 && line.substring(0, c).equalsIgnoreCase(name)) {
                    return line.substring(c + 1).trim();
                }
            }
            return null;
        }
    }

    /** A connection to the proxy. Reads time out after 10 s, so a broken test fails rather than hangs. */
    static final class Conn implements AutoCloseable {
        final Socket socket;
        private final InputStream in;
        private final ResponseParser parser = new ResponseParser();
        private final ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        private boolean eof;

        Conn(int port) throws IOException {
            this(new Socket("127.0.0.1", port));
        }

        /** A connection over a socket made elsewhere (a TLS one, say). */
        Conn(Socket connected) throws IOException {
            socket = connected;
            socket.setSoTimeout(10_000);
            in = socket.getInputStream();
            buf.flip();
        }

        Conn send(String s) throws IOException {
            socket.getOutputStream().write(s.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return this;
        }

        Conn send(byte[] b) throws IOException {
            socket.getOutputStream().write(b);
            socket.getOutputStream().flush();
            return this;
        }

        /** Reads the next final response (interim ones are skipped), for a request of {@code method}. */
        Response read(HttpMethod method) throws IOException {
            parser.expectResponseTo(method);
            String head = null;
            int status = 0;
            List<String> interim = new ArrayList<>();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                H1Event e = parser.next(buf);
                switch (e) {
                    case HEAD:
                        status = parser.head().status();
                        head = parser.head().toString();
                        if (parser.head().interim()) {
                            interim.add(head);
                        }
                        if (status == 101) {
                            return new Response(status, head, ""); // what follows is the new protocol
                        }
                        break;
                    case BODY:
                        byte[] b = new byte[parser.bodyLength()];
                        buf.get(parser.bodyStart(), b);
                        body.write(b);
                        break;
                    case END:
                        if (status >= 200 || status == 101) {
                            return new Response(status, head, body.toString(StandardCharsets.ISO_8859_1), interim);
                        }
                        break;
                    case NEED_MORE:
                        if (eof) {
                            H1Event last = parser.inputClosed();
                            if (last == H1Event.END) {
                                return new Response(status, head, body.toString(StandardCharsets.ISO_8859_1), interim);
                            }
                            throw new IOException("connection closed before a response");
                        }
                        fill();
                        break;
                    default:
                        break;
                }
            }
        }

        Response read() throws IOException {
            return read(HttpMethod.GET);
        }

        private void fill() throws IOException {
            buf.compact();
            int n = in.read(buf.array(), buf.position(), buf.remaining());
            if (n < 0) {
                eof = true;
            } else {
                buf.position(buf.position() + n);
            }
            buf.flip();
        }

        /** True if the proxy closed the connection (reads end of stream within the timeout). */
        boolean closedByPeer() throws IOException {
            try {
                if (buf.hasRemaining()) {
                    return false;
                }
                return in.read() < 0;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // reset
            }
        }

        /** Everything until the proxy closes, as text. */
        String readToEnd() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] rest = new byte[buf.remaining()];
            buf.get(rest);
            out.write(rest);
            byte[] b = new byte[8192];
            int n;
            try {
                while ((n = in.read(b)) >= 0) {
                    out.write(b, 0, n);
                }
            } catch (IOException e) {
                // reset counts as the end
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static List<String> lines(String s) {
        List<String> out = new ArrayList<>();
        for (String l : s.split("\r\n")) {
            out.add(l);
        }
        return out;
    }
}
