package io.pingora4j.lb;

import java.util.Locale;
import java.util.Objects;

/**
 * Which part of a request a consistent-hash upstream keys on, as Pingap spells it after
 * {@code hash:}: {@code ip}, {@code header:NAME}, {@code cookie:NAME}, {@code query:NAME},
 * {@code url}, {@code path}.
 *
 * <p>Immutable; {@link #extract} is allocation-free if the view is.
 *
 * @param source the request part
 * @param name   the header, cookie or query parameter name; null for ip, url and path
 */
public record HashKey(Source source, String name) {

    public enum Source {
        /** The client address text ({@link RequestKeyView#clientIp()}). */
        IP,
        HEADER,
        COOKIE,
        QUERY,
        /** Path and query string. */
        URL,
        PATH;

        String spelling() {
            return name().toLowerCase(Locale.ROOT);
        }

        boolean named() {
            return this == HEADER || this == COOKIE || this == QUERY;
        }
    }

    static final String ACCEPTED = "ip, header:NAME, cookie:NAME, query:NAME, url, path";

    public HashKey {
        Objects.requireNonNull(source, "source");
        if (source.named()) {
            Objects.requireNonNull(name, "name");
        } else if (name != null) {
            throw new IllegalArgumentException("hash key " + source.spelling() + " takes no name, got \"" + name + "\"");
        }
    }

    /**
     * Parses a key spec such as {@code "header:X-User"}. The source is case-insensitive; the name is
     * kept as written (header lookups are case-insensitive anyway, cookie and query names are not).
     *
     * @throws IllegalArgumentException naming the bad spec and what is accepted
     */
    public static HashKey parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        String s = spec.strip();
        int colon = s.indexOf(':');
        String sourceText = (colon < 0 ? s : s.substring(0, colon)).toLowerCase(Locale.ROOT);
        Source source = switch (sourceText) {
            case "ip" -> Source.IP;
            case "header" -> Source.HEADER;
            case "cookie" -> Source.COOKIE;
            case "query" -> Source.QUERY;
            case "url" -> Source.URL;
            case "path" -> Source.PATH;
            default -> throw new IllegalArgumentException("unknown hash key \"" + spec + "\"; accepted: " + ACCEPTED);
        };
        if (!source.named()) {
            if (colon >= 0) {
                throw new IllegalArgumentException("hash key \"" + spec + "\": " + sourceText + " takes no name");
            }
            return new HashKey(source, null);
        }
        if (colon < 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("hash key \"" + spec + "\": " + sourceText
                    + " needs a name, e.g. " + sourceText + ":X-User");
        }
        String name = s.substring(colon + 1);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = source == Source.QUERY ? isQueryNameChar(c) : isTokenChar(c);
            if (!ok) {
                throw new IllegalArgumentException("hash key \"" + spec + "\": " + sourceText + " name \"" + name
                        + "\" has an invalid character '" + c + "'");
            }
        }
        return new HashKey(source, name);
    }

    /** The value this key takes in a request, or null when the request does not have it. */
    public CharSequence extract(RequestKeyView request) {
        return switch (source) {
            case IP -> request.clientIp();
            case HEADER -> request.header(name);
            case COOKIE -> request.cookie(name);
            case QUERY -> request.query(name);
            case URL -> request.url();
            case PATH -> request.path();
        };
    }

    /** The canonical spelling, e.g. {@code header:X-User}. */
    public String spec() {
        return name == null ? source.spelling() : source.spelling() + ":" + name;
    }

    @Override
    public String toString() {
        return spec();
    }

    /** RFC 9110 §5.6.2 tchar: header and cookie names are tokens. */
    private static boolean isTokenChar(char c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static boolean isQueryNameChar(char c) {
        return c > ' ' && c < 0x7F && c != '&' && c != '=' && c != '#';
    }
}
