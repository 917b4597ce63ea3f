package io.pingora4j.server.config;

import io.pingora4j.codec.h2.H2Frames;
import io.pingora4j.codec.h2.H2Limits;
import java.time.Duration;

/**
 * The {@code h2_*} keys of a {@code [servers.NAME]} table: HTTP/2 settings and the limits that
 * stop the published HTTP/2 attacks, each with the codec's safe default ({@link H2Limits#DEFAULTS}).
 */
final class H2Keys {

    private H2Keys() {
    }

    static H2Limits read(TableReader r) {
        H2Limits l = H2Limits.DEFAULTS;
        Long streams = r.integer("h2_max_concurrent_streams", 1, 100_000);
        if (streams != null) {
            l = l.withMaxConcurrentStreams(streams.intValue());
        }
        Long streamWindow = r.size("h2_initial_window_size");
        Long connWindow = r.size("h2_connection_window_size");
        if (streamWindow != null || connWindow != null) {
            int s = bounded(r, "h2_initial_window_size", streamWindow, 1, H2Frames.MAX_WINDOW, l.initialStreamWindow());
            int c = bounded(r, "h2_connection_window_size", connWindow, H2Frames.DEFAULT_WINDOW, H2Frames.MAX_WINDOW,
                    l.connectionWindow());
            l = l.withWindows(s, c);
        }
        Long frame = r.size("h2_max_frame_size");
        if (frame != null) {
            l = l.withMaxFrameSize(bounded(r, "h2_max_frame_size", frame, H2Frames.DEFAULT_MAX_FRAME_SIZE,
                    H2Frames.MAX_FRAME_SIZE_LIMIT, l.maxFrameSize()));
        }
        Long headerList = r.size("h2_max_header_list_size");
        if (headerList != null) {
            l = l.withMaxHeaderListSize(bounded(r, "h2_max_header_list_size", headerList, 64,
                    H2Limits.MAX_HEADER_LIST_SIZE_LIMIT, l.maxHeaderListSize()));
        }
        Long continuations = r.integer("h2_max_continuation_frames", 1, 10_000);
        if (continuations != null) {
            l = l.withMaxContinuationFrames(continuations.intValue());
        }
        Long resets = r.integer("h2_max_resets", 1, 1_000_000);
        Duration resetWindow = r.positiveDuration("h2_reset_window", "30s");
        if (resets != null || resetWindow != null) {
            l = l.withResetBudget(resets == null ? l.maxResetsPerWindow() : resets.intValue(),
                    resetWindow == null ? l.resetWindowNanos() : resetWindow.toNanos());
        }
        Long control = r.integer("h2_max_queued_control_frames", 1, 10_000_000);
        if (control != null) {
            l = l.withMaxQueuedControlFrames(control.intValue());
        }
        Long empty = r.integer("h2_max_empty_frames", 1, 100_000);
        if (empty != null) {
            l = l.withMaxConsecutiveEmptyFrames(empty.intValue());
        }
        Duration settings = r.positiveDuration("h2_settings_timeout", "10s");
        if (settings != null) {
            l = l.withSettingsTimeoutMillis(settings.toMillis());
        }
        return l;
    }

    private static int bounded(TableReader r, String key, Long v, long min, long max, int dflt) {
        if (v == null) {
            return dflt;
        }
        if (v < min || v > max) {
            r.problem(key, "must be in " + min + ".." + max + " bytes, got " + v);
            return dflt;
        }
        return v.intValue();
    }
}
