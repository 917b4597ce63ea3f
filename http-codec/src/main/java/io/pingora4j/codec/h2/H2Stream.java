package io.pingora4j.codec.h2;

import io.pingora4j.codec.h1.HttpMethod;

/**
 * One stream's state (RFC 9113 §5.1) and flow-control accounts. Pooled by the connection.
 * Not thread-safe: owned by the connection.
 */
final class H2Stream {

    enum State { OPEN, HALF_CLOSED_LOCAL, HALF_CLOSED_REMOTE, CLOSED }

    int id;
    State state;
    /** The engine has seen it: its head was delivered, or it opened it. */
    boolean surfaced;
    /** Our headers were sent (DATA may follow). */
    boolean headersSent;
    /** Client role: a final (non-1xx) response head arrived. */
    boolean finalResponse;
    /** Client role: the request's method, for a response to HEAD. */
    HttpMethod requestMethod;

    int sendWindow;
    /** writeData fell short: tell the engine when the window opens. */
    boolean sendBlocked;
    int recvWindow;
    /** Body bytes delivered to the engine and not reported consumed yet. */
    int unconsumed;
    /** Consumed bytes not yet returned in a WINDOW_UPDATE. */
    int unacked;

    long contentLength;
    long received;

    H2Stream next; // free list

    void init(int streamId, State s, int send, int recv) {
        id = streamId;
        state = s;
        surfaced = false;
        headersSent = false;
        finalResponse = false;
        requestMethod = HttpMethod.GET;
        sendWindow = send;
        sendBlocked = false;
        recvWindow = recv;
        unconsumed = 0;
        unacked = 0;
        contentLength = -1;
        received = 0;
        next = null;
    }

    boolean remoteOpen() {
        return state == State.OPEN || state == State.HALF_CLOSED_LOCAL;
    }

    boolean localOpen() {
        return state == State.OPEN || state == State.HALF_CLOSED_REMOTE;
    }
}
