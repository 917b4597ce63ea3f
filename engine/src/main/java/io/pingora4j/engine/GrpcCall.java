package io.pingora4j.engine;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.ProxyError;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What a {@link ProxySession} knows of its request as a gRPC call: whether it is one, its service
 * and method, its deadline (grpc-timeout, counted from when the request arrived), and how an
 * answer of the proxy's own is made one a gRPC client reads ({@link Grpc}). One per session,
 * reset for every request.
 *
 * <p>Not thread-safe: owned by the session's event loop.
 */
final class GrpcCall {

    /** The longest client text a local answer's body gives a gRPC client as its grpc-message. */
    private static final int MAX_MESSAGE = 256;

    private HeaderBlock statusTrailers;
    private RequestHead request;
    private boolean active;
    private boolean parsed;
    private String service;
    private String method;
    private long deadline;

    /** A new request; returns its deadline (System.nanoTime() scale), or 0 when it has none. */
    long start(RequestHead r, long now) {
        request = r;
        active = Grpc.isGrpc(r.headers());
        parsed = false;
        service = null;
        method = null;
        deadline = 0;
        if (active) {
            long timeout = Grpc.timeoutNanos(r.headers());
            if (timeout >= 0) {
                deadline = now + Math.min(timeout, Long.MAX_VALUE / 4);
                if (deadline == 0) {
                    deadline = 1;
                }
            }
        }
        return deadline;
    }

    boolean active() {
        return active;
    }

    long deadline() {
        return deadline;
    }

    String service() {
        parsePath();
        return service;
    }

    String method() {
        parsePath();
        return method;
    }

    /** "/pkg.Service/Method" into its two names, once; neither when the path is not that. */
    private void parsePath() {
        if (!active || parsed) {
            return;
        }
        parsed = true;
        CharSequence p = request.pathAndQueryChars();
        int n = p.length();
        int slash = -1;
        for (int i = 1; i < n; i++) {
            char c = p.charAt(i);
            if (c == '?' || (c == '/' && slash >= 0)) {
                return;
            }
            if (c == '/') {
                slash = i;
            }
        }
        if (n < 4 || p.charAt(0) != '/' || slash < 2 || slash == n - 1) {
            return;
        }
        service = p.subSequence(1, slash).toString();
        method = p.subSequence(slash + 1, n).toString();
    }

    /** The Content-Type an answer of ours carries: the call's own (application/grpc, grpc-web...). */
    private String contentType() {
        int i = request.headers().indexOf("content-type");
        return i < 0 ? "application/grpc" : request.headers().value(i);
    }

    /**
     * Whether a local answer (a refusal, an error page) must be made a gRPC one: the request is a
     * call and the answer is not gRPC already.
     */
    boolean needsGrpcAnswer(ResponseHead head) {
        return active && head.status() != 200 && !Grpc.isGrpc(head.headers());
    }

    /**
     * Makes a plain local answer a trailers-only gRPC one: its status mapped, its short text body
     * (or else its reason phrase) as the message. An HTTP/1.x client also gets Content-Length: 0.
     */
    void answerAsGrpc(ResponseHead head, ByteBuffer body, boolean http1) {
        int status = head.status();
        String message = text(head, body);
        Grpc.trailersOnly(head, contentType(), Grpc.forHttpStatus(status), message);
        if (http1) {
            head.setContentLength(0);
        }
    }

    /** Fills {@code head} with the trailers-only answer to a call the proxy failed with {@code e}, answered {@code status}. */
    void failure(ResponseHead head, ProxyError e, int status, boolean http1) {
        Grpc.trailersOnly(head, contentType(), Grpc.forError(e, status), reason(status));
        if (http1) {
            head.setContentLength(0);
        }
    }

    /** The trailers that end a started call the proxy failed with {@code e}. */
    HeaderBlock failureTrailers(ProxyError e) {
        if (statusTrailers == null) {
            statusTrailers = new HeaderBlock(); // rare: made on the first failure of a started call
        }
        Grpc.statusTrailers(statusTrailers, Grpc.forError(e, e.status()), reason(e.status()));
        return statusTrailers;
    }

    private static String reason(int status) {
        return status + " " + ResponseHead.reasonPhrase(status);
    }

    /** The text a local answer gives a gRPC client: a short text/plain body, else the status's reason. */
    private static String text(ResponseHead head, ByteBuffer body) {
        int ct = head.headers().indexOf("content-type");
        boolean text = ct >= 0 && head.headers().value(ct).regionMatches(true, 0, "text/plain", 0, 10);
        if (text && body != null && body.hasRemaining() && body.remaining() <= MAX_MESSAGE) {
            ByteBuffer d = body.duplicate();
            byte[] b = new byte[d.remaining()];
            d.get(b);
            return new String(b, StandardCharsets.UTF_8).strip();
        }
        return reason(head.status());
    }
}
