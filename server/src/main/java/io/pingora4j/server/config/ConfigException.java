package io.pingora4j.server.config;

import java.util.List;

/**
 * A configuration was refused. Holds every problem found (loading does not stop at the first),
 * and its message lists them one "file: key: reason" line each, so it can be printed as is.
 * Immutable after construction.
 */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient List<ConfigProblem> problems;

    public ConfigException(List<ConfigProblem> problems) {
        super(message(problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, in the order found (file order, then cross-reference checks). */
    public List<ConfigProblem> problems() {
        return problems;
    }

    private static String message(List<ConfigProblem> problems) {
        StringBuilder sb = new StringBuilder();
        sb.append(problems.size()).append(problems.size() == 1 ? " configuration problem" : " configuration problems");
        for (ConfigProblem p : problems) {
            sb.append('\n').append(p);
        }
        return sb.toString();
    }
}
