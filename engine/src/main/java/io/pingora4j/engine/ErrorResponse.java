package io.pingora4j.engine;

import io.pingora4j.codec.h1.ResponseHead;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** The answer the proxy makes itself for a failed request: the status and a one-line plain-text body. */
final class ErrorResponse {

    private ErrorResponse() {
    }

    /** Resets {@code head} to {@code status} with a Content-Type and Content-Length; returns the body. */
    static ByteBuffer fill(ResponseHead head, int status) {
        head.reset();
        head.setStatus(status);
        byte[] body = (status + " " + ResponseHead.reasonPhrase(status) + "\n").getBytes(StandardCharsets.US_ASCII);
        head.headers().add("Content-Type", "text/plain; charset=utf-8");
        head.setContentLength(body.length);
        return ByteBuffer.wrap(body);
    }
}
