package io.pingora4j.engine;

/** What a selection key is attached to: the loop calls back on readiness. */
interface IoHandler {

    void onReadable();

    void onWritable();

    /** A non-blocking connect finished (or failed). */
    default void onConnectable() {
    }
}
