package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pingap's {@code [basic] error_template} through the server: the errors the proxy answers itself
 * come as the configured HTML page with the status filled in; an origin's own error page passes
 * through untouched.
 */
class ErrorTemplateEndToEndTest {

    private TestOrigin origin;
    private RunningProxy proxy;

    @BeforeEach
    void start() throws IOException {
        origin = TestOrigin.start("a");
        int dead = FreePort.pick();
        proxy = RunningProxy.start(port -> """
                [basic]
                threads = 1
                error_template = "<html><h1>{{content}}</h1><p>{{status}} by pingora4j {{version}}</p></html>"

                [upstreams.up]
                addrs = ["%s"]

                [upstreams.down]
                addrs = ["127.0.0.1:%d"]
                max_retries = 0

                [locations.up]
                path = "/up"
                upstream = "up"

                [locations.down]
                path = "/down"
                upstream = "down"

                [servers.http]
                addr = "127.0.0.1:%d"
                locations = ["up", "down"]
                """.formatted(origin.addr(), dead, port));
    }

    @AfterEach
    void stop() {
        try {
            proxy.close();
        } finally {
            origin.close();
        }
    }

    @Test
    void noMatchingLocationIsAnsweredWithTheTemplate() throws IOException {
        WireClient.Response r = WireClient.exchange(proxy.port(), "GET /nowhere HTTP/1.1", "Host: localhost");

        assertEquals(404, r.status());
        assertEquals(ErrorPage.CONTENT_TYPE, r.headers().get("Content-Type"));
        assertTrue(r.body().startsWith("<html><h1>404 Not Found</h1><p>404 by pingora4j "), r.body());
    }

    @Test
    void anUnreachableUpstreamIsAnsweredWithTheTemplate() throws IOException {
        WireClient.Response r = WireClient.exchange(proxy.port(), "GET /down HTTP/1.1", "Host: localhost");

        assertEquals(502, r.status());
        assertTrue(r.body().contains("<h1>502 Bad Gateway</h1>"), r.body());
    }

    @Test
    void anOriginsAnswerIsNotReplaced() throws IOException {
        WireClient.Response r = WireClient.exchange(proxy.port(), "GET /up/x HTTP/1.1", "Host: localhost");

        assertEquals(200, r.status());
        assertEquals("a", r.body());
    }
}
