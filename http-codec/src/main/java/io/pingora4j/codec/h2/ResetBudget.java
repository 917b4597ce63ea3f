package io.pingora4j.codec.h2;

/**
 * The stream-reset budget of one connection: at most {@code max} resets per fixed window of
 * {@code windowNanos}. Resets the peer sends (rapid reset, CVE-2023-44487) and resets we send
 * because of the peer's frames (MadeYouReset, CVE-2025-8671) both draw on it; the clock is the
 * caller's, so tests need no sleeping. Not thread-safe: owned by the connection.
 */
final class ResetBudget {

    private final int max;
    private final long windowNanos;
    private long windowStart;
    private boolean started;
    private int count;

    ResetBudget(int max, long windowNanos) {
        this.max = max;
        this.windowNanos = windowNanos;
    }

    /** Counts one reset at {@code now}; false once the window's budget is spent. */
    boolean spend(long now) {
        if (!started || now - windowStart >= windowNanos) {
            started = true;
            windowStart = now;
            count = 0;
        }
        return ++count <= max;
    }
}
