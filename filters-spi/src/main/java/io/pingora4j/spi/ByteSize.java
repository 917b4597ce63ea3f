package io.pingora4j.spi;

import java.util.Locale;

/**
 * The one size grammar of pingora4j's configuration: the server's {@code client_max_body_size},
 * plugin tables' sizes ({@link PluginConfig#size}). It is Pingap's (the Rust {@code bytesize}
 * crate): an integer of bytes, or a number with a unit where {@code k}/{@code kb} = 1000,
 * {@code m}/{@code mb} = 10^6, {@code g}/{@code gb} = 10^9, {@code t}/{@code tb} = 10^12, and
 * {@code ki}/{@code kib} = 1024, {@code mi}/{@code mib} = 2^20, {@code gi}/{@code gib} = 2^30,
 * {@code ti}/{@code tib} = 2^40 (case-insensitive, spaces allowed: "1 MiB"). So "1m" is 1,000,000
 * bytes as in Pingap, not nginx's 1,048,576: write "1mib" for that. Stateless.
 */
public final class ByteSize {

    private ByteSize() {
    }

    /** @throws IllegalArgumentException naming the text when it is not a size */
    public static long parse(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("'" + text + "' is not a size (e.g. 1048576, \"512k\", \"1m\", \"1mib\")");
        }
        double number;
        try {
            number = Double.parseDouble(s.substring(0, i));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a size (e.g. 1048576, \"512k\", \"1m\", \"1mib\")");
        }
        String unit = s.substring(i).strip();
        long multiplier = switch (unit) {
            case "", "b" -> 1L;
            case "k", "kb" -> 1_000L;
            case "ki", "kib" -> 1L << 10;
            case "m", "mb" -> 1_000_000L;
            case "mi", "mib" -> 1L << 20;
            case "g", "gb" -> 1_000_000_000L;
            case "gi", "gib" -> 1L << 30;
            case "t", "tb" -> 1_000_000_000_000L;
            case "ti", "tib" -> 1L << 40;
            default -> throw new IllegalArgumentException("'" + text + "': unknown size unit '" + unit
                    + "' (use b, k, kb, kib, m, mb, mib, g, gb, gib)");
        };
        double bytes = number * multiplier;
        if (bytes > Long.MAX_VALUE / 2) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        return (long) bytes;
    }
}
