package io.pingora4j.server.accesslog;

/**
 * Sizes and durations for people, as Pingap prints them ({@code pingap-util} {@code format.rs}):
 * decimal units (1 KB = 1000 B), one decimal place, and a trailing ".0" dropped: {@code 512B},
 * {@code 1KB}, {@code 1.1KB}, {@code 1.2MB}; {@code 999ms}, {@code 1s}, {@code 12.4s}.
 *
 * <p>Stateless; safe from any thread.
 */
final class HumanUnits {

    private static final long KB = 1_000;
    private static final long MB = 1_000 * KB;
    private static final long GB = 1_000 * MB;

    private HumanUnits() {
    }

    /** Appends {@code bytes} as B, KB, MB or GB. */
    static void appendBytes(StringBuilder out, long bytes) {
        if (bytes >= GB) {
            appendScaled(out, bytes, GB, "GB");
        } else if (bytes >= MB) {
            appendScaled(out, bytes, MB, "MB");
        } else if (bytes >= KB) {
            appendScaled(out, bytes, KB, "KB");
        } else {
            out.append(bytes).append('B');
        }
    }

    /** Appends {@code millis} as ms below a second, else as seconds. */
    static void appendMillis(StringBuilder out, long millis) {
        if (millis >= 1_000) {
            appendScaled(out, millis, 1_000, "s");
        } else {
            out.append(millis).append("ms");
        }
    }

    /** value / unit rounded to one decimal (half up), the ".0" left off. Integer math: no double formatting. */
    private static void appendScaled(StringBuilder out, long value, long unit, String suffix) {
        long tenths = value / unit * 10 + ((value % unit) * 10 + unit / 2) / unit;
        out.append(tenths / 10);
        if (tenths % 10 != 0) {
            out.append('.').append(tenths % 10);
        }
        out.append(suffix);
    }
}
