package io.pingora4j.server.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles the regular expressions a Pingap file holds. Pingap is written in Rust, whose regex
 * crate also spells a named group {@code (?P<name>...)}; Java only knows {@code (?<name>...)}, so
 * that spelling is translated. Stateless.
 */
public final class Regexes {

    private static final Pattern GROUP_NAME = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");

    private Regexes() {
    }

    /**
     * Compiles {@code regex}.
     *
     * @throws IllegalArgumentException "invalid regex: ..." with Java's description of the error
     */
    public static Pattern compile(String regex) {
        String javaRegex = regex.replace("(?P<", "(?<");
        try {
            return Pattern.compile(javaRegex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regex '" + regex + "': " + e.getDescription()
                    + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
        }
    }

    /** The named groups of a compiled pattern, in order of appearance. */
    public static List<String> groupNames(Pattern pattern) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = GROUP_NAME.matcher(pattern.pattern());
        while (m.find()) {
            names.add(m.group(1));
        }
        return new ArrayList<>(names);
    }
}
