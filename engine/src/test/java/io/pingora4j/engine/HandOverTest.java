package io.pingora4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Server#handOver}: what the old process of a zero-downtime upgrade does with its connections. */
class HandOverTest {

    private Server server;
    private Server second;
    private Origins.Jdk origin;

    @AfterEach
    void stop() {
        for (Server s : new Server[] {server, second}) {
            if (s != null) {
                s.shutdown(Duration.ZERO);
            }
        }
        if (origin != null) {
            origin.close();
        }
    }

    private int start() throws java.io.IOException {
        origin = new Origins.Jdk().route("/", ex -> Origins.Jdk.text(ex, 200, "done " + ex.getRequestURI().getPath()));
        server = Server.builder().threads(1).reusePort(true).listen("127.0.0.1:0", new SimpleProxy(origin.port()))
                .start();
        return server.port();
    }

    private static boolean refuses(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return false;
        } catch (java.io.IOException e) {
            return true;
        }
    }

    @Test
    void aRequestSentOnAnIdleKeepAliveConnectionDuringTheHandOverIsAnsweredWithConnectionClose() throws Exception {
        int port = start();
        try (Clients.Conn idle = new Clients.Conn(port)) {
            assertEquals("done /warm", idle.send("GET /warm HTTP/1.1\r\nHost: a\r\n\r\n").read().body());
            Thread handOver = new Thread(() -> server.handOver(Duration.ofSeconds(10), Duration.ofSeconds(5)));
            handOver.start();
            Await.until("the listener closed", () -> refuses(port));

            Clients.Response r = idle.send("GET /late HTTP/1.1\r\nHost: a\r\n\r\n").read();

            assertEquals("done /late", r.body());
            assertEquals("close", r.header("Connection"));
            assertTrue(idle.closedByPeer());
            handOver.join(15_000);
            assertFalse(handOver.isAlive(), "handOver returns once its connections are closed");
        }
    }

    @Test
    void anIdleKeepAliveConnectionThatSendsNothingIsClosedWhenTheLingerEnds() throws Exception {
        int port = start();
        try (Clients.Conn idle = new Clients.Conn(port)) {
            assertEquals("done /warm", idle.send("GET /warm HTTP/1.1\r\nHost: a\r\n\r\n").read().body());
            Thread handOver = new Thread(() -> server.handOver(Duration.ofSeconds(10), Duration.ofMillis(200)));
            handOver.start();

            assertTrue(idle.closedByPeer(), "closed within the socket's 10 s read timeout");
            handOver.join(15_000);
            assertFalse(handOver.isAlive());
        }
    }

    @Test
    void withReusePortASecondServerBindsTheSameAddress() throws Exception {
        int port = start();
        second = Server.builder().threads(1).reusePort(true)
                .listen("127.0.0.1:" + port, new SimpleProxy(origin.port())).start();
        assertEquals(port, second.port());
    }
}
