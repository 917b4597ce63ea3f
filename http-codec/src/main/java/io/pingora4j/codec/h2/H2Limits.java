package io.pingora4j.codec.h2;

/**
 * What an HTTP/2 connection announces (SETTINGS) and enforces. Immutable; share one instance.
 * Each security limit is named for the attack it stops; the regression test for each carries
 * the CVE's name.
 *
 * @param maxConcurrentStreams    SETTINGS_MAX_CONCURRENT_STREAMS; more open streams are refused
 *                                with REFUSED_STREAM (default 128)
 * @param initialStreamWindow     SETTINGS_INITIAL_WINDOW_SIZE: body bytes a peer may send on a stream
 *                                before the application consumes them (default 256 KiB)
 * @param connectionWindow        the same for all streams together (default 1 MiB)
 * @param maxFrameSize            SETTINGS_MAX_FRAME_SIZE we accept (default 16 KiB, the minimum)
 * @param headerTableSize         SETTINGS_HEADER_TABLE_SIZE: the HPACK table the peer may fill for us,
 *                                and the most our encoder keeps for the peer (default 4096, the minimum)
 * @param maxHeaderListSize       SETTINGS_MAX_HEADER_LIST_SIZE, enforced while decoding: a header block
 *                                growing past it is a connection error ENHANCE_YOUR_CALM, found at the
 *                                first string that would cross it, before it is buffered (HPACK bomb,
 *                                CONTINUATION flood; default 64 KiB, at most 16 MiB)
 * @param maxContinuationFrames   CONTINUATION frames in one header block (2024 CONTINUATION flood; default 32)
 * @param maxResetsPerWindow      stream resets per {@code resetWindowNanos}, by the peer (rapid reset,
 *                                CVE-2023-44487) or by us because of the peer's frames (MadeYouReset,
 *                                CVE-2025-8671), before GOAWAY ENHANCE_YOUR_CALM (default 200)
 * @param resetWindowNanos        the window of that budget (default 30 s)
 * @param maxQueuedControlFrames  control frames we queue in answer to the peer (SETTINGS and PING acks,
 *                                RST_STREAM) while the engine reports the output not drained (PING,
 *                                SETTINGS and RST floods, CVE-2019-9512/9515/9514; default 10,000)
 * @param maxConsecutiveEmptyFrames DATA frames without payload nor END_STREAM, and CONTINUATION frames
 *                                without payload, in a row (CVE-2019-9518; default 16)
 * @param settingsTimeoutMillis   how long the engine waits for our SETTINGS to be acknowledged before
 *                                {@link H2Connection#settingsTimeout()} (RFC 9113 §6.5.3; default 10 s)
 */
public record H2Limits(int maxConcurrentStreams, int initialStreamWindow, int connectionWindow, int maxFrameSize,
                       int headerTableSize, int maxHeaderListSize, int maxContinuationFrames,
                       int maxResetsPerWindow, long resetWindowNanos, int maxQueuedControlFrames,
                       int maxConsecutiveEmptyFrames, long settingsTimeoutMillis) {

    public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 128;
    public static final int DEFAULT_INITIAL_STREAM_WINDOW = 256 * 1024;
    public static final int DEFAULT_CONNECTION_WINDOW = 1024 * 1024;
    public static final int DEFAULT_HEADER_TABLE_SIZE = 4096;
    public static final int DEFAULT_MAX_HEADER_LIST_SIZE = 64 * 1024;
    public static final int DEFAULT_MAX_CONTINUATION_FRAMES = 32;
    public static final int DEFAULT_MAX_RESETS_PER_WINDOW = 200;
    public static final long DEFAULT_RESET_WINDOW_NANOS = 30_000_000_000L;
    public static final int DEFAULT_MAX_QUEUED_CONTROL_FRAMES = 10_000;
    public static final int DEFAULT_MAX_CONSECUTIVE_EMPTY_FRAMES = 16;
    public static final long DEFAULT_SETTINGS_TIMEOUT_MILLIS = 10_000;
    /** The largest header-list budget accepted (HPACK length checks rely on it). */
    public static final int MAX_HEADER_LIST_SIZE_LIMIT = 16 * 1024 * 1024;

    /** The defaults named in the field descriptions. */
    public static final H2Limits DEFAULTS = new H2Limits(DEFAULT_MAX_CONCURRENT_STREAMS, DEFAULT_INITIAL_STREAM_WINDOW,
            DEFAULT_CONNECTION_WINDOW, H2Frames.DEFAULT_MAX_FRAME_SIZE, DEFAULT_HEADER_TABLE_SIZE,
            DEFAULT_MAX_HEADER_LIST_SIZE, DEFAULT_MAX_CONTINUATION_FRAMES, DEFAULT_MAX_RESETS_PER_WINDOW,
            DEFAULT_RESET_WINDOW_NANOS, DEFAULT_MAX_QUEUED_CONTROL_FRAMES, DEFAULT_MAX_CONSECUTIVE_EMPTY_FRAMES,
            DEFAULT_SETTINGS_TIMEOUT_MILLIS);

    public H2Limits {
        positive("maxConcurrentStreams", maxConcurrentStreams);
        positive("initialStreamWindow", initialStreamWindow);
        if (connectionWindow < H2Frames.DEFAULT_WINDOW) {
            throw new IllegalArgumentException("connectionWindow must be >= 65535, got " + connectionWindow);
        }
        if (maxFrameSize < H2Frames.DEFAULT_MAX_FRAME_SIZE || maxFrameSize > H2Frames.MAX_FRAME_SIZE_LIMIT) {
            throw new IllegalArgumentException("maxFrameSize must be in 16384..16777215, got " + maxFrameSize);
        }
        if (headerTableSize < DEFAULT_HEADER_TABLE_SIZE) {
            // a peer may use 4096 until it has seen a smaller value, so less is not honoured here
            throw new IllegalArgumentException("headerTableSize must be >= 4096, got " + headerTableSize);
        }
        if (maxHeaderListSize < 64 || maxHeaderListSize > MAX_HEADER_LIST_SIZE_LIMIT) {
            throw new IllegalArgumentException("maxHeaderListSize must be in 64.." + MAX_HEADER_LIST_SIZE_LIMIT
                    + ", got " + maxHeaderListSize);
        }
        positive("maxContinuationFrames", maxContinuationFrames);
        positive("maxResetsPerWindow", maxResetsPerWindow);
        if (resetWindowNanos <= 0) {
            throw new IllegalArgumentException("resetWindowNanos must be > 0, got " + resetWindowNanos);
        }
        positive("maxQueuedControlFrames", maxQueuedControlFrames);
        positive("maxConsecutiveEmptyFrames", maxConsecutiveEmptyFrames);
        if (settingsTimeoutMillis <= 0) {
            throw new IllegalArgumentException("settingsTimeoutMillis must be > 0, got " + settingsTimeoutMillis);
        }
    }

    public H2Limits withMaxConcurrentStreams(int v) {
        return new H2Limits(v, initialStreamWindow, connectionWindow, maxFrameSize, headerTableSize, maxHeaderListSize,
                maxContinuationFrames, maxResetsPerWindow, resetWindowNanos, maxQueuedControlFrames,
                maxConsecutiveEmptyFrames, settingsTimeoutMillis);
    }

    public H2Limits withWindows(int stream, int connection) {
        return new H2Limits(maxConcurrentStreams, stream, connection, maxFrameSize, headerTableSize, maxHeaderListSize,
                maxContinuationFrames, maxResetsPerWindow, resetWindowNanos, maxQueuedControlFrames,
                maxConsecutiveEmptyFrames, settingsTimeoutMillis);
    }

    public H2Limits withMaxFrameSize(int v) {
        return new H2Limits(maxConcurrentStreams, initialStreamWindow, connectionWindow, v, headerTableSize,
                maxHeaderListSize, maxContinuationFrames, maxResetsPerWindow, resetWindowNanos, maxQueuedControlFrames,
                maxConsecutiveEmptyFrames, settingsTimeoutMillis);
    }

    public H2Limits withHeaderTableSize(int v) {
        return new H2Limits(maxConcurrentStreams, initialStreamWindow, connectionWindow, maxFrameSize, v,
                maxHeaderListSize, maxContinuationFrames, maxResetsPerWindow, resetWindowNanos, maxQueuedControlFrames,
                maxConsecutiveEmptyFrames, settingsTimeoutMillis);
    }

    public H2Limits withMaxHeaderListSize(int v) {
        return new H2Limits(maxConcurrentStreams, initialStreamWindow, connectionWindow, maxFrameSize, headerTableSize,
                v, maxContinuationFrames, maxResetsPerWindow, resetWindowNanos, maxQueuedControlFrames,
                maxConsecutiveEmptyFrames, settingsTimeoutMillis);
    }

    public H2Limits withMaxContinuationFrames(int v) {
        return new H2Limits(maxConcurrentStreams, initialStreamWindow, connectionWindow, maxFrameSize, headerTableSize,
                maxHeaderListSize, v, maxResetsPerWindow, resetWindowNanos, maxQueuedControlFrames,
                maxConsecutiveEmptyFrames, settingsTimeoutMillis);
    }

    public H2Limits withResetBudget(int resets, long windowNanos) {
        return new H2Limits(maxConcurrentStreams, initialStreamWindow, connectionWindow, maxFrameSize, headerTableSize,
                maxHeaderListSize, maxContinuationFrames, resets, windowNanos, maxQueuedControlFrames,
                maxConsecutiveEmptyFrames, settingsTimeoutMillis);
    }

    public H2Limits withMaxQueuedControlFrames(int v) {
        return new H2Limits(maxConcurrentStreams, initialStreamWindow, connectionWindow, maxFrameSize, headerTableSize,
                maxHeaderListSize, maxContinuationFrames, maxResetsPerWindow, resetWindowNanos, v,
                maxConsecutiveEmptyFrames, settingsTimeoutMillis);
    }

    public H2Limits withMaxConsecutiveEmptyFrames(int v) {
        return new H2Limits(maxConcurrentStreams, initialStreamWindow, connectionWindow, maxFrameSize, headerTableSize,
                maxHeaderListSize, maxContinuationFrames, maxResetsPerWindow, resetWindowNanos, maxQueuedControlFrames,
                v, settingsTimeoutMillis);
    }

    public H2Limits withSettingsTimeoutMillis(long v) {
        return new H2Limits(maxConcurrentStreams, initialStreamWindow, connectionWindow, maxFrameSize, headerTableSize,
                maxHeaderListSize, maxContinuationFrames, maxResetsPerWindow, resetWindowNanos, maxQueuedControlFrames,
                maxConsecutiveEmptyFrames, v);
    }

    private static void positive(String name, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + v);
        }
    }
}
