package io.pingora4j.server.plugins.compression;

import java.util.Locale;

/**
 * Reads an {@code Accept-Encoding} value (RFC 9110 §12.5.3) for the {@code compression} and
 * {@code accept_encoding} plugins: codings are matched as whole tokens, case-insensitively
 * ({@code x-gzip} is not {@code gzip}), and a weight of 0 means "not acceptable". {@code *}
 * stands for any coding not named. Stateless; thread-safe.
 */
public final class AcceptEncoding {

    private AcceptEncoding() {
    }

    /** Whether {@code coding} (lower case) is acceptable by {@code header} (null: nothing is). */
    public static boolean accepts(String header, String coding) {
        if (header == null) {
            return false;
        }
        int star = -1; // -1 none, 0 refused, 1 accepted
        int at = 0;
        int n = header.length();
        while (at < n) {
            int comma = header.indexOf(',', at);
            int end = comma < 0 ? n : comma;
            int semi = header.indexOf(';', at);
            int nameEnd = semi >= 0 && semi < end ? semi : end;
            String name = header.substring(at, nameEnd).trim().toLowerCase(Locale.ROOT);
            boolean positive = nameEnd == end || weight(header.substring(nameEnd + 1, end)) > 0;
            if (name.equals(coding)) {
                return positive;
            }
            if (name.equals("*")) {
                star = positive ? 1 : 0;
            }
            at = end + 1;
        }
        return star == 1;
    }

    /** The q value in parameters such as " q=0.5" (1 when absent, 0 when malformed). */
    private static double weight(String params) {
        for (String p : params.split(";")) {
            String t = p.trim();
            if (t.length() > 2 && (t.charAt(0) == 'q' || t.charAt(0) == 'Q') && t.charAt(1) == '=') {
                try {
                    double q = Double.parseDouble(t.substring(2).trim());
                    return q >= 0 && q <= 1 ? q : 0;
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }
}
