package io.pingora4j.engine;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Bytes passed through untouched both ways once the origin switched protocols (101, a WebSocket)
 * or accepted a CONNECT. Each side's end half-closes the other once what it sent has gone out;
 * the tunnel is over when the origin's side has ended and its last bytes reached the client.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class Tunnel {

    private final Downstream down;
    private final UpstreamConnection up;
    private boolean clientEnded;
    private boolean originEnded;

    Tunnel(Downstream down, UpstreamConnection up) {
        this.down = down;
        this.up = up;
    }

    UpstreamConnection upstream() {
        return up;
    }

    /** The client's bytes may be read: the origin took the last ones and the client has not ended. */
    boolean acceptsClientBytes() {
        return !up.out.pending() && !clientEnded;
    }

    /** Client to origin. */
    void fromClient(ByteBuffer b) throws IOException {
        up.out.add(b);
        up.flush();
    }

    /** Origin to client. */
    void fromOrigin(ByteBuffer b) {
        down.sendBody(b);
    }

    /** The client half-closed: the origin gets its end once what the client sent has gone out. */
    void clientEnded() {
        clientEnded = true;
        if (!up.out.pending()) {
            halfCloseOrigin();
        }
    }

    /** The origin took what was queued. */
    void upstreamDrained() {
        if (clientEnded && !up.out.pending()) {
            halfCloseOrigin();
        }
    }

    /** The origin ended its side. Returns true when the tunnel is over (its last bytes are out). */
    boolean originEnded() {
        originEnded = true;
        return !down.pending();
    }

    /** The client took what was queued. Returns true when the tunnel is over. */
    boolean downstreamDrained() {
        return originEnded && !down.pending();
    }

    private void halfCloseOrigin() {
        try {
            up.transport.shutdownOutput();
        } catch (IOException ignored) {
            // the origin is gone too; its EOF ends the tunnel
        }
    }
}
