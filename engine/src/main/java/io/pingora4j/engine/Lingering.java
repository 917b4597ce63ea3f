package io.pingora4j.engine;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * A lingering close (nginx's lingering_close): once the last bytes to a client went out, the
 * connection is half-closed and whatever the client still sends is read and dropped for a moment,
 * until it closes too. Closing a socket with unread input makes the kernel send a reset, and a
 * reset can destroy what the client had not read yet: the answer (a 413, a GOAWAY) it most needs.
 */
final class Lingering {

    /** How long a client has to close after our half-close (nginx's lingering_timeout is 5 s). */
    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private Lingering() {
    }

    /** Half-closes; false if the socket is already unusable (then just close). */
    static boolean start(Transport t) {
        try {
            t.shutdownOutput();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads and drops what the client sent; true when it closed (or failed): close now. */
    static boolean discard(InputBuffer input, Transport t) {
        try {
            for (int i = 0; i < 16; i++) {
                int n = input.read(t);
                if (input.bytes() != null) {
                    input.bytes().position(input.bytes().limit()); // dropped
                }
                if (n < 0) {
                    return true;
                }
                if (n == 0) {
                    return false;
                }
            }
            return false; // more later: the loop's other connections come first
        } catch (IOException e) {
            return true;
        }
    }
}
