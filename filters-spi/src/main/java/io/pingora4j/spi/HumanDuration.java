package io.pingora4j.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * The one duration grammar of pingora4j's configuration: the server's keys ({@code grace_period},
 * {@code read_timeout}...), health-check URLs and plugin tables all read durations through it. It
 * is the grammar of Pingap's configuration (the Rust {@code humantime} crate): one or more
 * {@code <integer><unit>} parts, summed, with optional white space between parts and between a
 * number and its unit.
 *
 * <pre>
 *  ns  nsec nanos                 nanoseconds
 *  us  usec \u00b5s                     microseconds
 *  ms  msec millis                milliseconds
 *  s   sec secs second seconds    seconds
 *  m   min mins minute minutes    minutes
 *  h   hr hrs hour hours          hours
 *  d   day days                   days
 *  w   week weeks                 weeks
 *  M   month months               30.44 days (as humantime)
 *  y   year years                 365.25 days (as humantime)
 * </pre>
 *
 * Examples: {@code "3s"}, {@code "500ms"}, {@code "1m30s"}, {@code "1h 30m"}, {@code "2 min"}.
 * Units are case-sensitive ({@code m} is a minute, {@code M} a month). A bare number is refused:
 * "10" could mean seconds or milliseconds, and guessing wrong is worse than asking.
 *
 * <p>Stateless; thread-safe.
 */
public final class HumanDuration {

    private HumanDuration() {
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException whose message quotes the text and says what is wrong
     *     (empty, a number expected, a missing or unknown unit, too large)
     */
    public static Duration parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty duration; expected e.g. 3s, 500ms, 1m");
        }
        Duration total = Duration.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            if (i == start) {
                throw new IllegalArgumentException("duration \"" + text + "\": expected a number at \""
                        + s.substring(start) + "\"");
            }
            long amount;
            try {
                amount = Long.parseLong(s, start, i, 10);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("duration \"" + text + "\": number too large");
            }
            i = skipSpaces(s, i);
            int unitStart = i;
            while (i < s.length() && Character.isLetter(s.charAt(i))) {
                i++;
            }
            if (i == unitStart && i < s.length() && !Character.isDigit(s.charAt(i))) {
                throw new IllegalArgumentException("duration \"" + text + "\": unexpected \"" + s.charAt(i)
                        + "\" at \"" + s.substring(i) + "\" (whole numbers with a unit, e.g. 1500ms)");
            }
            try {
                total = total.plus(part(text, amount, s.substring(unitStart, i)));
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("duration \"" + text + "\": too large");
            }
            i = skipSpaces(s, i);
        }
        return total;
    }

    private static Duration part(String text, long n, String unit) {
        return switch (unit) {
            case "ns", "nsec", "nanos" -> Duration.ofNanos(n);
            case "us", "usec", "\u00b5s" -> Duration.ofNanos(Math.multiplyExact(n, 1_000L));
            case "ms", "msec", "millis" -> Duration.ofMillis(n);
            case "s", "sec", "secs", "second", "seconds" -> Duration.ofSeconds(n);
            case "m", "min", "mins", "minute", "minutes" -> Duration.ofMinutes(n);
            case "h", "hr", "hrs", "hour", "hours" -> Duration.ofHours(n);
            case "d", "day", "days" -> Duration.ofDays(n);
            case "w", "week", "weeks" -> Duration.ofDays(Math.multiplyExact(n, 7L));
            case "M", "month", "months" -> Duration.ofSeconds(Math.multiplyExact(n, 2_630_016L));
            case "y", "year", "years" -> Duration.ofSeconds(Math.multiplyExact(n, 31_557_600L));
            case "" -> throw new IllegalArgumentException("duration \"" + text + "\": missing unit after " + n
                    + " (use ms, s, m, h or d)");
            default -> throw new IllegalArgumentException("duration \"" + text + "\": unknown unit \"" + unit
                    + "\" (use ns, us, ms, s, m, h, d, w, M or y)");
        };
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }
}
