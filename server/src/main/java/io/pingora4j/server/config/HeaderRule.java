package io.pingora4j.server.config;

import java.util.Objects;

/**
 * One header to set, add or remove, as configured: a name and a value template. Written as a
 * TOML table entry ({@code X-Real-IP = "$remote_addr"}, the seed's form) or a "Name: value" string
 * (Pingap's array form). Immutable.
 *
 * @param name  the header name (validated as an HTTP token)
 * @param value the compiled value (constant for response headers)
 */
public record HeaderRule(String name, HeaderTemplate value) {

    public HeaderRule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }

    /** Whether {@code name} is an HTTP token (RFC 9110 §5.1). */
    public static boolean isToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code value} holds only field characters (no CR, LF, NUL or other controls but HTAB). */
    public static boolean isFieldValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c > 0xff || c < 0x20 && c != '\t' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return name + ": " + value.source();
    }
}
