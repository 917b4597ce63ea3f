package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.lb.Backend;
import io.pingora4j.lb.HealthCheckSpec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code grpc://} health checks: the standard grpc.health.v1 Check over h2c. */
class GrpcHealthCheckTest {

    private GrpcTestOrigin origin;

    @BeforeEach
    void start() throws Exception {
        origin = new GrpcTestOrigin();
    }

    @AfterEach
    void stop() throws Exception {
        origin.close();
    }

    private boolean check(String url) {
        return ActiveHealthChecker.check(HealthCheckSpec.parse(url), Backend.of("127.0.0.1:" + origin.port()), true);
    }

    @Test
    void aServingServicePasses() {
        assertTrue(check("grpc://svc?service=test.Echo&read_timeout=2s"));
        assertEquals("/grpc.health.v1.Health/Check content-type=application/grpc te=trailers", origin.requests.get(0));
    }

    @Test
    void aServiceThatIsNotServingFails() {
        origin.serving = false;
        assertFalse(check("grpc://svc?read_timeout=2s"));
    }

    @Test
    void aBackendThatDoesNotSpeakHttp2Fails() throws Exception {
        try (SwitchableOrigin plain = SwitchableOrigin.start("plain")) {
            HealthCheckSpec spec = HealthCheckSpec.parse("grpc://svc?read_timeout=500ms");
            assertFalse(ActiveHealthChecker.check(spec, Backend.of(plain.addr()), true));
        }
    }

    @Test
    void theRequestIsAHealthCheckRequestNamingTheService() {
        byte[] expected = {0, 0, 0, 0, 6, 0x0a, 4, 'a', '.', 'b', 'c'};
        assertArrayEquals(expected, GrpcHealthCheck.request("a.bc"));
        assertArrayEquals(new byte[5], GrpcHealthCheck.request(""), "the whole server: an empty message");
    }

    @Test
    void theServingStatusIsReadFromTheResponse() {
        assertEquals(1, GrpcHealthCheck.servingStatus(GrpcTestOrigin.frame(new byte[] {0x08, 1})));
        assertEquals(2, GrpcHealthCheck.servingStatus(GrpcTestOrigin.frame(new byte[] {0x08, 2})));
        assertEquals(0, GrpcHealthCheck.servingStatus(GrpcTestOrigin.frame(new byte[0])), "absent: UNKNOWN");
        assertEquals(0, GrpcHealthCheck.servingStatus("junk".getBytes(StandardCharsets.ISO_8859_1)));
    }
}
