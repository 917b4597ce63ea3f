package io.pingora4j.engine;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.ProxyError;
import java.nio.charset.StandardCharsets;

/**
 * gRPC as the proxy sees it (gRPC over HTTP/2, PROTOCOL-HTTP2.md in grpc/grpc): recognising a
 * call, its deadline, and answering a call the proxy itself failed the way a gRPC client reads
 * it — HTTP 200 with {@code grpc-status} and {@code grpc-message} in a trailers-only response —
 * rather than with an HTML error page it cannot parse.
 *
 * <p>Stateless; thread-safe.
 */
final class Grpc {

    static final int OK = 0;
    static final int UNKNOWN = 2;
    static final int DEADLINE_EXCEEDED = 4;
    static final int PERMISSION_DENIED = 7;
    static final int RESOURCE_EXHAUSTED = 8;
    static final int UNIMPLEMENTED = 12;
    static final int INTERNAL = 13;
    static final int UNAVAILABLE = 14;
    static final int UNAUTHENTICATED = 16;

    /** The longest grpc-timeout value: 8 digits (PROTOCOL-HTTP2: TimeoutValue). */
    private static final int MAX_TIMEOUT_DIGITS = 8;
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private Grpc() {
    }

    /**
     * Whether the Content-Type names gRPC: {@code application/grpc}, optionally followed by
     * {@code +format} ({@code +proto}), {@code -web}, {@code -web-text} or parameters.
     */
    static boolean isGrpc(HeaderBlock h) {
        int i = h.indexOf("content-type");
        if (i < 0) {
            return false;
        }
        String prefix = "application/grpc";
        int n = h.valueLength(i);
        if (n < prefix.length()) {
            return false;
        }
        for (int k = 0; k < prefix.length(); k++) {
            int b = h.valueByte(i, k);
            if ((b | 0x20) != prefix.charAt(k)) {
                return false;
            }
        }
        if (n == prefix.length()) {
            return true;
        }
        int next = h.valueByte(i, prefix.length());
        return next == '+' || next == '-' || next == ';' || next == ' ';
    }

    /**
     * The call's deadline from its {@code grpc-timeout} field ("1S", "500m", "2H": at most 8 digits
     * and a unit of H, M, S, m, u or n), in nanoseconds; -1 when absent or malformed (a malformed
     * one is ignored, as the origin will judge it too).
     */
    static long timeoutNanos(HeaderBlock h) {
        int i = h.indexOf("grpc-timeout");
        if (i < 0) {
            return -1;
        }
        int n = h.valueLength(i);
        if (n < 2 || n > MAX_TIMEOUT_DIGITS + 1) {
            return -1;
        }
        long value = 0;
        for (int k = 0; k < n - 1; k++) {
            int d = h.valueByte(i, k) - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            value = value * 10 + d;
        }
        long unit;
        switch (h.valueByte(i, n - 1)) {
            case 'H': unit = 3_600_000_000_000L; break;
            case 'M': unit = 60_000_000_000L; break;
            case 'S': unit = 1_000_000_000L; break;
            case 'm': unit = 1_000_000L; break;
            case 'u': unit = 1_000L; break;
            case 'n': unit = 1L; break;
            default: return -1;
        }
        return value > Long.MAX_VALUE / unit ? Long.MAX_VALUE : value * unit;
    }

    /**
     * The gRPC status for a call the proxy failed: by what went wrong when the status is the
     * error's own (an origin down is UNAVAILABLE, a timeout DEADLINE_EXCEEDED), else by the HTTP
     * status the proxy chose ({@link #forHttpStatus}).
     */
    static int forError(ProxyError e, int httpStatus) {
        if (e != null && e.status() == httpStatus) {
            switch (e.kind()) {
                case CONNECT_REFUSED:
                case CONNECT_FAILED:
                case CONNECT_TIMEOUT:
                case CONNECTION_CLOSED:
                case STREAM_REFUSED:
                case NO_UPSTREAM:
                    return UNAVAILABLE;
                case READ_TIMEOUT:
                case WRITE_TIMEOUT:
                    return DEADLINE_EXCEEDED;
                default:
                    break;
            }
        }
        return forHttpStatus(httpStatus);
    }

    /**
     * gRPC's HTTP-to-gRPC mapping (HTTP-to-gRPC-status in grpc/grpc), with the proxy's own
     * answers made precise: 429 and 413 (a limit) are RESOURCE_EXHAUSTED, 504 and 408 (a timeout)
     * DEADLINE_EXCEEDED, 500 INTERNAL.
     */
    static int forHttpStatus(int status) {
        switch (status) {
            case 400:
            case 500:
                return INTERNAL;
            case 401:
                return UNAUTHENTICATED;
            case 403:
                return PERMISSION_DENIED;
            case 404:
                return UNIMPLEMENTED;
            case 408:
            case 504:
                return DEADLINE_EXCEEDED;
            case 413:
            case 429:
                return RESOURCE_EXHAUSTED;
            case 502:
            case 503:
                return UNAVAILABLE;
            default:
                return UNKNOWN;
        }
    }

    /**
     * Makes {@code h} a trailers-only gRPC response (HTTP 200, no body, the status in the head):
     * what a gRPC client reads as the call's outcome.
     */
    static void trailersOnly(ResponseHead h, CharSequence contentType, int code, String message) {
        h.reset();
        h.setStatus(200);
        h.headers().add("content-type", contentType);
        h.headers().add("grpc-status", Integer.toString(code));
        if (message != null && !message.isEmpty()) {
            h.headers().add("grpc-message", percentEncode(message));
        }
    }

    /** The fields that end a call with {@code code}, as trailers after a started response. */
    static void statusTrailers(HeaderBlock t, int code, String message) {
        t.reset();
        t.add("grpc-status", Integer.toString(code));
        if (message != null && !message.isEmpty()) {
            t.add("grpc-message", percentEncode(message));
        }
    }

    /** grpc-message's encoding: UTF-8, then every byte outside printable ASCII, and '%', as %XX. */
    static String percentEncode(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(b.length + 8);
        for (byte x : b) {
            int v = x & 0xff;
            if (v >= 0x20 && v <= 0x7e && v != '%') {
                out.append((char) v);
            } else {
                out.append('%').append((char) HEX[v >> 4]).append((char) HEX[v & 0xf]);
            }
        }
        return out.toString();
    }
}
