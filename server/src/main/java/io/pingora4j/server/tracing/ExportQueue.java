package io.pingora4j.server.tracing;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ended spans on their way to the exporter: the event loop only offers a span to a bounded queue
 * (never waits); one thread of ours takes batches off it and exports them. When the exporter is
 * slower than the traffic the queue fills and spans are dropped, and counted, rather than slowing
 * requests or growing memory. Every export waits at most {@code exportTimeout}.
 *
 * <p>Thread-safe: any loop may end spans; the export thread is the only consumer.
 */
final class ExportQueue implements SpanProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(ExportQueue.class);

    static final int DEFAULT_CAPACITY = 2048;
    static final int DEFAULT_BATCH = 512;
    static final long DEFAULT_DELAY_MILLIS = 1000;

    private final SpanExporter exporter;
    private final ArrayBlockingQueue<SpanData> queue;
    private final int batch;
    private final long delayMillis;
    private final long exportTimeoutMillis;
    private final Thread worker;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong exported = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean closing;
    private boolean failing;

    ExportQueue(SpanExporter exporter, int capacity, int batch, long delayMillis, long exportTimeoutMillis, String name) {
        this.exporter = exporter;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.batch = batch;
        this.delayMillis = delayMillis;
        this.exportTimeoutMillis = exportTimeoutMillis;
        this.worker = new Thread(this::run, "pingora4j-otlp-" + name);
        worker.setDaemon(true);
        worker.start();
    }

    @Override
    public boolean isStartRequired() {
        return false;
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
    }

    @Override
    public boolean isEndRequired() {
        return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
        if (closing || !queue.offer(span.toSpanData())) {
            dropped.incrementAndGet();
        }
    }

    private void run() {
        List<SpanData> out = new ArrayList<>(batch);
        while (!closing || !queue.isEmpty()) {
            try {
                SpanData first = queue.poll(delayMillis, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                out.add(first);
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis);
                // gather a batch: what is queued, then what arrives within the delay
                while (out.size() < batch) {
                    queue.drainTo(out, batch - out.size());
                    long left = until - System.nanoTime();
                    if (out.size() >= batch || left <= 0 || closing) {
                        break;
                    }
                    SpanData next = queue.poll(left, TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    out.add(next);
                }
                export(out);
                out.clear();
            } catch (InterruptedException e) {
                if (!closing) {
                    return;
                }
            }
        }
        if (!out.isEmpty()) {
            export(out);
        }
    }

    private void export(List<SpanData> spans) {
        CompletableResultCode r = exporter.export(new ArrayList<>(spans));
        r.join(exportTimeoutMillis, TimeUnit.MILLISECONDS);
        if (r.isSuccess()) {
            exported.addAndGet(spans.size());
            if (failing) {
                LOG.info("OTLP export works again");
                failing = false;
            }
        } else {
            failed.addAndGet(spans.size());
            if (!failing) { // once per outage
                LOG.warn("OTLP export of {} spans failed (exporter down or slow); spans are counted as failed until"
                        + " it works again", spans.size());
                failing = true;
            }
        }
    }

    long dropped() {
        return dropped.get();
    }

    long exported() {
        return exported.get();
    }

    long failed() {
        return failed.get();
    }

    int queued() {
        return queue.size();
    }

    /** Batches go out every delay anyway; nothing waits for them. */
    @Override
    public CompletableResultCode forceFlush() {
        return CompletableResultCode.ofSuccess();
    }

    /** Exports what is queued (within the export timeout), then stops. */
    @Override
    public CompletableResultCode shutdown() {
        closing = true;
        worker.interrupt();
        try {
            worker.join(exportTimeoutMillis + delayMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return exporter.shutdown();
    }
}
