package io.pingora4j.server.tracing;

import io.pingora4j.codec.h1.HeaderBlock;

/**
 * W3C Trace Context's {@code traceparent} (version 00: {@code 00-<32 hex trace id>-<16 hex parent
 * id>-<2 hex flags>}), read from a request's headers in place: finding whether there is a valid
 * one and whether its sampled flag is set allocates nothing, so a request that is not traced costs
 * a header scan and no garbage. Ids are made into strings only for a request that is traced.
 *
 * <p>A malformed value, an all-zero id, or version ff is as if there were none (W3C §4.3: a
 * participant starts a new trace). A later version is read by its version-00 prefix, as W3C asks.
 */
final class TraceParent {

    static final String HEADER = "traceparent";
    static final String STATE_HEADER = "tracestate";
    private static final int LENGTH = 55;

    private TraceParent() {
    }

    /** The index of a valid traceparent field in {@code headers}, or -1. */
    static int find(HeaderBlock headers) {
        int i = headers.indexOf(HEADER);
        if (i < 0 || headers.indexOf(HEADER, i + 1) >= 0) {
            return -1; // none, or several: W3C says a repeated traceparent is invalid
        }
        return valid(headers, i) ? i : -1;
    }

    private static boolean valid(HeaderBlock h, int i) {
        int n = h.valueLength(i);
        if (n < LENGTH || (n > LENGTH && h.valueByte(i, LENGTH) != '-')) {
            return false;
        }
        int v0 = hex(h.valueByte(i, 0));
        int v1 = hex(h.valueByte(i, 1));
        if (v0 < 0 || v1 < 0 || (v0 == 0xf && v1 == 0xf) || (v0 == 0 && v1 == 0 && n != LENGTH)) {
            return false;
        }
        if (h.valueByte(i, 2) != '-' || h.valueByte(i, 35) != '-' || h.valueByte(i, 52) != '-') {
            return false;
        }
        return lowerHex(h, i, 3, 35) && lowerHex(h, i, 36, 52) && lowerHex(h, i, 53, 55);
    }

    /** Lower-case hex only, and not all zeros (W3C: an all-zero trace or parent id is invalid). */
    private static boolean lowerHex(HeaderBlock h, int i, int from, int to) {
        boolean nonZero = to - from == 2; // the flags may be 00
        for (int k = from; k < to; k++) {
            int b = h.valueByte(i, k);
            if (!((b >= '0' && b <= '9') || (b >= 'a' && b <= 'f'))) {
                return false;
            }
            nonZero |= b != '0';
        }
        return nonZero;
    }

    /** Whether the valid traceparent at {@code i} has its sampled flag set. */
    static boolean sampled(HeaderBlock h, int i) {
        return (hex(h.valueByte(i, 54)) & 1) != 0;
    }

    static String traceId(HeaderBlock h, int i) {
        return h.value(i).substring(3, 35);
    }

    static String parentId(HeaderBlock h, int i) {
        return h.value(i).substring(36, 52);
    }

    /** A traceparent for the span {@code spanId} of {@code traceId}, sampled. */
    static String format(String traceId, String spanId) {
        return "00-" + traceId + "-" + spanId + "-01";
    }

    private static int hex(int b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        return -1;
    }
}
