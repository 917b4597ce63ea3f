package io.pingora4j.server.plugins.subfilter;

import java.util.regex.Matcher;

/**
 * Applies one {@link SubFilterRule} to a body that arrives in chunks, finding matches that straddle
 * chunk boundaries. Text is ISO-8859-1 (one char per byte).
 *
 * <p>How: each chunk is appended to what was held back, then searched. A match is final when the
 * matcher did not need to look at the end of the text to find it ({@link Matcher#hitEnd()} false):
 * more input could not change it. A match that touched the end, and, when the search ran into the
 * end without a match, the last {@code window} chars (where a match could still begin), are held
 * back for the next chunk; a match longer than {@code window} across a boundary is missed. At the
 * end of the body everything left is searched as final.
 *
 * <p>Not thread-safe: one response.
 */
final class StreamingReplacer {

    private final SubFilterRule rule;
    private final int window;
    private final StringBuilder held = new StringBuilder();
    private boolean done;

    StreamingReplacer(SubFilterRule rule, int window) {
        this.rule = rule;
        this.window = window;
    }

    /** The text that can be emitted after {@code chunk}; the rest is held. */
    String feed(String chunk, boolean end) {
        held.append(chunk);
        String text = held.toString();
        held.setLength(0);
        if (done) {
            return text; // a rule without g replaced its one match already
        }
        Matcher m = rule.pattern().matcher(text);
        StringBuilder out = new StringBuilder(text.length() + 16);
        int from = 0; // the matcher's append position: text before it is in out
        int safe = text.length();
        boolean searching = true;
        while (searching && m.find()) {
            if (!end && m.hitEnd() && text.length() - m.start() <= window) {
                safe = m.start(); // more input could change this match: hold from its start
                searching = false;
                break;
            }
            m.appendReplacement(out, rule.replacement());
            from = m.end();
            if (!rule.global()) {
                done = true;
                searching = false;
            }
        }
        if (searching && !end && m.hitEnd()) {
            safe = Math.max(from, text.length() - window); // a match may begin in the tail
        }
        safe = Math.max(safe, from);
        out.append(text, from, safe);
        held.append(text, safe, text.length());
        return out.toString();
    }
}
