package io.pingora4j.server.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.spi.Session;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Request tracing for one service (a server, or every server sharing {@code [basic]
 * otlp_exporter}): decides per request whether it is traced, and makes its {@link RequestTrace}.
 *
 * <p>Sampling is decided here, before anything of OpenTelemetry is touched, so a request that is
 * not traced allocates nothing: a client's {@code traceparent} is followed (its sampled flag says
 * yes or no, parent-based as W3C asks); a request without one is traced with probability
 * {@code ratio}. A traced request gets a SERVER span, and a CLIENT span per upstream attempt,
 * exported over OTLP/HTTP (protobuf) by {@link ExportQueue}, off the loops.
 *
 * <p>Thread-safe.
 */
public final class Tracer implements AutoCloseable {

    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
    private static final AttributeKey<String> SERVICE_VERSION = AttributeKey.stringKey("service.version");

    private final SdkTracerProvider provider;
    final io.opentelemetry.api.trace.Tracer tracer;
    private final ExportQueue queue;
    private final double ratio;
    private final String endpoint;
    private final String serviceName;

    /**
     * @param endpoint    the OTLP/HTTP traces URL ({@code http://collector:4318/v1/traces})
     * @param serviceName the {@code service.name} of the spans
     * @param ratio       the share of requests without a client trace context that are traced, 0..1
     */
    public Tracer(String endpoint, String serviceName, String version, double ratio) {
        this(endpoint, serviceName, version, ratio, ExportQueue.DEFAULT_CAPACITY, ExportQueue.DEFAULT_BATCH,
                ExportQueue.DEFAULT_DELAY_MILLIS);
    }

    Tracer(String endpoint, String serviceName, String version, double ratio, int capacity, int batch,
           long delayMillis) {
        this.ratio = ratio;
        this.endpoint = endpoint;
        this.serviceName = serviceName;
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(endpoint)
                .setTimeout(Duration.ofSeconds(10))
                .build();
        this.queue = new ExportQueue(exporter, capacity, batch, delayMillis, 10_000, serviceName);
        this.provider = SdkTracerProvider.builder()
                .setResource(Resource.create(Attributes.of(SERVICE_NAME, serviceName, SERVICE_VERSION, version)))
                .setSampler(Sampler.alwaysOn()) // decided in start(), before a span exists
                .addSpanProcessor(queue)
                .build();
        this.tracer = provider.get("io.pingora4j.server", version);
    }

    /**
     * The trace of a request, or null when it is not traced. Called once, at its start, on its loop;
     * allocates only for a traced request.
     */
    public RequestTrace start(Session session, String serverName) {
        HeaderBlock h = session.request().headers();
        int tp = TraceParent.find(h);
        if (tp >= 0) {
            if (!TraceParent.sampled(h, tp)) {
                return null; // the client's trace is not recorded; its traceparent goes on as sent
            }
        } else if (ratio < 1.0 && (ratio <= 0.0 || ThreadLocalRandom.current().nextDouble() >= ratio)) {
            return null;
        }
        return new RequestTrace(this, session, serverName, tp);
    }

    public String endpoint() {
        return endpoint;
    }

    public String serviceName() {
        return serviceName;
    }

    /** Spans dropped because the export queue was full (the exporter was slower than traffic). */
    public long droppedSpans() {
        return queue.dropped();
    }

    /** Spans the exporter accepted. */
    public long exportedSpans() {
        return queue.exported();
    }

    /** Spans whose export failed (the exporter down, refusing, or slower than the timeout). */
    public long failedSpans() {
        return queue.failed();
    }

    /** Sends what is queued (within the export timeout) and stops. */
    @Override
    public void close() {
        provider.shutdown().join(15, java.util.concurrent.TimeUnit.SECONDS);
    }
}
