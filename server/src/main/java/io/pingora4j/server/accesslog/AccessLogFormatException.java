package io.pingora4j.server.accesslog;

/**
 * An access-log template that cannot be compiled: an unknown {@code {variable}}, or a prefixed one
 * ({@code {>name}}, {@code {~name}}...) with no name. The message names the variable, where it is in
 * the template, and what is accepted.
 */
public final class AccessLogFormatException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String variable;
    private final int position;

    AccessLogFormatException(String template, String variable, int position, String reason) {
        super("access_log: " + reason + ": '{" + variable + "}' at index " + position + " of \"" + template + "\"");
        this.variable = variable;
        this.position = position;
    }

    /** The variable as written, without its braces. */
    public String variable() {
        return variable;
    }

    /** Index of its '{' in the template. */
    public int position() {
        return position;
    }
}
