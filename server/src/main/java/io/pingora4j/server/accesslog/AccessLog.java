package io.pingora4j.server.accesslog;

import io.pingora4j.spi.Session;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A server's access log: a compiled {@link AccessLogFormat} and the {@link AccessLogWriter} its
 * lines go to. The proxy calls {@link #log(Session)} from its logging phase, on the event loop:
 * the line is rendered there (the session is the loop's) and handed to the writer, which never
 * blocks.
 *
 * <p>Thread-safe: one instance serves every event loop.
 */
public final class AccessLog implements AutoCloseable {

    private final AccessLogFormat format;
    private final AccessLogWriter writer;

    public AccessLog(AccessLogFormat format, AccessLogWriter writer) {
        this.format = Objects.requireNonNull(format, "format");
        this.writer = Objects.requireNonNull(writer, "writer");
    }

    /**
     * Opens an access log from a Pingap {@code access_log} value: a preset ({@code "combined"}), a
     * template ({@code "{method} {uri}"}), or a destination then either of those
     * ({@code "/var/log/pingap.log combined"}, {@code "stdout {when} {path}"}). Without a
     * destination, or with {@code stdout}, lines go to standard output.
     *
     * @throws AccessLogFormatException for a template with an unknown variable
     * @throws IOException naming the file when it cannot be opened
     */
    public static AccessLog open(String directive, int capacity) throws IOException {
        return open(directive, capacity, Path.of(""));
    }

    /** As {@link #open(String, int)}, a relative destination file resolved against {@code folder}. */
    public static AccessLog open(String directive, int capacity, Path folder) throws IOException {
        Directive d = Directive.parse(directive);
        AccessLogFormat format = AccessLogFormat.compile(d.format());
        AccessLogWriter writer = d.destination() == null || d.destination().equals("stdout")
                ? AccessLogWriter.toStdout(capacity)
                : AccessLogWriter.toFile(folder.resolve(d.destination()), capacity);
        return new AccessLog(format, writer);
    }

    /** A parsed {@code access_log} value: where to write (null: stdout) and the format or preset. */
    public record Directive(String destination, String format) {

        /** Splits Pingap's {@code "PATH FORMAT"} form; anything else is a format alone. */
        public static Directive parse(String directive) {
            String v = Objects.requireNonNull(directive, "access_log").trim();
            if (v.startsWith("{")) {
                return new Directive(null, v);
            }
            int space = v.indexOf(' ');
            if (space < 0) {
                return new Directive(null, v);
            }
            String rest = v.substring(space + 1).trim();
            if (AccessLogFormat.isPreset(rest) || rest.startsWith("{")) {
                return new Directive(v.substring(0, space), rest);
            }
            return new Directive(null, v);
        }
    }

    /** Renders a line for the finished request and queues it; false if it was dropped. */
    public boolean log(Session session) {
        return writer.offer(format.render(session));
    }

    /** As {@link #log(Session)}, with what the proxy knows of the upstream and the error. */
    public boolean log(Session session, UpstreamFacts facts) {
        return writer.offer(format.render(session, facts));
    }

    public AccessLogFormat format() {
        return format;
    }

    public AccessLogWriter writer() {
        return writer;
    }

    /** See {@link AccessLogWriter#droppedLines()}. */
    public long droppedLines() {
        return writer.droppedLines();
    }

    /** Writes what is queued, flushes and closes the destination. */
    @Override
    public void close() {
        writer.close();
    }
}
