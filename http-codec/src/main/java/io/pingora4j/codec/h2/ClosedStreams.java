package io.pingora4j.codec.h2;

/**
 * The last few streams that closed, and how (RFC 9113 §5.1): a frame for a stream we reset may
 * have crossed our RST_STREAM and is ignored; a frame for a stream the peer reset is a stream
 * error STREAM_CLOSED; a frame after the peer's END_STREAM on a stream that closed normally is a
 * connection error STREAM_CLOSED; a HEADERS for an id never opened but below the highest one is a
 * connection error PROTOCOL_ERROR (§5.1.1). A fixed ring; not thread-safe.
 */
final class ClosedStreams {

    static final int NOT_FOUND = 0;
    /** Both ends sent END_STREAM (or the peer's GOAWAY refused it). */
    static final int ENDED = 1;
    static final int RESET_BY_US = 2;
    static final int RESET_BY_PEER = 3;

    private final int[] ids;
    private final byte[] how;
    private int next;

    ClosedStreams(int capacity) {
        ids = new int[capacity];
        how = new byte[capacity];
    }

    void add(int id, int closedHow) {
        ids[next] = id;
        how[next] = (byte) closedHow;
        next = (next + 1) % ids.length;
    }

    /** How stream {@code id} closed, or {@link #NOT_FOUND} if it is not among the last ones. */
    int find(int id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return how[i];
            }
        }
        return NOT_FOUND;
    }
}
