package io.pingora4j.server.plugins.subfilter;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One substitution rule, parsed from Pingap's syntax: {@code sub_filter 'literal' 'replacement' [g]}
 * or {@code subs_filter 'regex' 'replacement' [gi]}. The body is matched as bytes: pattern and
 * replacement are turned into ISO-8859-1 strings of their UTF-8 bytes, so a character is its bytes
 * and any body, valid UTF-8 or not, passes through unchanged where nothing matches.
 *
 * <p>Immutable; thread-safe.
 */
record SubFilterRule(Pattern pattern, String replacement, boolean global) {

    private static final Pattern SYNTAX = Pattern.compile("^\\s*(sub_filter|subs_filter)\\s+'([^']*)'\\s+'([^']*)'\\s*([a-z]*)\\s*$");

    /** Parses one rule; the message of the exception says what is wrong with it. */
    static SubFilterRule parse(String rule) {
        Matcher m = SYNTAX.matcher(rule);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected sub_filter 'TEXT' 'REPLACEMENT' [g] or subs_filter 'REGEX' "
                    + "'REPLACEMENT' [gi]");
        }
        boolean regex = m.group(1).equals("subs_filter");
        String flags = m.group(4);
        for (char c : flags.toCharArray()) {
            if (c != 'g' && !(regex && c == 'i')) {
                throw new IllegalArgumentException("unknown flag '" + c + "'" + (c == 'i' ? " (i is for subs_filter)" : ""));
            }
        }
        if (m.group(2).isEmpty()) {
            throw new IllegalArgumentException("the pattern is empty");
        }
        String pattern = bytes(m.group(2));
        String replacement = bytes(m.group(3));
        int f = flags.indexOf('i') >= 0 ? Pattern.CASE_INSENSITIVE : 0;
        Pattern p;
        try {
            p = regex ? Pattern.compile(pattern, f) : Pattern.compile(pattern, Pattern.LITERAL);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("not a regular expression: " + e.getDescription());
        }
        String rep = regex ? replacement : Matcher.quoteReplacement(replacement);
        if (regex) {
            try {
                p.matcher("").replaceFirst(rep); // checks $n references against the groups... at least the syntax
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                throw new IllegalArgumentException("replacement: " + e.getMessage());
            }
        }
        return new SubFilterRule(p, rep, flags.indexOf('g') >= 0);
    }

    private static String bytes(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }
}
