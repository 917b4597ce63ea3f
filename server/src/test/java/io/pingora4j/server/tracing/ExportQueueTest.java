package io.pingora4j.server.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Spans queue for an exporter of their own thread; when it is slow, the queue drops and counts, never waits. */
class ExportQueueTest {

    /** Blocks in export until released; counts what it was given. */
    private static final class SlowExporter implements SpanExporter {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger received = new AtomicInteger();

        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            entered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            received.addAndGet(spans.size());
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    @Test
    void aSlowExporterMakesTheQueueDropAndCountWhatDoesNotFit() throws Exception {
        SlowExporter slow = new SlowExporter();
        ExportQueue queue = new ExportQueue(slow, 4, 1, 10, 30_000, "test");
        SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(queue).build();
        Tracer tracer = provider.get("test");

        tracer.spanBuilder("first").startSpan().end();
        assertTrue(slow.entered.await(10, TimeUnit.SECONDS), "the export thread took the first span");
        long before = System.nanoTime();
        for (int i = 0; i < 19; i++) {
            tracer.spanBuilder("more").startSpan().end(); // 4 fit the queue, 15 do not
        }
        assertEquals(15, queue.dropped());
        assertTrue(System.nanoTime() - before < Duration.ofSeconds(5).toNanos(), "ending spans never waited for it");

        slow.release.countDown();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (queue.exported() < 5 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(5, queue.exported(), "the first span and the four queued");
        assertEquals(5, slow.received.get());
        provider.shutdown().join(10, TimeUnit.SECONDS);
    }
}
