package io.pingora4j.cache.http;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The directives of one message's {@code Cache-Control} header field(s), RFC 9111 §5.2.
 *
 * <p>Parsing rules, each traceable to the RFC:
 * <ul>
 *   <li>Directive names are tokens compared case-insensitively; arguments may be a token or a
 *       quoted-string and both forms are accepted for every directive (§5.2). Commas inside a
 *       quoted-string do not split directives.
 *   <li>Several field lines are one comma-separated list (RFC 9110 §5.3).
 *   <li>delta-seconds (§1.2.2) is one or more digits; a larger value than can be represented is
 *       taken as 2<sup>31</sup>.
 *   <li>An invalid {@code max-age} or {@code s-maxage} argument, or two occurrences with different
 *       values, makes the response stale: the value becomes 0 (§4.2.1, "either the first
 *       occurrence should be used or the response should be considered stale"; invalid
 *       freshness information is encouraged to be treated as stale).
 *   <li>{@code stale-while-revalidate} and {@code stale-if-error} (RFC 5861) only ever relax the
 *       rules, so an invalid argument is ignored and of several values the smallest is kept.
 *   <li>{@code no-cache} and {@code private} may carry a field-name list (§5.2.2.4, §5.2.2.7). If
 *       the unqualified form also appears, or the list is empty, the directive is unqualified:
 *       the most restrictive reading wins (§4.2.1, "the most restrictive directive should be
 *       honored").
 *   <li>Unknown directives (cache extensions, §5.2.3) are ignored.
 * </ul>
 *
 * <p>Immutable and thread-safe once parsed.
 */
public final class CacheControl {

    /** The value used for a delta-seconds too large to represent (RFC 9111 §1.2.2). */
    public static final long DELTA_SECONDS_CAP = 2_147_483_648L;

    /** Parsed from an absent header: no directives at all. */
    public static final CacheControl EMPTY = new Builder().build();

    private static final long ABSENT = -1;

    private final long maxAge;
    private final long sMaxAge;
    private final long staleWhileRevalidate;
    private final long staleIfError;
    private final long maxStale;
    private final long minFresh;
    private final boolean noStore;
    private final boolean noCache;
    private final Set<String> noCacheFields;
    private final boolean isPrivate;
    private final Set<String> privateFields;
    private final boolean isPublic;
    private final boolean mustRevalidate;
    private final boolean proxyRevalidate;
    private final boolean mustUnderstand;
    private final boolean immutable;
    private final boolean noTransform;
    private final boolean onlyIfCached;

    private CacheControl(Builder b) {
        this.maxAge = b.maxAge;
        this.sMaxAge = b.sMaxAge;
        this.staleWhileRevalidate = b.staleWhileRevalidate;
        this.staleIfError = b.staleIfError;
        this.maxStale = b.maxStale;
        this.minFresh = b.minFresh;
        this.noStore = b.noStore;
        this.noCache = b.noCacheBare || (b.noCacheQualified && b.noCacheFields.isEmpty());
        this.noCacheFields = this.noCache ? Set.of() : Collections.unmodifiableSet(b.noCacheFields);
        this.isPrivate = b.privateBare || (b.privateQualified && b.privateFields.isEmpty());
        this.privateFields = this.isPrivate ? Set.of() : Collections.unmodifiableSet(b.privateFields);
        this.isPublic = b.isPublic;
        this.mustRevalidate = b.mustRevalidate;
        this.proxyRevalidate = b.proxyRevalidate;
        this.mustUnderstand = b.mustUnderstand;
        this.immutable = b.immutable;
        this.noTransform = b.noTransform;
        this.onlyIfCached = b.onlyIfCached;
    }

    /** Parses one or more {@code Cache-Control} field values; {@code null} values are skipped. */
    public static CacheControl parse(CharSequence... fieldValues) {
        return parse(List.of(nonNull(fieldValues)));
    }

    /** Parses the {@code Cache-Control} field lines of one message, in order. */
    /**
     * A request's directives: its {@code Cache-Control} lines, or, when it has none, {@code no-cache}
     * if a {@code Pragma} line says {@code no-cache} (§5.4).
     */
    public static CacheControl forRequest(String[] cacheControl, String[] pragma) {
        if (cacheControl.length > 0) {
            return parse(cacheControl);
        }
        for (String p : pragma) {
            if (p.toLowerCase(Locale.ROOT).contains("no-cache")) {
                return parse("no-cache");
            }
        }
        return EMPTY;
    }

    public static CacheControl parse(Iterable<? extends CharSequence> fieldValues) {
        Builder builder = new Builder();
        for (CharSequence value : fieldValues) {
            if (value != null) {
                new Lexer(value, builder).run();
            }
        }
        return builder.build();
    }

    /** {@code max-age}: 0 if it was invalid or given twice with different values. */
    public OptionalLong maxAge() {
        return optional(maxAge);
    }

    /** {@code s-maxage} (shared caches only): 0 if invalid or conflicting. */
    public OptionalLong sMaxAge() {
        return optional(sMaxAge);
    }

    /** {@code stale-while-revalidate} seconds (RFC 5861 §3). */
    public OptionalLong staleWhileRevalidate() {
        return optional(staleWhileRevalidate);
    }

    /** {@code stale-if-error} seconds (RFC 5861 §4). */
    public OptionalLong staleIfError() {
        return optional(staleIfError);
    }

    /**
     * Request {@code max-stale} (§5.2.1.2): seconds of staleness the client accepts;
     * {@link Long#MAX_VALUE} when given without a value (any staleness).
     */
    public OptionalLong maxStale() {
        return optional(maxStale);
    }

    /** Request {@code min-fresh} (§5.2.1.3). */
    public OptionalLong minFresh() {
        return optional(minFresh);
    }

    /** {@code no-store} (§5.2.1.5, §5.2.2.5). */
    public boolean noStore() {
        return noStore;
    }

    /** Unqualified {@code no-cache}: every use needs a successful validation (§5.2.2.4). */
    public boolean noCache() {
        return noCache;
    }

    /**
     * Lower-cased field names of a qualified {@code no-cache="a, b"}: those fields must not be
     * sent from the cache without validation. Empty when unqualified or absent.
     */
    public Set<String> noCacheFields() {
        return noCacheFields;
    }

    /** Unqualified {@code private}: a shared cache must not store the response (§5.2.2.7). */
    public boolean isPrivate() {
        return isPrivate;
    }

    /**
     * Lower-cased field names of a qualified {@code private="a"}: a shared cache may store the
     * response but must not store those fields.
     */
    public Set<String> privateFields() {
        return privateFields;
    }

    /** {@code public} (§5.2.2.9). */
    public boolean isPublic() {
        return isPublic;
    }

    /** {@code must-revalidate} (§5.2.2.2). */
    public boolean mustRevalidate() {
        return mustRevalidate;
    }

    /** {@code proxy-revalidate} (§5.2.2.8): must-revalidate for shared caches. */
    public boolean proxyRevalidate() {
        return proxyRevalidate;
    }

    /** {@code must-understand} (§5.2.2.3). */
    public boolean mustUnderstand() {
        return mustUnderstand;
    }

    /** {@code immutable} (RFC 8246): no need to revalidate while fresh, even on reload. */
    public boolean immutable() {
        return immutable;
    }

    /** {@code no-transform} (§5.2.1.6, §5.2.2.6). */
    public boolean noTransform() {
        return noTransform;
    }

    /** Request {@code only-if-cached} (§5.2.1.7). */
    public boolean onlyIfCached() {
        return onlyIfCached;
    }

    private static OptionalLong optional(long value) {
        return value == ABSENT ? OptionalLong.empty() : OptionalLong.of(value);
    }

    private static CharSequence[] nonNull(CharSequence[] values) {
        return Arrays.stream(values).filter(Objects::nonNull).toArray(CharSequence[]::new);
    }

    /**
     * Parses delta-seconds (§1.2.2): digits only, capped at {@link #DELTA_SECONDS_CAP}.
     * Returns -1 when the text is not delta-seconds.
     */
    static long parseDeltaSeconds(CharSequence text) {
        if (text == null || text.length() == 0) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            if (value < DELTA_SECONDS_CAP) {
                value = value * 10 + (c - '0');
            }
        }
        return Math.min(value, DELTA_SECONDS_CAP);
    }

    /** Accumulates directives; last step of parsing applies the conflict rules. */
    private static final class Builder {
        long maxAge = ABSENT;
        long sMaxAge = ABSENT;
        long staleWhileRevalidate = ABSENT;
        long staleIfError = ABSENT;
        long maxStale = ABSENT;
        long minFresh = ABSENT;
        boolean noStore;
        boolean noCacheBare;
        boolean noCacheQualified;
        final Set<String> noCacheFields = new LinkedHashSet<>();
        boolean privateBare;
        boolean privateQualified;
        final Set<String> privateFields = new LinkedHashSet<>();
        boolean isPublic;
        boolean mustRevalidate;
        boolean proxyRevalidate;
        boolean mustUnderstand;
        boolean immutable;
        boolean noTransform;
        boolean onlyIfCached;

        /** {@code argument} is null when the directive had no "=". */
        void directive(String name, String argument) {
            switch (name) {
                case "max-age" -> maxAge = lifetime(maxAge, argument);
                case "s-maxage" -> sMaxAge = lifetime(sMaxAge, argument);
                case "stale-while-revalidate" -> staleWhileRevalidate = allowance(staleWhileRevalidate, argument);
                case "stale-if-error" -> staleIfError = allowance(staleIfError, argument);
                case "max-stale" -> maxStale = argument == null
                        ? Math.max(maxStale, Long.MAX_VALUE)
                        : allowance(maxStale, argument);
                case "min-fresh" -> {
                    long seconds = parseDeltaSeconds(argument);
                    if (seconds >= 0) {
                        minFresh = Math.max(minFresh, seconds);
                    }
                }
                case "no-store" -> noStore = true;
                case "no-cache" -> {
                    if (argument == null) {
                        noCacheBare = true;
                    } else {
                        noCacheQualified = true;
                        fieldNames(argument, noCacheFields);
                    }
                }
                case "private" -> {
                    if (argument == null) {
                        privateBare = true;
                    } else {
                        privateQualified = true;
                        fieldNames(argument, privateFields);
                    }
                }
                case "public" -> isPublic = true;
                case "must-revalidate" -> mustRevalidate = true;
                case "proxy-revalidate" -> proxyRevalidate = true;
                case "must-understand" -> mustUnderstand = true;
                case "immutable" -> immutable = true;
                case "no-transform" -> noTransform = true;
                case "only-if-cached" -> onlyIfCached = true;
                default -> { } // cache extension we do not implement: ignore (§5.2.3)
            }
        }

        /** max-age / s-maxage: invalid or conflicting means stale (0). */
        private static long lifetime(long previous, String argument) {
            long seconds = parseDeltaSeconds(argument);
            if (seconds < 0) {
                return 0;
            }
            if (previous != ABSENT && previous != seconds) {
                return 0;
            }
            return seconds;
        }

        /** Relaxing directives: invalid is ignored, several keep the smallest. */
        private static long allowance(long previous, String argument) {
            long seconds = parseDeltaSeconds(argument);
            if (seconds < 0) {
                return previous;
            }
            return previous == ABSENT ? seconds : Math.min(previous, seconds);
        }

        private static void fieldNames(String list, Set<String> into) {
            for (String name : list.split(",")) {
                String trimmed = name.trim();
                if (!trimmed.isEmpty()) {
                    into.add(trimmed.toLowerCase(Locale.ROOT));
                }
            }
        }

        CacheControl build() {
            return new CacheControl(this);
        }
    }

    /** A hand-written scanner over one field value: {@code #( token [ "=" ( token / quoted-string ) ] )}. */
    private static final class Lexer {
        private final CharSequence in;
        private final Builder out;
        private int pos;

        Lexer(CharSequence in, Builder out) {
            this.in = in;
            this.out = out;
        }

        void run() {
            while (pos < in.length()) {
                skipWhitespaceAndCommas();
                if (pos >= in.length()) {
                    return;
                }
                int start = pos;
                while (pos < in.length() && isTchar(in.charAt(pos))) {
                    pos++;
                }
                if (pos == start) {
                    skipToNextComma(); // not a directive: drop this list member
                    continue;
                }
                String name = in.subSequence(start, pos).toString().toLowerCase(Locale.ROOT);
                skipWhitespace();
                String argument = null;
                if (pos < in.length() && in.charAt(pos) == '=') {
                    pos++;
                    skipWhitespace();
                    argument = pos < in.length() && in.charAt(pos) == '"' ? quotedString() : rawUntilComma();
                }
                skipWhitespace();
                if (pos < in.length() && in.charAt(pos) != ',') {
                    // trailing garbage after the member: its argument is not what it claims to be
                    skipToNextComma();
                    argument = argument == null ? "" : argument + "\u0000";
                }
                out.directive(name, argument);
            }
        }

        private String quotedString() {
            StringBuilder value = new StringBuilder();
            pos++; // opening quote
            while (pos < in.length()) {
                char c = in.charAt(pos++);
                if (c == '"') {
                    return value.toString();
                }
                if (c == '\\' && pos < in.length()) {
                    c = in.charAt(pos++);
                }
                value.append(c);
            }
            return value + "\u0000"; // unterminated: mark invalid for numeric directives
        }

        private String rawUntilComma() {
            int start = pos;
            while (pos < in.length() && in.charAt(pos) != ',') {
                pos++;
            }
            return in.subSequence(start, pos).toString().trim();
        }

        private void skipToNextComma() {
            boolean quoted = false;
            while (pos < in.length()) {
                char c = in.charAt(pos);
                if (c == '"') {
                    quoted = !quoted;
                } else if (c == '\\' && quoted) {
                    pos++;
                } else if (c == ',' && !quoted) {
                    return;
                }
                pos++;
            }
        }

        private void skipWhitespace() {
            while (pos < in.length() && (in.charAt(pos) == ' ' || in.charAt(pos) == '\t')) {
                pos++;
            }
        }

        private void skipWhitespaceAndCommas() {
            while (pos < in.length()) {
                char c = in.charAt(pos);
                if (c != ' ' && c != '\t' && c != ',') {
                    return;
                }
                pos++;
            }
        }

        /** RFC 9110 §5.6.2 tchar. */
        private static boolean isTchar(char c) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                return true;
            }
            return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
        }
    }
}
