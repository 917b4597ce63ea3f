package io.pingora4j.codec.h2;

/**
 * The last few streams that closed, and whether we reset them: frames may still arrive for a
 * stream we reset (they crossed our RST_STREAM) and are ignored, while a frame for a stream that
 * closed normally is a STREAM_CLOSED error, and a HEADERS for a stream never opened but below the
 * highest one is a connection error (RFC 9113 §5.1, §5.1.1). A fixed ring; not thread-safe.
 */
final class ClosedStreams {

    static final int NOT_FOUND = 0;
    static final int CLOSED = 1;
    static final int RESET_BY_US = 2;

    private final int[] ids;
    private final boolean[] resetByUs;
    private int next;

    ClosedStreams(int capacity) {
        ids = new int[capacity];
        resetByUs = new boolean[capacity];
    }

    void add(int id, boolean reset) {
        ids[next] = id;
        resetByUs[next] = reset;
        next = (next + 1) % ids.length;
    }

    int find(int id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return resetByUs[i] ? RESET_BY_US : CLOSED;
            }
        }
        return NOT_FOUND;
    }
}
