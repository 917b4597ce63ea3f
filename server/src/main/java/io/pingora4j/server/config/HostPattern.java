package io.pingora4j.server.config;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One host a location answers for. A location's {@code host} holds one or several, comma-separated
 * (Pingap's form; an array is accepted too): {@code "api.example.com"} (exact, case-insensitive),
 * {@code "*.example.com"} (any subdomain at any depth, not example.com itself, as in nginx) or
 * {@code "~regex"} (searched in the host, named groups become route captures, as in Pingap).
 * The request's host is compared without its port. Immutable.
 *
 * @param kind    the kind of match
 * @param value   lower-case host for EXACT; the suffix with its leading dot (".example.com") for
 *                WILDCARD; the regex text for REGEX
 * @param pattern compiled regex for REGEX, null otherwise
 */
public record HostPattern(Kind kind, String value, Pattern pattern) {

    /** The kinds of host match. */
    public enum Kind { EXACT, WILDCARD, REGEX }

    public HostPattern {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
    }

    /** @throws IllegalArgumentException for an invalid regex or an empty host */
    public static HostPattern parse(String text) {
        String t = text.strip();
        if (t.startsWith("~")) {
            String re = t.substring(1).strip();
            return new HostPattern(Kind.REGEX, re, Regexes.compile(re));
        }
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.startsWith("*.")) {
            if (lower.length() < 3 || lower.indexOf('*', 1) >= 0) {
                throw new IllegalArgumentException("host '" + t + "': a wildcard is written *.example.com");
            }
            return new HostPattern(Kind.WILDCARD, lower.substring(1), null);
        }
        if (lower.indexOf('*') >= 0) {
            throw new IllegalArgumentException("host '" + t + "': '*' is only allowed as the first label (*.example.com)");
        }
        return new HostPattern(Kind.EXACT, lower, null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostPattern h && h.kind == kind && h.value.equals(value);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + value.hashCode();
    }

    @Override
    public String toString() {
        return switch (kind) {
            case EXACT -> value;
            case WILDCARD -> "*" + value;
            case REGEX -> "~" + value;
        };
    }
}
