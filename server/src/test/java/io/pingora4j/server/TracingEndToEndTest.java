package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code [basic] otlp_exporter} through the real server, into an OTLP/HTTP receiver of the test's
 * own that decodes what arrives with the OpenTelemetry protocol's own classes: a SERVER span per
 * request joined to the client's trace, a CLIENT span per upstream attempt under it, and the
 * origin told the attempt's span in {@code traceparent}.
 */
class TracingEndToEndTest {

    private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_PARENT = "00f067aa0ba902b7";

    private final ConcurrentLinkedQueue<Span> spans = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> services = new ConcurrentLinkedQueue<>();
    private HttpServer receiver;
    private TestOrigin origin;
    private RunningProxy proxy;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        receiver.createContext("/v1/traces", ex -> {
            try (InputStream in = ex.getRequestBody()) {
                ExportTraceServiceRequest req = ExportTraceServiceRequest.parseFrom(in.readAllBytes());
                for (ResourceSpans rs : req.getResourceSpansList()) {
                    for (KeyValue kv : rs.getResource().getAttributesList()) {
                        if (kv.getKey().equals("service.name")) {
                            services.add(kv.getValue().getStringValue());
                        }
                    }
                    for (ScopeSpans ss : rs.getScopeSpansList()) {
                        spans.addAll(ss.getSpansList());
                    }
                }
            }
            ex.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
        origin = TestOrigin.start("a");
        proxy = RunningProxy.start(port -> """
                [basic]
                threads = 1
                name = "edge-test"
                otlp_exporter = "http://127.0.0.1:%3$d"

                [upstreams.backend]
                addrs = ["%1$s"]

                [upstreams.flaky]
                addrs = ["127.0.0.1:%4$d", "%1$s"]
                max_retries = 1

                [locations.api]
                path = "/api"
                upstream = "backend"

                [locations.retry]
                path = "/retry"
                upstream = "flaky"

                [servers.http]
                addr = "127.0.0.1:%2$d"
                locations = ["api", "retry"]
                """.formatted(origin.addr(), port, receiver.getAddress().getPort(), FreePort.pick()));
    }

    @AfterEach
    void stop() {
        try {
            if (proxy != null) {
                proxy.close();
            }
        } finally {
            if (origin != null) {
                origin.close();
            }
            receiver.stop(0);
        }
    }

    private HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(proxy.base() + path));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<Span> trace(String traceIdHex) {
        return spans.stream().filter(s -> hex(s.getTraceId().toByteArray()).equals(traceIdHex)).collect(Collectors.toList());
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static String attribute(Span s, String key) {
        for (KeyValue kv : s.getAttributesList()) {
            if (kv.getKey().equals(key)) {
                var v = kv.getValue();
                return v.hasIntValue() ? Long.toString(v.getIntValue()) : v.getStringValue();
            }
        }
        return null;
    }

    private static Span only(List<Span> spans, Span.SpanKind kind) {
        List<Span> of = spans.stream().filter(s -> s.getKind() == kind).collect(Collectors.toList());
        assertEquals(1, of.size(), kind + " spans: " + of);
        return of.get(0);
    }

    @Test
    void aRequestIsAServerSpanInTheClientsTraceWithAClientSpanPerAttemptAndTheOriginSeesIt() throws Exception {
        HttpResponse<String> r = get("/api/users?id=7", "traceparent", "00-" + CLIENT_TRACE + "-" + CLIENT_PARENT + "-01",
                "tracestate", "congo=t61rcWkgMzE");
        assertEquals(200, r.statusCode());

        Await.until("2 spans of the client's trace at the receiver", () -> trace(CLIENT_TRACE).size() >= 2);
        List<Span> t = trace(CLIENT_TRACE);
        Span server = only(t, Span.SpanKind.SPAN_KIND_SERVER);
        Span attempt = only(t, Span.SpanKind.SPAN_KIND_CLIENT);

        assertEquals(CLIENT_PARENT, hex(server.getParentSpanId().toByteArray()), "joined under the client's span");
        assertEquals(hex(server.getSpanId().toByteArray()), hex(attempt.getParentSpanId().toByteArray()));
        assertEquals("GET api", server.getName());
        assertEquals("GET", attribute(server, "http.request.method"));
        assertEquals("200", attribute(server, "http.response.status_code"));
        assertEquals("/api/users", attribute(server, "url.path"));
        assertEquals("127.0.0.1", attribute(server, "server.address"), "the Host without its port");
        assertEquals("api", attribute(server, "pingora4j.location"));
        assertEquals("backend", attribute(attempt, "pingora4j.upstream"));
        assertEquals("200", attribute(attempt, "http.response.status_code"));
        assertEquals("congo=t61rcWkgMzE", server.getTraceState(), "the client's tracestate stays with its trace");
        assertTrue(services.contains("edge-test"), "service.name is [basic] name: " + services);

        TestOrigin.Seen seen = origin.seen().get(0);
        assertEquals("00-" + CLIENT_TRACE + "-" + hex(attempt.getSpanId().toByteArray()) + "-01",
                seen.header("traceparent"), "the origin's parent is the attempt's span");
        assertEquals("congo=t61rcWkgMzE", seen.header("tracestate"));
    }

    @Test
    void aRetryIsASecondClientSpanAfterTheFailedOne() throws Exception {
        // round robin over [down, up]: of two requests, at least one tries the down backend first
        for (int i = 0; i < 2; i++) {
            assertEquals(200, get("/retry").statusCode());
        }

        Await.until("a trace with two attempts", () -> spans.stream()
                .filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT && "1".equals(attribute(s, "http.request.resend_count")))
                .count() >= 1);
        Span second = spans.stream().filter(s -> "1".equals(attribute(s, "http.request.resend_count"))).findFirst().orElseThrow();
        Await.until("the whole trace", () -> trace(hex(second.getTraceId().toByteArray())).size() == 3);
        List<Span> t = trace(hex(second.getTraceId().toByteArray()));
        Span failed = t.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT && s != second
                && attribute(s, "http.request.resend_count") == null).findFirst().orElseThrow();
        assertEquals("CONNECT_REFUSED", attribute(failed, "error.type"));
        assertEquals(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR, failed.getStatus().getCode());
        assertEquals("200", attribute(second, "http.response.status_code"));
    }

    @Test
    void aClientTraceThatIsNotSampledIsNotRecordedAndGoesOnAsSent() throws Exception {
        String notSampled = "00-" + "a".repeat(32) + "-" + "b".repeat(16) + "-00";
        assertEquals(200, get("/api/quiet", "traceparent", notSampled).statusCode());
        assertEquals(200, get("/api/loud", "traceparent", "00-" + CLIENT_TRACE + "-" + CLIENT_PARENT + "-01").statusCode());

        Await.until("the sampled request's spans", () -> trace(CLIENT_TRACE).size() >= 2);
        assertTrue(trace("a".repeat(32)).isEmpty(), "nothing recorded for the unsampled trace");
        TestOrigin.Seen quiet = origin.seen().stream().filter(s -> s.uri().equals("/api/quiet")).findFirst().orElseThrow();
        assertEquals(notSampled, quiet.header("traceparent"));
    }

    @Test
    void aRequestWithoutTraceContextStartsATraceTheOriginJoins() throws Exception {
        assertEquals(200, get("/api/new").statusCode());

        Await.until("2 spans", () -> spans.size() >= 2);
        Span server = spans.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER).findFirst().orElseThrow();
        assertTrue(server.getParentSpanId().isEmpty(), "a root span");
        String traceparent = origin.seen().get(0).header("traceparent");
        assertNotNull(traceparent);
        assertTrue(traceparent.startsWith("00-" + hex(server.getTraceId().toByteArray()) + "-"), traceparent);
        assertFalse(traceparent.contains(hex(server.getSpanId().toByteArray())), "the origin's parent is the attempt");
    }
}
