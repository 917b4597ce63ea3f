package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pingora4j.server.metrics.ProxyMetrics;
import io.pingora4j.server.metrics.Recorder;
import io.pingora4j.server.plugins.FakeSession;
import io.pingora4j.server.tracing.Tracer;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the hot path pays for observability allocates nothing: recording a request's metrics, and
 * deciding that a request is not traced. 16 bytes per call over 200,000 calls would be 3 MB; the
 * budget allows only for the measurement's own noise.
 */
class ObservabilityAllocationTest {

    private static final int CALLS = 200_000;
    private static final long BUDGET_BYTES = 64 * 1024;

    @Test
    void recordingARequestsMetricsAllocatesNothing() {
        ProxyMetrics metrics = new ProxyMetrics(List.of("api", "web"), List.of("backend"), List.of("pageCache"),
                List.of("perIp"));
        int api = metrics.location("api");
        int up = metrics.upstream("backend");
        Recorder r = metrics.recorder();
        assertAllocationFree(() -> {
            r.requestStarted(api, true);
            r.upstreamConnected(up, true, -1, -1);
            r.upstreamProcessed(up, 1_200_000);
            r.upstreamResponded(up, 1_500_000);
            r.upstreamReleased(up);
            r.cache(0, 0);
            r.requestEnded(api, 200, 2_000_000, 0, 1234);
        });
    }

    @Test
    void aRequestThatIsNotTracedAllocatesNothing() {
        FakeSession unsampled = FakeSession.parse("GET /a HTTP/1.1\nHost: x\n"
                + "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00\n");
        FakeSession plain = FakeSession.get("/b");
        // never exports: no request here is traced (the endpoint is a closed port)
        try (Tracer tracer = new Tracer("http://127.0.0.1:1/v1/traces", "test", "dev", 0.0)) {
            assertNull(tracer.start(unsampled, "s"));
            assertNull(tracer.start(plain, "s"));
            assertAllocationFree(() -> {
                tracer.start(unsampled, "s");
                tracer.start(plain, "s");
            });
        }
    }

    private static void assertAllocationFree(Runnable call) {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no allocation counter");
        com.sun.management.ThreadMXBean counter = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(counter.isThreadAllocatedMemorySupported() && counter.isThreadAllocatedMemoryEnabled());
        for (int i = 0; i < CALLS; i++) {
            call.run(); // warm up: JIT, lazy initialisation
        }
        long id = Thread.currentThread().getId();
        long before = counter.getThreadAllocatedBytes(id);
        for (int i = 0; i < CALLS; i++) {
            call.run();
        }
        long allocated = counter.getThreadAllocatedBytes(id) - before;
        assertTrue(allocated < BUDGET_BYTES, allocated + " bytes allocated over " + CALLS + " calls");
    }
}
