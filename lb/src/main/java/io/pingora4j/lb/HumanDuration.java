package io.pingora4j.lb;

import java.time.Duration;
import java.util.Objects;

/**
 * Parses configuration durations the way Pingap (humantime) writes them: one or more
 * {@code <integer><unit>} parts, optionally separated by spaces (also between number and unit), summed. Units: {@code ns},
 * {@code us}, {@code ms}, {@code s}, {@code m}, {@code h}, {@code d}. Examples: {@code "3s"},
 * {@code "500ms"}, {@code "1m"}, {@code "1m30s"}, {@code "1h 30m"}. A bare number is refused:
 * "10" could mean seconds or milliseconds, and guessing wrong is worse than asking.
 *
 * <p>Stateless; thread-safe.
 */
public final class HumanDuration {

    private HumanDuration() {
    }

    /** @throws IllegalArgumentException naming the text when it is not a duration */
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
                throw new IllegalArgumentException("duration \"" + text + "\": expected a number at \"" + s.substring(start) + "\"");
            }
            long amount;
            try {
                amount = Long.parseLong(s, start, i, 10);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("duration \"" + text + "\": number too large");
            }
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
            int unitStart = i;
            while (i < s.length() && Character.isLetter(s.charAt(i))) {
                i++;
            }
            String unit = s.substring(unitStart, i);
            Duration part;
            try {
                part = switch (unit) {
                    case "ns" -> Duration.ofNanos(amount);
                    case "us", "\u00b5s" -> Duration.ofNanos(Math.multiplyExact(amount, 1_000L));
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    case "d" -> Duration.ofDays(amount);
                    case "" -> throw new IllegalArgumentException("duration \"" + text
                            + "\": missing unit after " + amount + " (use ms, s, m, h or d)");
                    default -> throw new IllegalArgumentException("duration \"" + text + "\": unknown unit \"" + unit
                            + "\" (use ns, us, ms, s, m, h or d)");
                };
                total = total.plus(part);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("duration \"" + text + "\": too large");
            }
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
        }
        return total;
    }
}
