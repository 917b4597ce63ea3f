package io.pingora4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When a connection ends after a response: closed at once when the request was read to its end and
 * nothing followed it (as nginx does), half-closed and drained for a moment otherwise, so that a
 * client still sending does not get a reset that could destroy the answer.
 */
class LingeringCloseTest {

    private Origins.Jdk origin;
    private Server server;

    @BeforeEach
    void start() throws Exception {
        origin = new Origins.Jdk().route("/hello", ex -> Origins.Jdk.text(ex, 200, "hello"));
        server = Server.builder().threads(1).listen("127.0.0.1:0", new SimpleProxy(origin.port())).start();
    }

    @AfterEach
    void stop() {
        server.close();
        origin.close();
    }

    /** Sends {@code request}, reads the response to the proxy's end of the stream. */
    private static String exchange(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }

    /** Writes 4 MiB after the proxy's end of stream, then reads once more. */
    private static int writeMoreThenRead(Socket s) throws IOException {
        OutputStream out = s.getOutputStream();
        byte[] chunk = new byte[16 * 1024];
        for (int i = 0; i < 256; i++) {
            out.write(chunk);
        }
        out.flush();
        InputStream in = s.getInputStream();
        return in.read();
    }

    @Test
    void aConnectionCloseResponseToARequestReadWholeClosesTheSocketAtOnce() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            String response = exchange(s, "GET /hello HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.endsWith("hello"), response);

            // the proxy's socket is gone, not half-closed: what the client sends now is refused
            assertThrows(IOException.class, () -> writeMoreThenRead(s));
        }
    }

    @Test
    void aMalformedRequestIsAnsweredThenWhatTheClientStillSendsIsDrainedNotReset() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            String response = exchange(s, "GET /hello HTTP/1.1\r\nHost: a\r\nno colon here\r\n\r\n");
            assertTrue(response.startsWith("HTTP/1.1 400"), response);

            // lingering: the proxy reads and drops the rest, and the client sees an orderly end
            assertEquals(-1, writeMoreThenRead(s));
        }
    }
}
