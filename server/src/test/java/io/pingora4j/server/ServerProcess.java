package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real binary as a separate process, for interop tests: {@code java -cp <test class path>
 * io.pingora4j.server.Main -c FILE} (the jar is packaged after the tests run), its output in
 * {@code dir/server.out} and {@code dir/server.err}.
 */
record ServerProcess(Process process, int port) {

    /** The port of the first address in "serving [/127.0.0.1:8080, ...]". */
    private static final Pattern SERVING = Pattern.compile("serving \\[[^:\\]]*:(\\d+)[,\\]]");

    /**
     * Starts the binary on a free port with the configuration {@code config} makes for it, and waits
     * until it prints "serving". A lost bind race (an exit before "serving") is retried, 3 tries.
     */
    static ServerProcess launch(Path dir, IntFunction<String> config) throws IOException {
        Path out = dir.resolve("server.out");
        Path err = dir.resolve("server.err");
        for (int attempt = 0; attempt < 3; attempt++) {
            int p = FreePort.pick();
            Path conf = Files.writeString(dir.resolve("pingora4j.toml"), config.apply(p));
            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:+UseSerialGC", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    Main.class.getName(), "-c", conf.toString())
                    .directory(dir.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            Await.until("the binary printing 'serving' or exiting (stderr: " + err + ")", Duration.ofSeconds(30),
                    () -> SERVING.matcher(read(out)).find() || !process.isAlive());
            Matcher m = SERVING.matcher(read(out));
            if (m.find()) {
                int port = Integer.parseInt(m.group(1));
                if (port != p) {
                    fail("the binary serves on " + port + ", configured " + p + ": " + read(out));
                }
                return new ServerProcess(process, port);
            }
        }
        fail("the binary did not start; stdout:\n" + read(out) + "\nstderr:\n" + read(err));
        return null;
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
