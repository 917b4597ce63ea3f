package io.pingora4j.cache.http;

import java.time.LocalDate;

/**
 * Parses HTTP-date values (RFC 9110 §5.6.7) into epoch seconds.
 *
 * <p>Accepts the three formats a recipient MUST accept: IMF-fixdate
 * ({@code Sun, 06 Nov 1994 08:49:37 GMT}), the obsolete RFC 850 form
 * ({@code Sunday, 06-Nov-94 08:49:37 GMT}) and ANSI C asctime ({@code Sun Nov  6 08:49:37 1994}).
 * The day name is not checked against the date (it carries no information). Anything else,
 * including {@code "0"} or {@code "-1"} in {@code Expires}, is invalid and reported as
 * {@link #INVALID}; callers decide what that means (for {@code Expires}: already expired,
 * RFC 9111 §5.3).
 *
 * <p>Stateless and thread-safe.
 */
public final class HttpDate {

    /** Returned for a value that is not an HTTP-date. */
    public static final long INVALID = Long.MIN_VALUE;

    private static final String[] MONTHS = {
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
    };

    private HttpDate() {
    }

    /**
     * @param value the field value, surrounding whitespace allowed
     * @param nowEpochSeconds the current time, used only to place a two-digit RFC 850 year
     * @return seconds since the epoch, or {@link #INVALID}
     */
    public static long parse(CharSequence value, long nowEpochSeconds) {
        if (value == null) {
            return INVALID;
        }
        String s = value.toString().trim();
        try {
            int comma = s.indexOf(',');
            if (comma < 0) {
                return parseAsctime(s);
            }
            String rest = s.substring(comma + 1).trim();
            return rest.indexOf('-') > 0 ? parseRfc850(rest, nowEpochSeconds) : parseImfFixdate(rest);
        } catch (RuntimeException e) {
            return INVALID;
        }
    }

    /** {@code 06 Nov 1994 08:49:37 GMT} (after the day name and comma). */
    private static long parseImfFixdate(String s) {
        String[] parts = s.split(" ");
        if (parts.length != 5 || !parts[4].equals("GMT") || parts[0].length() != 2 || parts[2].length() != 4) {
            return INVALID;
        }
        return toEpoch(digits(parts[2]), month(parts[1]), digits(parts[0]), parts[3]);
    }

    /** {@code 06-Nov-94 08:49:37 GMT}; RFC 9110 §5.6.7 places the year within 50 years of now. */
    private static long parseRfc850(String s, long nowEpochSeconds) {
        String[] parts = s.split(" ");
        if (parts.length != 3 || !parts[2].equals("GMT")) {
            return INVALID;
        }
        String[] date = parts[0].split("-");
        if (date.length != 3 || date[0].length() != 2 || date[2].length() != 2) {
            return INVALID;
        }
        int nowYear = LocalDate.ofEpochDay(Math.floorDiv(nowEpochSeconds, 86_400L)).getYear();
        int year = nowYear - Math.floorMod(nowYear, 100) + digits(date[2]);
        if (year > nowYear + 50) {
            year -= 100;
        }
        return toEpoch(year, month(date[1]), digits(date[0]), parts[1]);
    }

    /** {@code Sun Nov  6 08:49:37 1994}: the day of month is space-padded. */
    private static long parseAsctime(String s) {
        String[] parts = s.split(" +");
        if (parts.length != 5 || parts[0].length() != 3 || parts[4].length() != 4) {
            return INVALID;
        }
        return toEpoch(digits(parts[4]), month(parts[1]), digits(parts[2]), parts[3]);
    }

    private static long toEpoch(int year, int month, int day, String time) {
        if (month < 0 || time.length() != 8 || time.charAt(2) != ':' || time.charAt(5) != ':') {
            return INVALID;
        }
        int hour = digits(time.substring(0, 2));
        int minute = digits(time.substring(3, 5));
        int second = digits(time.substring(6, 8));
        // second 60 is a leap second; RFC 9110's grammar allows it
        if (hour > 23 || minute > 59 || second > 60) {
            return INVALID;
        }
        long days = LocalDate.of(year, month + 1, day).toEpochDay();
        return days * 86_400L + hour * 3_600L + minute * 60L + second;
    }

    private static int month(String name) {
        for (int i = 0; i < MONTHS.length; i++) {
            if (MONTHS[i].equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Parses ASCII digits only (no sign, no spaces); throws on anything else. */
    private static int digits(String s) {
        if (s.isEmpty() || s.length() > 9) {
            throw new NumberFormatException(s);
        }
        int value = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new NumberFormatException(s);
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
