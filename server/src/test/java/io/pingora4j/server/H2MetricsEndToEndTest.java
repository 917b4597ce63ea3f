package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.tls.TestPki;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 and TLS in the metrics: streams counted as requests and as h2 streams, client TLS
 * handshakes timed, and a connection ended for a protocol error counted under its GOAWAY code.
 */
class H2MetricsEndToEndTest {

    @TempDir
    Path dir;

    private final TestPki ca = TestPki.create("h2 metrics ca");
    private TestOrigin origin;
    private RunningProxy proxy;
    private int plainPort;

    @BeforeEach
    void start() throws Exception {
        origin = TestOrigin.start("origin");
        Path[] cert = ca.issue("localhost", "127.0.0.1").write(dir, "site");
        plainPort = FreePort.pick();
        proxy = RunningProxy.start(port -> """
                [upstreams.backend]
                addrs = ["%1$s"]

                [locations.all]
                path = "/"
                upstream = "backend"

                [servers.https]
                addr = "127.0.0.1:%2$d"
                locations = ["all"]
                tls_cert = "%3$s"
                tls_key = "%4$s"
                enabled_h2 = true

                [servers.plain]
                addr = "127.0.0.1:%5$d"
                locations = ["all"]
                enabled_h2 = true
                prometheus_metrics = "/metrics"
                """.formatted(origin.addr(), port, cert[0], cert[1], plainPort));
    }

    @AfterEach
    void stop() {
        try {
            if (proxy != null) {
                proxy.close();
            }
        } finally {
            origin.close();
        }
    }

    private Exposition scrapeWhen(String key, double expected) {
        Exposition[] last = {null};
        Await.until(key + " = " + expected, () -> {
            try {
                last[0] = Exposition.scrape(plainPort, "/metrics");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            return last[0].valueOr0(key) >= expected;
        });
        return last[0];
    }

    @Test
    void streamsOverTlsAreCountedAndTheHandshakeTimed() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                .sslContext(ca.trustingContext()).connectTimeout(Duration.ofSeconds(10)).build();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + proxy.port()
                    + "/x" + i)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_2, r.version());
        }

        Exposition m = scrapeWhen("pingora4j_http_responses_codes_total{location=\"all\",status=\"200\"}", 3);

        assertEquals(3.0, m.value("pingora4j_h2_streams_total"));
        assertEquals(1.0, m.value("pingora4j_h2_connections_total"));
        assertEquals(1.0, m.value("pingora4j_tls_handshake_time_count"), "one connection, one handshake");
        assertTrue(m.value("pingora4j_tls_handshake_time_sum") > 0);
    }

    /** One HTTP/1.1 request on a new TLS connection of {@code ctx}, read to the end (the ticket comes after the handshake). */
    private void getOverNewTlsConnection(javax.net.ssl.SSLContext ctx) throws Exception {
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket("localhost", proxy.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /r HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
        }
    }

    @Test
    void aResumedHandshakeIsCountedApartFromAFullOne() throws Exception {
        String full = "pingora4j_tls_handshakes_total{side=\"server\",kind=\"full\"}";
        String resumed = "pingora4j_tls_handshakes_total{side=\"server\",kind=\"resumed\"}";
        Exposition before = Exposition.scrape(plainPort, "/metrics");
        javax.net.ssl.SSLContext ctx = ca.trustingContext(); // one client session cache for both connections

        getOverNewTlsConnection(ctx);
        getOverNewTlsConnection(ctx);

        Exposition after = scrapeWhen(resumed, before.valueOr0(resumed) + 1);
        assertEquals(before.valueOr0(full) + 1, after.value(full), "the first connection: a full handshake");
        assertEquals(before.valueOr0(resumed) + 1, after.value(resumed), "the second: resumed from its ticket");
    }

    @Test
    void aConnectionEndedForAProtocolErrorCountsUnderItsGoawayCode() throws Exception {
        try (Socket s = new Socket("127.0.0.1", plainPort)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // SETTINGS, empty
            out.write(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0}); // DATA on stream 0: PROTOCOL_ERROR (RFC 9113 §6.1)
            out.flush();
            InputStream in = s.getInputStream();
            while (in.read() >= 0) {
                // until the proxy closes after its GOAWAY
            }
        }

        Exposition m = scrapeWhen("pingora4j_h2_goaways_total{error=\"PROTOCOL_ERROR\"}", 1);

        assertEquals(1.0, m.value("pingora4j_h2_goaways_total{error=\"PROTOCOL_ERROR\"}"));
    }
}
