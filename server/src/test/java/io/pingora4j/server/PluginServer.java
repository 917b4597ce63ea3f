package io.pingora4j.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntFunction;

/**
 * The real server for the plugin tests of other packages ({@code io.pingora4j.server.plugins.NAME}):
 * a configuration in, a listening proxy out, exactly as {@link RunningProxy} builds it; and the
 * binary's {@code -t} check of a configuration, as {@link Main#run} prints it.
 */
public final class PluginServer implements AutoCloseable {

    private final RunningProxy proxy;

    private PluginServer(RunningProxy proxy) {
        this.proxy = proxy;
    }

    /** Starts the server from TOML made for a free port (built-in plugins only). */
    public static PluginServer start(IntFunction<String> tomlForPort) {
        return new PluginServer(RunningProxy.start(tomlForPort));
    }

    /**
     * One plugin {@code [plugins.p]} of {@code category} with the TOML lines {@code keys}, on a
     * location "/" in front of {@code origin} (null: a location without upstream).
     */
    public static PluginServer startWith(RecordingOrigin origin, String category, String keys) {
        return start(port -> onePlugin(origin == null ? null : origin.addr(), port, category, keys));
    }

    /** {@link #check} of the configuration {@link #startWith} would start. */
    public static Check checkWith(Path dir, String category, String keys) {
        return check(dir, onePlugin("127.0.0.1:1", 1, category, keys));
    }

    /** The TOML of {@link #startWith}. */
    public static String onePlugin(String originAddr, int port, String category, String keys) {
        String upstream = originAddr == null ? "" : """
                [upstreams.app]
                addrs = ["%s"]
                """.formatted(originAddr);
        return upstream + """

                [plugins.p]
                category = "%s"
                %s

                [locations.app]
                path = "/"
                %s
                plugins = ["p"]

                [servers.http]
                addr = "127.0.0.1:%d"
                locations = ["app"]
                """.formatted(category, keys, originAddr == null ? "" : "upstream = \"app\"", port);
    }

    public int port() {
        return proxy.port();
    }

    /** "http://127.0.0.1:PORT". */
    public String base() {
        return proxy.base();
    }

    @Override
    public void close() {
        proxy.close();
    }

    /** What an outside program printed (stdout and stderr together) and how it exited. */
    public record ToolRun(int exit, String output) {
    }

    /**
     * Runs an outside program for an interop test: it must be on PATH (or the test fails, naming
     * the Debian package), and end within {@code timeout}.
     */
    public static ToolRun runTool(Path dir, java.time.Duration timeout, String debianPackage, String... command)
            throws IOException, InterruptedException {
        String[] cmd = command.clone();
        cmd[0] = Tools.path(command[0], debianPackage);
        Tools.Run r = Tools.run(dir, timeout, cmd);
        return new ToolRun(r.exit(), r.output());
    }

    /** What {@code pingora4j -t -c FILE} did: its exit code, what it printed, and the file. */
    public record Check(int code, String out, String err, Path file) {
    }

    /** Writes {@code toml} to a file in {@code dir} and checks it as {@code pingora4j -t -c FILE} does. */
    public static Check check(Path dir, String toml) {
        try {
            Path file = Files.createTempFile(dir, "check", ".toml");
            Files.writeString(file, toml);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code;
            try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
                code = Main.run(new String[] {"-t", "-c", file.toString()}, o, e);
            }
            if (code == Main.RUNNING) {
                throw new AssertionError("-t started a server");
            }
            return new Check(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
