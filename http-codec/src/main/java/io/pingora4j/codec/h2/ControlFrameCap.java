package io.pingora4j.codec.h2;

/**
 * Caps the control frames queued in answer to a peer (SETTINGS and PING acks, RST_STREAM) while
 * the engine has not drained its output: a peer that sends PINGs or SETTINGS or provokes resets
 * but never reads would otherwise grow our output queue without bound (CVE-2019-9512, 9514,
 * 9515). Not thread-safe: owned by the connection.
 */
final class ControlFrameCap {

    private final int max;
    private int queued;

    ControlFrameCap(int max) {
        this.max = max;
    }

    /** One more queued; false when that is over the cap. */
    boolean add() {
        return ++queued <= max;
    }

    /** The engine wrote everything out. */
    void drained() {
        queued = 0;
    }

    int queued() {
        return queued;
    }
}
