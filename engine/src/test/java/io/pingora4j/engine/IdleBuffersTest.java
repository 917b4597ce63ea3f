package io.pingora4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Plain connections give the loop's pooled buffers back between requests: an idle keep-alive client
 * connection and the pooled origin connection behind it hold none (nginx's model; the TLS record
 * buffers have their tests in TlsListenerTest). Not yet so for a request waiting mid-body: it keeps
 * its input buffer and the origin connection's head buffer until it ends.
 */
class IdleBuffersTest {

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

    @Test
    void anIdleKeepAliveConnectionHoldsNoPooledBuffer() throws Exception {
        try (Clients.Conn c = new Clients.Conn(server.port())) {
            assertEquals(200, c.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
            Await.until("the idle client connection and the pooled origin connection gave their buffers back",
                    () -> server.stats().buffersOutstanding() == 0);

            assertEquals("hello", c.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n").read().body());
        }
    }
}
